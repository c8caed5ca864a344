from boutique.core.errors import Conflict, DomainError


class OrderNotShippable(Conflict):
    code = "order_not_shippable"
    title = "This order cannot be shipped now"


class QuantityExceedsUnshipped(Conflict):
    code = "quantity_exceeds_unshipped"
    title = "More than is left to ship"


class CarrierSignatureInvalid(DomainError):
    code = "invalid_signature"
    status = 401
    title = "The carrier's signature does not verify"


class CarrierWebhookInvalid(DomainError):
    code = "invalid_webhook"
    status = 400
    title = "The carrier's webhook cannot be read"

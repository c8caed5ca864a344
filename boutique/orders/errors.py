from boutique.core.errors import Conflict, DomainError, NotFound


class OrderNotFound(NotFound):
    code = "order_not_found"
    title = "Order not found"


class IllegalTransition(Conflict):
    code = "illegal_transition"
    title = "The order cannot move to that status"


class CheckoutInvalid(DomainError):
    code = "checkout_invalid"
    status = 400
    title = "The checkout details are not valid"


class CartEmpty(Conflict):
    code = "cart_empty"
    title = "The cart is empty"


class OutOfStock(Conflict):
    code = "out_of_stock"
    title = "Not enough stock"


class CartNeedsAttention(Conflict):
    code = "cart_needs_attention"
    title = "Some items in the cart cannot be bought as they are"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    title = "This Idempotency-Key was used for a different request"


class ShippingNotAvailable(Conflict):
    code = "shipping_not_available"
    title = "This shipping method does not serve that country"


class OrderQueryInvalid(DomainError):
    """A page or page size that is not a whole number in range."""

    code = "order_query_invalid"
    status = 400
    title = "The query parameters are not valid"

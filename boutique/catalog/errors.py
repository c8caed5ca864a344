from boutique.core.errors import Conflict, NotFound, ValidationFailed


class ProductNotFound(NotFound):
    code = "product_not_found"
    title = "Product not found"


class DuplicateSku(Conflict):
    code = "duplicate_sku"
    title = "This SKU is already used"


class UnknownFilterValue(ValidationFailed):
    code = "unknown_filter_value"
    status = 400
    title = "Unknown filter value"

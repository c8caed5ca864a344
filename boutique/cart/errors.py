from boutique.core.errors import DomainError, NotFound


class CartRequestInvalid(DomainError):
    """The request itself is wrong (a quantity of 0, an unknown SKU)."""

    code = "cart_request_invalid"
    status = 400
    title = "The cart request is not valid"


class ProductUnavailable(DomainError):
    code = "product_unavailable"
    status = 409
    title = "This product cannot be bought"


class NotEnoughAvailable(DomainError):
    code = "insufficient_stock"
    status = 409
    title = "Not enough stock"


class CurrencyMismatch(DomainError):
    code = "currency_mismatch"
    status = 409
    title = "The cart is in another currency"


class CartItemNotFound(NotFound):
    code = "cart_item_not_found"
    title = "This line is not in your cart"


class WishlistItemNotFound(NotFound):
    code = "wishlist_item_not_found"
    title = "This item is not in your wishlist"


class SignInRequired(DomainError):
    code = "not_authenticated"
    status = 401
    title = "Sign in to keep a wishlist"

from boutique.core.errors import DomainError


class CouponRefused(DomainError):
    """A coupon that cannot be used, with the exact reason in `code` and a
    sentence for the customer in `detail`. An unknown code is a bad field (400);
    every other reason is a conflict with the coupon's state (409)."""

    code = "coupon_refused"
    status = 409
    title = "This coupon cannot be used"

    def __init__(self, detail: str | None = None, *, code: str | None = None, **kwargs):
        super().__init__(detail, **kwargs)
        if code:
            self.code = code
            self.status = 400 if code == "coupon_unknown" else 409
        if not self.field_errors:
            self.field_errors = {"coupon": [self.detail]}

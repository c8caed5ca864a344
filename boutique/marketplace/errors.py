from boutique.core.errors import Conflict, PermissionDenied


class AlreadyApplied(Conflict):
    code = "seller_already_applied"


class SellerStatusConflict(Conflict):
    """The store is not in a status that allows this change."""

    code = "seller_status_conflict"


class NotASeller(PermissionDenied):
    code = "not_a_seller"


class SellerNotActive(PermissionDenied):
    code = "seller_not_active"


class PayoutAlreadyPaid(Conflict):
    code = "payout_already_paid"

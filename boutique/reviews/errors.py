from boutique.core.errors import Conflict, DomainError, NotFound, PermissionDenied


class NotVerifiedBuyer(PermissionDenied):
    code = "not_verified_buyer"
    title = "Only customers who received this product can review it"


class AlreadyReviewed(Conflict):
    code = "already_reviewed"
    title = "You have already reviewed this product"


class ReviewNotFound(NotFound):
    code = "review_not_found"
    title = "Review not found"


class ReviewNotPending(Conflict):
    code = "review_not_pending"
    title = "This review has already been moderated"


class RejectionReasonRequired(DomainError):
    code = "rejection_reason_required"
    status = 422
    title = "Say why the review is rejected"

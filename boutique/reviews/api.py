"""Reviews of a product: anyone reads the approved ones; a signed-in customer
whose order with the product was delivered writes one.

POST creates the caller's only review of the product (pending moderation). A
second POST is 409 `already_reviewed`: the API does not overwrite a review;
the author edits it on the product page (which sends it back to moderation).
401 without a token or session; 403 `not_verified_buyer` without a delivered
purchase; 422 for a rating outside 1–5 or a title/text of the wrong length."""

from ninja import Query, Router, Status

from boutique.core.api_auth import BearerAuth, SessionAuth, optional_auth
from boutique.core.schemas import problems

from . import selectors, services
from .schemas import OwnReviewOut, ReviewIn, ReviewListQuery, ReviewPageOut

reviews_router = Router(tags=["reviews"])


@reviews_router.get(
    "/products/{slug:slug}/reviews",
    response={200: ReviewPageOut, **problems(404, 422)},
    auth=optional_auth(),
)
def review_list(request, slug: str, query: Query[ReviewListQuery]):
    """A visible product's approved reviews, newest first, with its average,
    count and the histogram (5 to 1 stars). Hidden or unknown products are 404."""
    product = selectors.product_get_reviewable(slug=slug)
    page = selectors.reviews_page_for_product(
        product=product, page=query.page, page_size=query.page_size
    )
    return {
        "rating": None if product.rating_average is None else float(product.rating_average),
        "review_count": product.review_count,
        "histogram": [{"stars": bar.stars, "count": bar.count} for bar in page.histogram],
        "count": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "num_pages": page.num_pages,
        "next": page.page + 1 if page.has_next else None,
        "previous": page.page - 1 if page.has_previous else None,
        "results": page.reviews,
    }


@reviews_router.post(
    "/products/{slug:slug}/reviews",
    response={201: OwnReviewOut, **problems(401, 403, 404, 409, 422)},
    auth=[BearerAuth(), SessionAuth()],
)
def review_create(request, slug: str, payload: ReviewIn):
    """Write the caller's review of the product; it waits for moderation
    (status pending) and counts once staff approve it."""
    product = selectors.product_get_reviewable(slug=slug)
    review = services.review_submit(user=request.auth, product=product, **payload.dict())
    return Status(201, review)

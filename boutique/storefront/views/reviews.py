"""Reviews on the storefront: the product page's reviews section (approved
reviews, average, count, histogram and, for a verified buyer, their own review's
form), all approved reviews page by page, and the form's POST, which writes the
customer's first review or edits theirs (an edit waits for moderation again)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from boutique.catalog import selectors as catalog_selectors
from boutique.core.errors import DomainError
from boutique.reviews import selectors, services
from boutique.reviews.models import RATING_MAX, RATING_MIN, TEXT_MAX, TEXT_MIN, TITLE_MAX

from ..helpers import add_domain_error, not_found_as_404, redirect_to

SHOWN_ON_PRODUCT_PAGE = 5
PAGE_SIZE = 20


_stars_label = lazy(lambda n: ngettext("%(n)d star", "%(n)d stars", n) % {"n": n}, str)


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[(n, _stars_label(n)) for n in range(RATING_MAX, RATING_MIN - 1, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(max_length=TITLE_MAX)
    text = forms.CharField(
        label="Your review",
        min_length=TEXT_MIN,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


def reviews_context(request, product, *, form=None) -> dict:
    """The reviews section: no review query for a product without approved
    reviews; two more for a signed-in visitor (their review, verified purchase)."""
    page = selectors.reviews_page_for_product(product=product, page_size=SHOWN_ON_PRODUCT_PAGE)
    eligibility = selectors.review_eligibility(user=request.user, product_id=product.pk)
    if form is None and eligibility.can_review:
        own = eligibility.own
        initial = {"rating": own.rating, "title": own.title, "text": own.text} if own else None
        form = ReviewForm(initial=initial)
    return {"reviews_page": page, "eligibility": eligibility, "review_form": form}


def review_list(request, slug: str):
    product = _product(slug)
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdecimal() and len(raw) < 7 else 0
    if number < 1:
        raise Http404("No such page.")
    page = selectors.reviews_page_for_product(product=product, page=number, page_size=PAGE_SIZE)
    if number > page.num_pages:
        raise Http404(str(EmptyPage("That page contains no results")))
    return render(
        request, "storefront/pages/product_reviews.html", {"product": product, "reviews_page": page}
    )


@require_POST
@login_required
@not_found_as_404
def review_write(request, slug: str):
    product = _product(slug)
    form = ReviewForm(request.POST)
    status = 422
    if form.is_valid():
        own = selectors.review_get_own(user=request.user, product_id=product.pk)
        try:
            if own is None:
                services.review_submit(user=request.user, product=product, **form.cleaned_data)
            else:
                services.review_update(review=own, user=request.user, **form.cleaned_data)
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(
                request, gettext("Thank you! Your review will appear once our team has checked it.")
            )
            return redirect_to(request, reverse("storefront:product", args=[slug]) + "#reviews")
    # Imported here: the product view imports this module for reviews_context.
    from .product import product_page_context

    detail = catalog_selectors.product_detail_for_storefront(slug=slug)
    context = product_page_context(request, detail, review_form=form)
    return render(request, "storefront/pages/product.html", context, status=status)


def _product(slug: str):
    try:
        return selectors.product_get_reviewable(slug=slug)
    except DomainError as exc:
        raise Http404(exc.detail) from exc

"""What every storefront view shares: a service's refusal shown on a form,
someone else's object answered with 404, a safe `next`, HTMX-aware redirects."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from boutique.cart.services import cart_merge_on_sign_in
from boutique.core.errors import DomainError, NotFound

LOGIN_BACKEND = "boutique.accounts.backends.LoginBackend"
# The guest's cart token lives in the session under this key (the API reads it too).
CART_SESSION_KEY = "cart_token"

# Bad input on a page answers 4xx like the API does; the form is the error body.
FORM_INVALID = 422


def add_domain_error(form, exc: DomainError, *, field_map: dict[str, str] | None = None) -> int:
    """Copy a service's `field_errors` onto `form` (beside the field when the form
    has it, at the top otherwise) and its `detail` to the top; return the status
    the page should answer with. Someone else's object is a 404, not a form error."""
    if isinstance(exc, NotFound):
        raise Http404(exc.detail) from exc
    if not form.is_bound:
        # A step shown afresh (e.g. "send a new code" refused) still carries the
        # error; Form.add_error expects the cleaned_data a bound form would have.
        form.cleaned_data = {}
    field_map = field_map or {}
    shown: set[str] = set()
    for field, field_messages in exc.field_errors.items():
        name = field_map.get(field, field)
        target = name if name in form.fields else None
        for message in field_messages:
            form.add_error(target, message)
            shown.add(message)
    if exc.detail not in shown:
        form.add_error(None, exc.detail)
    # A page is not an HTTP authentication challenge (401 requires WWW-Authenticate).
    return 400 if exc.status == 401 else exc.status


def not_found_as_404(view):
    """Answer 404 when a selector or service says the object is not the user's."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.detail) from exc

    return wrapper


def safe_next(request) -> str:
    """The `next` the request carries, when it points back into this site; else ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if allowed else ""


def next_url(request, default: str | None = None) -> str:
    return safe_next(request) or resolve_url(default or settings.LOGIN_REDIRECT_URL)


def redirect_to(request, to: str, *args, **kwargs):
    """A redirect that also works for HTMX requests, which would otherwise follow
    it silently and swap the whole next page into a fragment."""
    url = resolve_url(to, *args, **kwargs)
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def render_otp_step(request, *, page: str, context: dict, status: int = 200):
    """A text-message code page: the whole page, or only its step partial when
    HTMX swaps one step for the next."""
    template = "storefront/partials/_otp_step.html" if getattr(request, "htmx", False) else page
    ttl_minutes = int(settings.OTP_TTL.total_seconds() // 60)
    return render(request, template, {"ttl_minutes": ttl_minutes, **context}, status=status)


def sign_in(request, user) -> None:
    """Every storefront sign-in: start the session, then fold the guest's cart
    into the customer's (once; quantities add, capped by stock)."""
    guest_token = request.session.get(CART_SESSION_KEY)
    login(request, user, backend=LOGIN_BACKEND)
    if guest_token:
        result = cart_merge_on_sign_in(user=user, guest_token=guest_token)
        request.session.pop(CART_SESSION_KEY, None)
        if result.merged and result.cart is not None and result.cart.items.exists():
            messages.info(request, "We added the items from your visit to your cart.")
        for note in result.notes:
            messages.warning(request, note)

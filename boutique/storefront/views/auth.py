"""Register, sign in (password or text-message code), sign out."""

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from boutique.accounts import services
from boutique.accounts.models import OtpPurpose
from boutique.core.errors import DomainError
from boutique.core.ratelimit import rate_limit

from ..forms.account import OtpPhoneForm, OtpSignInCodeForm, RegisterForm, SignInForm
from ..helpers import (
    FORM_INVALID,
    add_domain_error,
    next_url,
    redirect_to,
    render_otp_step,
    safe_next,
    sign_in,
)


@never_cache
@sensitive_post_parameters("password", "password_confirm")
def register(request):
    if request.user.is_authenticated:
        return redirect("storefront:profile")
    form = RegisterForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = FORM_INVALID
        if form.is_valid():
            data = form.cleaned_data
            try:
                rate_limit(request, scope="register")
                user = services.user_register(
                    email=data["email"],
                    phone=data["phone"],
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    password=data["password"],
                )
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                sign_in(request, user)
                messages.success(request, _welcome_message(user))
                return redirect("storefront:profile")
    return render(request, "storefront/pages/register.html", {"form": form}, status=status)


def _welcome_message(user) -> str:
    name = user.first_name
    if user.email:
        if name:
            text = gettext(
                "Hello %(name)s! We sent a link to %(email)s: "
                "check your email and open it to confirm your address."
            )
        else:
            text = gettext(
                "Hello and welcome! We sent a link to %(email)s: "
                "check your email and open it to confirm your address."
            )
        return text % {"name": name, "email": user.email}
    if name:
        return gettext("Hello %(name)s! Verify your phone number below to secure your account.") % {
            "name": name
        }
    return gettext("Hello and welcome! Verify your phone number below to secure your account.")


@never_cache
@sensitive_post_parameters("password")
def signin(request):
    if request.user.is_authenticated:
        return redirect(next_url(request))
    form = SignInForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = FORM_INVALID
        if form.is_valid():
            try:
                user = services.user_authenticate(
                    request=request,
                    login=form.cleaned_data["login"],
                    password=form.cleaned_data["password"],
                )
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                sign_in(request, user)
                return redirect(next_url(request))
    context = {"form": form, "next": safe_next(request)}
    return render(request, "storefront/pages/signin.html", context, status=status)


@require_POST
def signout(request):
    logout(request)
    messages.info(request, gettext("You are signed out. See you soon!"))
    return redirect("storefront:home")


@never_cache
@sensitive_post_parameters("code")
def signin_code(request):
    """Step 1 texts a code to the phone, step 2 checks it and signs in. Each step
    answers the whole page, or only the step's partial to an HTMX request."""
    if request.user.is_authenticated:
        return redirect(next_url(request))
    step = request.POST.get("step") if request.method == "POST" else None
    if step == "verify":
        return _signin_code_verify(request)
    if step in ("request", "resend"):
        return _signin_code_request(request, resend=step == "resend")
    return _render_signin_code(request, stage="phone", form=OtpPhoneForm())


def _signin_code_request(request, *, resend: bool):
    form = OtpPhoneForm(request.POST)
    if not form.is_valid():
        return _render_signin_code(request, stage="phone", form=form, status=FORM_INVALID)
    try:
        rate_limit(request, scope="otp_request")
        otp = services.otp_request(phone=form.cleaned_data["phone"], purpose=OtpPurpose.LOGIN)
    except DomainError as exc:
        if not resend:
            status = add_domain_error(form, exc)
            return _render_signin_code(request, stage="phone", form=form, status=status)
        # Asking again too soon keeps the code already sent: stay on the code step.
        phone = form.cleaned_data["phone"]
        code_form = OtpSignInCodeForm(initial={"phone": phone})
        status = add_domain_error(code_form, exc)
        return _render_signin_code(
            request, stage="code", form=code_form, phone=phone, sent=True, status=status
        )
    code_form = OtpSignInCodeForm(initial={"phone": otp.phone})
    return _render_signin_code(request, stage="code", form=code_form, phone=otp.phone, sent=True)


def _signin_code_verify(request):
    form = OtpSignInCodeForm(request.POST)
    phone = request.POST.get("phone", "")
    if not form.is_valid():
        return _render_signin_code(
            request, stage="code", form=form, phone=phone, status=FORM_INVALID
        )
    try:
        user = services.otp_verify(
            phone=form.cleaned_data["phone"],
            code=form.cleaned_data["code"],
            purpose=OtpPurpose.LOGIN,
        )
    except DomainError as exc:
        status = add_domain_error(form, exc)
        return _render_signin_code(request, stage="code", form=form, phone=phone, status=status)
    sign_in(request, user)
    messages.success(request, gettext("You are signed in."))
    return redirect_to(request, next_url(request))


def _render_signin_code(request, *, stage, form, phone="", sent=False, status=200):
    return render_otp_step(
        request,
        page="storefront/pages/signin_code.html",
        context={
            "stage": stage,
            "form": form,
            "phone": phone,
            "sent": sent,
            "ask_phone": True,
            "next": safe_next(request),
            "verify_label": "Sign in",
        },
        status=status,
    )

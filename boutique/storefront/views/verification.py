"""Proving an email address (signed link) and a phone number (text-message code)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from boutique.accounts import services
from boutique.accounts.models import OtpPurpose
from boutique.core.errors import DomainError
from boutique.core.ratelimit import rate_limit

from ..forms.account import OtpCodeForm
from ..helpers import FORM_INVALID, add_domain_error, redirect_to, render_otp_step


@never_cache
def verify_email(request, token):
    """GET shows a button, POST confirms: mail scanners that open links must not
    confirm an address on the reader's behalf."""
    if request.method != "POST":
        return render(request, "storefront/pages/verify_email_confirm.html", {"token": token})
    try:
        user = services.email_verification_confirm(token=token)
    except DomainError as exc:
        return render(
            request,
            "storefront/pages/verify_email_failed.html",
            {"detail": exc.detail},
            status=exc.status,
        )
    return render(request, "storefront/pages/verify_email_done.html", {"email": user.email})


@login_required
@require_POST
def verify_email_resend(request):
    user = request.user
    if not user.email:
        messages.info(request, gettext("Add an email address to your profile first."))
    elif user.email_verified_at:
        messages.info(request, gettext("Your email address is already confirmed."))
    else:
        try:
            rate_limit(request, scope="email_send", key=f"user:{user.pk}")
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("storefront:profile")
        services.email_verification_send(user=user)
        messages.success(
            request,
            gettext("We sent a new link to %(email)s. Check your email.") % {"email": user.email},
        )
    return redirect("storefront:profile")


@login_required
@never_cache
@sensitive_post_parameters("code")
def verify_phone(request):
    """Text a code to the phone on the account, then check it."""
    user = request.user
    if not user.phone:
        messages.info(request, gettext("Add a phone number to your profile first."))
        return redirect_to(request, "storefront:profile")
    if user.phone_verified_at:
        return _render_verify_phone(request, stage="verified", form=forms.Form())
    step = request.POST.get("step") if request.method == "POST" else None
    if step == "verify":
        return _verify_phone_check(request)
    if step in ("request", "resend"):
        return _verify_phone_send(request, resend=step == "resend")
    return _render_verify_phone(request, stage="phone", form=forms.Form())


def _verify_phone_send(request, *, resend: bool):
    try:
        services.otp_request(phone=request.user.phone, purpose=OtpPurpose.VERIFY_PHONE)
    except DomainError as exc:
        # Asking again too soon keeps the code already sent: stay on the code step.
        form = OtpCodeForm() if resend else forms.Form()
        status = add_domain_error(form, exc)
        stage = "code" if resend else "phone"
        return _render_verify_phone(request, stage=stage, form=form, sent=resend, status=status)
    return _render_verify_phone(request, stage="code", form=OtpCodeForm(), sent=True)


def _verify_phone_check(request):
    form = OtpCodeForm(request.POST)
    if not form.is_valid():
        return _render_verify_phone(request, stage="code", form=form, status=FORM_INVALID)
    try:
        services.otp_verify(
            phone=request.user.phone,
            code=form.cleaned_data["code"],
            purpose=OtpPurpose.VERIFY_PHONE,
            user=request.user,
        )
    except DomainError as exc:
        status = add_domain_error(form, exc)
        return _render_verify_phone(request, stage="code", form=form, status=status)
    messages.success(request, gettext("Your phone number is verified. Thank you!"))
    return redirect_to(request, "storefront:profile")


def _render_verify_phone(request, *, stage, form, sent=False, status=200):
    return render_otp_step(
        request,
        page="storefront/pages/verify_phone.html",
        context={
            "stage": stage,
            "form": form,
            "phone": request.user.phone,
            "sent": sent,
            "ask_phone": False,
            "verify_label": "Verify my phone",
        },
        status=status,
    )

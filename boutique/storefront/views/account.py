"""The signed-in customer's own details: profile, password, password reset."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from boutique.accounts import services
from boutique.core.errors import DomainError
from boutique.core.ratelimit import rate_limit

from ..forms.account import DeleteAccountForm, ProfileForm, ResetPasswordForm
from ..helpers import FORM_INVALID, add_domain_error


@login_required
@never_cache
def profile(request):
    user = request.user
    initial = ProfileForm.initial_for(user)
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if form.is_bound:
        status = FORM_INVALID
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            if not changes:
                messages.info(request, gettext("Nothing to save: your details are unchanged."))
                return redirect("storefront:profile")
            try:
                updated = services.user_update_profile(user=user, actor=user, **changes)
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(request, _saved_message(before=user, after=updated))
                return redirect("storefront:profile")
    return render(request, "storefront/pages/profile.html", {"form": form}, status=status)


def _saved_message(*, before, after) -> str:
    if after.email and after.email != before.email:
        return gettext("Your details are saved. We sent a link to %(email)s to confirm it.") % {
            "email": after.email
        }
    if after.phone and after.phone != before.phone:
        return gettext("Your details are saved. Verify your new phone number when you can.")
    return "Your details are saved."


@login_required
@never_cache
@sensitive_post_parameters()
def password_change(request):
    """Change the password (or set one, for an account made by phone code sign-in).
    Django's form checks the old password; the accounts service stores the new one."""
    user = request.user
    form_class = PasswordChangeForm if user.has_usable_password() else SetPasswordForm
    form = form_class(user, request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = FORM_INVALID
        if form.is_valid():
            try:
                updated = services.user_set_password(
                    user=user, password=form.cleaned_data["new_password1"], actor=user
                )
            except DomainError as exc:
                status = add_domain_error(form, exc, field_map={"password": "new_password1"})
            else:
                update_session_auth_hash(request, updated)
                messages.success(request, gettext("Your password is changed."))
                return redirect("storefront:profile")
    context = {"form": form, "has_password": user.has_usable_password()}
    return render(request, "storefront/pages/password_change.html", context, status=status)


@login_required
@never_cache
@require_GET
def data_export(request):
    """The customer's data as a JSON download."""
    data = services.user_data_export(user=request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@login_required
@never_cache
@sensitive_post_parameters()
def account_delete(request):
    """Delete the account after the password is given again; signs the customer out."""
    user = request.user
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = FORM_INVALID
        if form.is_valid():
            try:
                rate_limit(request, scope="account_delete", rate="10/h", key=f"user:{user.pk}")
                services.user_password_confirm(user=user, password=form.cleaned_data["password"])
                services.user_delete(user=user, actor=user, password_confirmed=True)
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                logout(request)
                return render(request, "storefront/pages/account_deleted.html")
    context = {"form": form, "has_password": user.has_usable_password()}
    return render(request, "storefront/pages/account_delete.html", context, status=status)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "storefront/pages/password_reset_form.html"
    email_template_name = "storefront/emails/password_reset_email.txt"
    subject_template_name = "storefront/emails/password_reset_subject.txt"
    success_url = reverse_lazy("storefront:password_reset_done")

    def form_valid(self, form):
        try:
            rate_limit(self.request, scope="email_send")
        except DomainError as exc:
            status = add_domain_error(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=status)
        return super().form_valid(form)

    @property
    def extra_email_context(self):
        # Links in emails use the configured address, never the request's Host header.
        return {"shop_name": settings.SHOP_NAME, "site_url": settings.SITE_URL.rstrip("/")}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "storefront/pages/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "storefront/pages/password_reset_confirm.html"
    form_class = ResetPasswordForm
    success_url = reverse_lazy("storefront:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "storefront/pages/password_reset_complete.html"

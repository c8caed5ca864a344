"""Back-office forms for users. They validate through the accounts services so
the admin shows the same errors as the storefront and the API."""

from django import forms
from django.contrib.auth.forms import AdminPasswordChangeForm

from boutique.core.errors import DomainError

from . import services
from .models import Role, User


def add_domain_errors(form: forms.Form, exc: DomainError) -> None:
    """Copy a DomainError onto a form: field errors where the field exists."""
    placed = False
    for field, messages in exc.field_errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, exc.detail)


class UserAddForm(forms.ModelForm):
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(
        label="Password confirmation", strip=False, widget=forms.PasswordInput
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CUSTOMER)

    class Meta:
        model = User
        fields = ("email", "phone", "username", "first_name", "last_name")

    def _post_clean(self):
        """No model validation here: the service validates the model on save."""

    def clean(self):
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords do not match.")
        try:
            values = services.user_validate_identifiers(
                email=data.get("email"), phone=data.get("phone"), username=data.get("username")
            )
            if not values["email"] and not values["phone"]:
                self.add_error("email", "Give an email address or a phone number.")
            probe = User(**values, first_name=data.get("first_name", ""))
            if data.get("password1"):
                services.user_validate_password(password=data["password1"], user=probe)
        except DomainError as exc:
            add_domain_errors(self, exc)
        return data


class UserChangeForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("email", "phone", "username", "first_name", "last_name", "groups")

    def _post_clean(self):
        """No model validation here: user_update_profile validates on save."""

    def clean(self):
        data = super().clean()
        try:
            services.user_validate_identifiers(
                email=data.get("email"),
                phone=data.get("phone"),
                username=data.get("username"),
                exclude_pk=self.instance.pk,
            )
        except DomainError as exc:
            add_domain_errors(self, exc)
        return data


class PasswordSetForm(AdminPasswordChangeForm):
    """Staff set a user's password through the audited service (the acting staff
    member is taken from the request by the audit log)."""

    def save(self, commit=True):
        if self.cleaned_data.get("set_usable_password", True) is False:
            return services.user_disable_password(user=self.user, actor=None)
        return services.user_set_password(
            user=self.user, password=self.cleaned_data["password1"], actor=None
        )

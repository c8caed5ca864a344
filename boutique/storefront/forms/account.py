"""Forms that parse the account pages' input. They never write: views hand the
cleaned data to one accounts service."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.validators import RegexValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from boutique.accounts import services

PHONE_HELP = _("With the country code, e.g. +961 3 123 456.")


def _password_input(autocomplete: str) -> forms.PasswordInput:
    return forms.PasswordInput(attrs={"autocomplete": autocomplete})


class RegisterForm(forms.Form):
    email = forms.EmailField(
        required=False,
        help_text=_("We send a link to confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        required=False,
        max_length=20,
        help_text=format_lazy("{} {}", _("An email or a phone number is enough."), PHONE_HELP),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    username = forms.CharField(
        required=False,
        max_length=150,
        help_text=_("You can sign in with it too."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    first_name = forms.CharField(
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    password = forms.CharField(
        strip=False,
        widget=_password_input("new-password"),
        help_text=_("At least 8 characters; not only digits, not a common password."),
    )
    password_confirm = forms.CharField(
        label=_("Confirm password"), strip=False, widget=_password_input("new-password")
    )

    def clean(self):
        cleaned = super().clean()
        password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", _("The two passwords do not match."))
        return cleaned


class SignInForm(forms.Form):
    login = forms.CharField(
        label=_("Email, username or phone"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(strip=False, widget=_password_input("current-password"))


class OtpPhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        help_text=PHONE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=6,
        validators=[RegexValidator(r"^\d{6}$", "Enter the 6 digits from the text message.")],
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": r"\d{6}",
                "autofocus": True,
            }
        ),
    )


class OtpSignInCodeForm(OtpCodeForm):
    """The code step of phone sign-in carries the phone the code was sent to."""

    phone = forms.CharField(max_length=20, widget=forms.HiddenInput)


class ProfileForm(forms.Form):
    first_name = forms.CharField(required=False, max_length=150)
    last_name = forms.CharField(required=False, max_length=150)
    email = forms.EmailField(
        required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(
        required=False,
        max_length=20,
        help_text=PHONE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    username = forms.CharField(
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    cart_reminders = forms.BooleanField(
        required=False,
        label=_("Email me once about things I leave in my cart"),
    )

    @classmethod
    def initial_for(cls, user) -> dict:
        initial = {name: getattr(user, name) or "" for name in cls.base_fields}
        initial["cart_reminders"] = bool(user.cart_reminders)
        return initial


class ResetPasswordForm(SetPasswordForm):
    """Django's reset form, but the new password is stored by the accounts
    service so it is validated and audited like every other change."""

    def save(self, commit=True):
        self.user = services.user_set_password(
            user=self.user, password=self.cleaned_data["new_password1"], actor=self.user
        )
        return self.user


class DeleteAccountForm(forms.Form):
    """The password again, to delete the account: checked by the accounts service."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=4096,
        widget=_password_input("current-password"),
    )

"""The back-in-stock subscription form (issue 13)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class StockAlertForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("Enter your email address.")},
    )

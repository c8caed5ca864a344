"""Forms for applying to sell and editing one's store. ModelForms only for their
labels and validation: views call the marketplace services, which save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from boutique.marketplace.models import Seller

LABELS = {
    "store_name": "Store name",
    "description": "About your store",
    "logo": "Logo",
    "contact_email": "Contact email",
    "contact_phone": "Contact phone",
    "payout_method": "How we pay you",
    "payout_account_name": "Account holder's name",
    "payout_account": "Account",
}


class SellerApplyForm(forms.ModelForm):
    class Meta:
        model = Seller
        fields = list(LABELS)
        labels = LABELS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("payout_account_name", "payout_account"):
            self.fields[name].required = True
        # The store keeps its logo when none is uploaded: no "clear" box.
        self.fields["logo"].widget = forms.FileInput(attrs={"accept": "image/*"})

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "logo"}


class SellerProfileForm(SellerApplyForm):
    """The same fields; the store's address (slug) stays as it was."""


class SellerCloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand my store closes for good and its products leave the shop.")
    )
    reason = forms.CharField(
        label=_("Why are you closing? (optional)"), required=False, max_length=500
    )

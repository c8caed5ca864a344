"""Forms for the address book and children profiles. ModelForms only for their
labels and validation: they are never saved, views call the accounts services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boutique.accounts.models import Address, Child
from boutique.accounts.services.addressbook import ADDRESS_FIELDS


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = list(ADDRESS_FIELDS)
        labels = {
            "type": "Use for",
            "line1": "Address",
            "line2": "Building, floor, apartment",
            "state": "State or region",
            "postal_code": "Postal code / PIN code",
            "is_default": "Make this my default address of this kind",
        }
        help_texts = {
            "postal_code": "",
            "country": "Two letters, e.g. LB, IN or FR.",
        }
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "state": forms.TextInput(attrs={"autocomplete": "address-level1"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "country": forms.TextInput(
                attrs={"autocomplete": "country", "size": 2, "maxlength": 2}
            ),
        }

    def clean_country(self):
        return (self.cleaned_data.get("country") or "").strip().upper()


class ChildForm(forms.ModelForm):
    class Meta:
        model = Child
        fields = [
            "name",
            "birth_date",
            "gender",
            "clothing_size",
            "shoe_size",
            "birthday_reminders",
        ]
        labels = {
            "name": _("Name"),
            "birth_date": _("Birthday"),
            "gender": _("Gender"),
            "clothing_size": _("Clothing size"),
            "shoe_size": _("Shoe size"),
            "birthday_reminders": _("Remind me by email two weeks before the big day"),
        }
        help_texts = {
            "clothing_size": _("Optional, e.g. 6-12 m or 2T. Leave empty to use our size chart."),
            "shoe_size": _("Optional, e.g. EU 21."),
            "birthday_reminders": _("One email a year, with the sizes that will fit next."),
        }
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].widget.attrs["max"] = timezone.localdate().isoformat()

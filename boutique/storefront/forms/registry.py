"""Forms of the registry pages (issue 13): the service checks every rule; the
forms only shape the input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from boutique.registry.models import MAX_WANTED, RevealBuyers, Visibility


class RegistryForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    event_date = forms.DateField(
        label=_("Event date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    message = forms.CharField(
        label=_("Message for friends"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visibility = forms.ChoiceField(
        label=_("Who can find it"), choices=Visibility.choices, widget=forms.RadioSelect
    )
    reveal_buyers = forms.ChoiceField(
        label=_("Show me who bought what"), choices=RevealBuyers.choices
    )
    address_id = forms.ChoiceField(
        label=_("Ship gifts to"),
        help_text=_("Friends never see this address."),
    )

    def __init__(self, *args, addresses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address_id"].choices = [(str(a.pk), str(a)) for a in addresses]


class WantedForm(forms.Form):
    wanted_quantity = forms.IntegerField(label=_("Wanted"), min_value=1, max_value=MAX_WANTED)


class AddToRegistryForm(forms.Form):
    registry_id = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    variant_id = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    quantity = forms.IntegerField(min_value=1, max_value=MAX_WANTED, required=False)


class GiftForm(forms.Form):
    quantity = forms.IntegerField(min_value=1, max_value=MAX_WANTED, required=False)

"""The checkout form and the guest order lookup. The form only parses what was
posted; checkout's services decide what is valid (an address, a method for the
country, a coupon) and their field errors are shown beside these fields."""

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from boutique.checkout.services import ADDRESS_FIELDS, MAX_LENGTHS, CheckoutInput
from boutique.orders.models import PaymentMethod

ADDRESS_LABELS = {
    "full_name": _("Full name"),
    "phone": _("Phone"),
    "line1": _("Address"),
    "line2": _("Apartment, floor"),
    "city": _("City"),
    "state": _("State or region"),
    "postal_code": _("Postal code"),
    "country": _("Country"),
}
ADDRESS_AUTOCOMPLETE = {
    "full_name": "name",
    "phone": "tel",
    "line1": "address-line1",
    "line2": "address-line2",
    "city": "address-level2",
    "state": "address-level1",
    "postal_code": "postal-code",
    "country": "country",
}
OPTIONAL_ADDRESS_FIELDS = ("phone", "line2", "state", "postal_code")
NEW_ADDRESS = "new"
PREFIXES = {"shipping_address": "ship", "billing_address": "bill"}


class _ServiceChecked:
    """Shown as required, but an empty value is not refused here: the checkout
    service decides (a saved address or the account's email can stand in) and
    its message appears beside the field."""

    def validate(self, value):
        return None


class RequiredByServiceChar(_ServiceChecked, forms.CharField):
    pass


class RequiredByServiceEmail(_ServiceChecked, forms.EmailField):
    pass


def _address_field(prefix: str, name: str) -> forms.CharField:
    section = "shipping" if prefix == "ship" else "billing"
    attrs = {"autocomplete": f"{section} {ADDRESS_AUTOCOMPLETE[name]}"}
    if name == "country":
        attrs.update(size=2, maxlength=2)
    if name == "phone":
        attrs["inputmode"] = "tel"
    field_class = forms.CharField if name in OPTIONAL_ADDRESS_FIELDS else RequiredByServiceChar
    return field_class(
        label=ADDRESS_LABELS[name],
        max_length=MAX_LENGTHS[name],
        required=name not in OPTIONAL_ADDRESS_FIELDS,
        widget=forms.TextInput(attrs=attrs),
        help_text=_("Two letters, e.g. LB or FR.") if name == "country" else "",
    )


class CheckoutForm(forms.Form):
    """Shipping address: a saved one (signed-in customers) or the ship_* fields.
    Billing: the same, or the bill_* fields."""

    # No HTML `required`: hidden fields (a saved address picked) must not block the post.
    use_required_attribute = False

    email = RequiredByServiceEmail(label=_("Email"), max_length=254)
    saved_address = forms.ChoiceField(label=_("Ship to"), required=False, widget=forms.RadioSelect)
    billing_same = forms.BooleanField(
        label=_("Billing address is the same as shipping"), required=False, initial=True
    )
    shipping_method = forms.CharField(required=False, max_length=20)
    coupon = forms.CharField(label=_("Coupon code"), required=False, max_length=40)
    currency = forms.ChoiceField(label=_("Pay in"))
    payment_method = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note for the shop"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
    # Registry gifts (issue 13): shown only when the cart holds some.
    ship_to_registry = forms.BooleanField(required=False)
    gift_message = forms.CharField(
        label=_("Gift message"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, signed_in=False, addresses=(), currencies=("USD",), **kwargs):
        super().__init__(*args, **kwargs)
        for prefix in PREFIXES.values():
            for name in ADDRESS_FIELDS:
                self.fields[f"{prefix}_{name}"] = _address_field(prefix, name)
        self.addresses = {str(a.pk): a for a in addresses}
        if signed_in:
            self.fields["email"].required = False
            self.fields["email"].help_text = "Empty: the email of your account."
            # Only the customer's own addresses are choices: any other id is refused.
            choices = [(pk, str(a)) for pk, a in self.addresses.items()]
            self.fields["saved_address"].choices = [*choices, (NEW_ADDRESS, "A new address")]
        else:
            del self.fields["saved_address"]
        self.fields["currency"].choices = [(code, code) for code in currencies]
        labels = dict(PaymentMethod.choices)
        self.fields["payment_method"].choices = [
            (code, labels.get(code, code)) for code in settings.CHECKOUT_PAYMENT_METHODS
        ]

    @staticmethod
    def new_token() -> str:
        return uuid.uuid4().hex

    @property
    def ship_fields(self):
        return [self[f"ship_{name}"] for name in ADDRESS_FIELDS]

    @property
    def bill_fields(self):
        return [self[f"bill_{name}"] for name in ADDRESS_FIELDS]

    def values(self) -> dict:
        """What the customer chose so far: cleaned values of the fields that are
        valid (a bound form) or the initial ones; "" for the rest."""
        if not self.is_bound:
            return {
                name: self.get_initial_for_field(field, name) or ""
                for name, field in self.fields.items()
            }
        self.is_valid()
        cleaned = self.cleaned_data
        values = {name: cleaned.get(name, "") for name in self.fields}
        values["billing_same"] = cleaned.get("billing_same", True)
        return values

    def field_for(self, service_field: str) -> str | None:
        """The form field a service's field error belongs to."""
        head, _, tail = service_field.partition(".")
        if head in PREFIXES:
            if not tail:
                return None
            name = f"{PREFIXES[head]}_{tail}"
        else:
            name = {"coupon": "coupon", "idempotency_key": "token"}.get(head, head)
        if name == "token":
            return None
        return name if name in self.fields else None


def address_dict(address) -> dict:
    return {name: getattr(address, name) or "" for name in ADDRESS_FIELDS}


def checkout_input(values: dict, *, saved=None) -> CheckoutInput:
    """The service's input from the form's values; `saved` is the saved address
    the customer picked (already checked to be theirs)."""
    if saved is not None:
        shipping = address_dict(saved)
    else:
        shipping = {name: values.get(f"ship_{name}", "") for name in ADDRESS_FIELDS}
    billing = None
    if not values.get("billing_same", True):
        billing = {name: values.get(f"bill_{name}", "") for name in ADDRESS_FIELDS}
    return CheckoutInput(
        email=values.get("email", ""),
        shipping_address=shipping,
        billing_address=billing,
        shipping_method_id=values.get("shipping_method") or None,
        coupon_code=values.get("coupon", ""),
        currency=values.get("currency") or "USD",
        payment_method=values.get("payment_method") or "",
        note=values.get("note", ""),
        ship_to_registry=bool(values.get("ship_to_registry")),
        gift_message=values.get("gift_message", ""),
    )


class OrderLookupForm(forms.Form):
    number = forms.CharField(
        label=_("Order number"),
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "BQ-2026-000123", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email used for the order"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_number(self):
        return self.cleaned_data["number"].strip().upper()

"""Back-office forms for orders and the reference data. They only parse and
validate input; the admin hands the cleaned values to the services."""

from decimal import Decimal

from django import forms

from boutique.core.errors import ValidationFailed
from boutique.core.money import BASE_CURRENCY, CURRENCY_CHOICES

from .models import ExchangeRate, OrderStatus, ShippingMethod, TaxRate
from .services_reference import countries_normalise


class OrderTransitionForm(forms.Form):
    """Any known status; whether the order may move there now is the state
    machine's call (orders.services), so a stale page gets its refusal."""

    target = forms.ChoiceField(choices=OrderStatus.choices)
    reason = forms.CharField(max_length=200, required=False, strip=True)


class ExchangeRateForm(forms.ModelForm):
    currency = forms.ChoiceField(
        choices=[(code, label) for code, label in CURRENCY_CHOICES if code != BASE_CURRENCY]
    )
    effective_from = forms.DateTimeField(
        required=False, help_text="Empty: from now. Placed orders keep the rate they used."
    )

    class Meta:
        model = ExchangeRate
        fields = ("currency", "rate", "effective_from")
        help_texts = {"rate": f"Units of the currency one {BASE_CURRENCY} buys, e.g. 89500."}


class TaxRateForm(forms.ModelForm):
    """Staff type a percentage; the model stores a fraction (11 % → 0.1100)."""

    percent = forms.DecimalField(
        label="Rate (%)",
        max_digits=6,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        help_text="e.g. 11 for 11 %. Countries without a rate use the default.",
    )

    class Meta:
        model = TaxRate
        fields = ("country", "name", "percent", "applies_to_shipping")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.rate is not None:
            self.initial.setdefault("percent", (self.instance.rate * 100).normalize())

    def clean_country(self):
        return (self.cleaned_data.get("country") or "").strip().upper()

    def clean(self):
        cleaned = super().clean()
        percent = cleaned.get("percent")
        cleaned["rate"] = None if percent is None else percent / Decimal(100)
        return cleaned


class ShippingMethodForm(forms.ModelForm):
    class Meta:
        model = ShippingMethod
        fields = (
            "name",
            "provider",
            "price",
            "currency",
            "free_over",
            "countries",
            "eta_min_days",
            "eta_max_days",
            "is_active",
            "position",
        )

    def clean_countries(self):
        try:
            return countries_normalise(self.cleaned_data.get("countries"))
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.field_errors["countries"]) from exc

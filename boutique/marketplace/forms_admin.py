"""The back office's small forms: a reason, a commission rate, a period, a reference."""

from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone

RATE = {
    "max_digits": 5,
    "decimal_places": 4,
    "min_value": Decimal(0),
    "max_value": Decimal(1),
}


class ConfirmForm(forms.Form):
    """Nothing to fill in: the button confirms."""


class ApproveForm(forms.Form):
    commission_rate = forms.DecimalField(
        required=False,
        help_text="The shop's share of each sale, 0–1 (0.15 = 15 %). Empty: the default.",
        **RATE,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class CommissionForm(forms.Form):
    commission_rate = forms.DecimalField(
        required=False, help_text="0–1 (0.15 = 15 %). Empty: the shop's default.", **RATE
    )


def previous_week(today: date | None = None) -> tuple[date, date]:
    """Monday to Sunday of the calendar week before the one `today` is in."""
    today = today or timezone.localdate()
    start = today - timedelta(days=today.weekday() + 7)
    return start, start + timedelta(days=6)


class PeriodForm(forms.Form):
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        start, end = previous_week()
        self.fields["period_start"].initial = start
        self.fields["period_end"].initial = end


class MarkPaidForm(forms.Form):
    reference = forms.CharField(
        max_length=100, help_text="The bank transfer's or wallet payment's reference."
    )

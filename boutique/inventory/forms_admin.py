"""Forms of the stock back office: what a person types is checked here; the
rules about stock (never below zero, never below held units, a reason for every
adjustment) stay in the inventory services, whose refusals come back as messages."""

from django import forms
from django.core.exceptions import ValidationError

from .models import Stock

# One delivery or correction larger than this is a typo, and it keeps on_hand
# far inside the database's integer column.
MAX_MOVE = 1_000_000
MAX_ON_HAND = 2**31 - 1


class StockThresholdForm(forms.ModelForm):
    """The only editable field of a stock row: on_hand changes by movements."""

    low_stock_threshold = forms.IntegerField(
        min_value=0,
        max_value=MAX_MOVE,
        help_text="The variant counts as low on stock when its available units are at or "
        "below this number.",
    )

    class Meta:
        model = Stock
        fields = ("low_stock_threshold",)


class _StockMoveForm(forms.Form):
    def __init__(self, *args, stocks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stocks = list(stocks)

    def _check_room(self, quantity: int) -> None:
        fullest = max((s.on_hand for s in self.stocks), default=0)
        if quantity > 0 and fullest + quantity > MAX_ON_HAND:
            raise ValidationError(f"That would put more than {MAX_ON_HAND} units on hand.")


class StockReceiveForm(_StockMoveForm):
    quantity = forms.IntegerField(
        min_value=1,
        max_value=MAX_MOVE,
        help_text="Units received, added to each selected variant.",
    )
    note = forms.CharField(
        max_length=255,
        required=False,
        help_text="Delivery note, supplier or purchase order (optional).",
    )

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        self._check_room(quantity)
        return quantity


class StockAdjustForm(_StockMoveForm):
    quantity = forms.IntegerField(
        min_value=-MAX_MOVE,
        max_value=MAX_MOVE,
        help_text="Signed: +2 adds two units, -3 removes three (from each selected variant).",
    )
    reason = forms.CharField(
        max_length=255,
        help_text="Why the count changes: stocktake, damaged, lost… (required, kept in the "
        "ledger).",
    )

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity == 0:
            raise ValidationError("An adjustment of 0 changes nothing: give + or - units.")
        self._check_room(quantity)
        return quantity

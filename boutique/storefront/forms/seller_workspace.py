"""Forms of the seller workspace. They parse and label input only: every write
goes through boutique.marketplace.services.workspace, which checks ownership and
that the store is open."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boutique.catalog.models import Brand, Category, ProductStatus
from boutique.shipping.models import ShippingProvider

MAX_REPORT_DAYS = 366


class ProductForm(forms.Form):
    name = forms.CharField(max_length=200)
    category = forms.ModelChoiceField(queryset=Category.objects.order_by("name"))
    brand = forms.ModelChoiceField(queryset=Brand.objects.order_by("name"), required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    age_min_months = forms.IntegerField(
        label=_("From age (months)"), min_value=0, max_value=300, required=False
    )
    age_max_months = forms.IntegerField(
        label=_("To age (months)"), min_value=0, max_value=300, required=False
    )
    status = forms.ChoiceField(
        choices=ProductStatus.choices,
        initial=ProductStatus.DRAFT,
        help_text=_("Drafts and archived products are not shown in the shop."),
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("age_min_months"), data.get("age_max_months")
        if low is not None and high is not None and low > high:
            self.add_error("age_max_months", _("The age range ends before it starts."))
        return data


class VariantForm(forms.Form):
    sku = forms.CharField(label=_("SKU"), max_length=64)
    size = forms.CharField(max_length=40, required=False)
    color = forms.CharField(label=_("Colour"), max_length=40, required=False)
    price = forms.DecimalField(label=_("Price (USD)"), max_digits=12, decimal_places=2, min_value=0)
    compare_at_price = forms.DecimalField(
        label=_("Was (USD)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    is_active = forms.BooleanField(label=_("On sale in the shop"), required=False, initial=True)


class NewVariantForm(VariantForm):
    stock = forms.IntegerField(label=_("Units in stock"), min_value=0, initial=0, required=False)


class ProductCreateForm(ProductForm):
    """A product and its first variant, with its initial stock."""

    sku = forms.CharField(label=_("SKU"), max_length=64)
    size = forms.CharField(max_length=40, required=False)
    color = forms.CharField(label=_("Colour"), max_length=40, required=False)
    price = forms.DecimalField(label=_("Price (USD)"), max_digits=12, decimal_places=2, min_value=0)
    stock = forms.IntegerField(label=_("Units in stock"), min_value=0, initial=0, required=False)

    PRODUCT = ("name", "category", "brand", "description", "age_min_months", "age_max_months")
    VARIANT = ("sku", "size", "color", "price", "stock")

    def product_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in (*self.PRODUCT, "status")}
        return data

    def variant(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.VARIANT}
        if not data["stock"]:
            data.pop("stock")
        return data


class StockForm(forms.Form):
    RECEIVE, ADJUST = "receive", "adjust"
    action = forms.ChoiceField(
        choices=[(RECEIVE, "Receive units"), (ADJUST, "Correct the count")],
        widget=forms.RadioSelect,
        initial=RECEIVE,
    )
    quantity = forms.IntegerField(
        help_text=_("Receiving: units that arrived. Correcting: + or − units (e.g. -2 for damage).")
    )
    reason = forms.CharField(
        max_length=255,
        required=False,
        help_text=_("Required when correcting (stocktake, damage…)."),
    )

    def clean(self):
        data = super().clean()
        quantity = data.get("quantity")
        if quantity == 0:
            self.add_error("quantity", _("Enter a number of units other than 0."))
        if data.get("action") == self.ADJUST and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the count changes."))
        if data.get("action") == self.RECEIVE and quantity is not None and quantity < 0:
            self.add_error("quantity", _("Receive a positive number; correct the count to remove."))
        return data


class ImageForm(forms.Form):
    image = forms.ImageField(help_text=_("JPEG, PNG, WebP or GIF, up to 8 MB."))
    alt_text = forms.CharField(
        label=_("Description"), max_length=200, required=False, help_text=_("For screen readers.")
    )
    is_primary = forms.BooleanField(label=_("Main picture"), required=False)


class ShipmentForm(forms.Form):
    """A parcel for some of the seller's items of one order: one quantity field
    per item still to ship (`ship_<order item id>`)."""

    provider = forms.ModelChoiceField(
        label=_("Carrier"), queryset=ShippingProvider.objects.filter(is_active=True)
    )
    tracking_number = forms.CharField(max_length=100, required=False)
    estimated_delivery = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            left = item.quantity - item.shipped_quantity
            self.fields[f"ship_{item.pk}"] = forms.IntegerField(
                label=f"{item.product_name} ({item.sku})",
                min_value=0,
                max_value=left,
                initial=left,
            )

    def item_fields(self):
        return [self[f"ship_{item.pk}"] for item in self.items]

    def pairs(self) -> list[tuple[int, int]]:
        return [
            (item.pk, self.cleaned_data[f"ship_{item.pk}"])
            for item in self.items
            if self.cleaned_data.get(f"ship_{item.pk}")
        ]


class PeriodForm(forms.Form):
    """The sales report's period; the last 30 days unless chosen."""

    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    @staticmethod
    def default_period():
        end = timezone.localdate()
        return end - timedelta(days=29), end

    def clean(self):
        data = super().clean()
        start, end = self.default_period()
        start, end = data.get("start") or start, data.get("end") or end
        if start > end:
            raise forms.ValidationError(_("The period ends before it starts."))
        if (end - start).days >= MAX_REPORT_DAYS:
            raise forms.ValidationError(f"Choose at most {MAX_REPORT_DAYS} days.")
        data["start"], data["end"] = start, end
        return data

    def period(self):
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self.default_period()

"""Back office for the reference data checkout prices with. Every save goes
through a service (validated, audited with the staff member as actor):
exchange rates through `exchange_rate_set`, tax rates and shipping methods
through services_reference. Rates are history: a new rate is a new row, none is
edited or deleted, and placed orders keep the rate they used.
"""

from django.contrib import admin, messages
from django.db.models import BooleanField, Case, OuterRef, Q, Subquery, Value, When
from django.http import HttpResponseRedirect
from django.utils import timezone

from boutique.core.errors import DomainError
from boutique.core.money import BASE_CURRENCY, format_money

from . import services, services_reference
from .forms_admin import ExchangeRateForm, ShippingMethodForm, TaxRateForm
from .models import ExchangeRate, ShippingMethod, TaxRate


def _error_text(exc: DomainError) -> str:
    fields = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.field_errors.items())
    return f"{exc.detail} {fields}".strip()


def _adopt(obj, saved) -> None:
    """Django's add/change view goes on with `obj` (log entry, redirect): give
    it what the service wrote."""
    obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
    obj._state.adding = False
    obj._state.db = saved._state.db


class ServiceAdmin(admin.ModelAdmin):
    """Shows a service's refusal as a message instead of a server error; the
    view's transaction has rolled back by then."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, f"Nothing was saved: {_error_text(exc)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


# --- Exchange rates -------------------------------------------------------------------------
@admin.register(ExchangeRate)
class ExchangeRateAdmin(ServiceAdmin):
    form = ExchangeRateForm
    list_display = ("currency", "rate_display", "effective_from", "in_effect", "created_by")
    list_filter = ("currency",)
    list_select_related = ("created_by",)
    ordering = ("currency", "-effective_from")
    readonly_fields = ("created_by", "created_at")

    def get_queryset(self, request):
        newest = (
            ExchangeRate.objects.filter(
                currency=OuterRef("currency"), effective_from__lte=timezone.now()
            )
            .order_by("-effective_from", "-id")
            .values("pk")[:1]
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                current=Case(
                    When(Q(pk=Subquery(newest)), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("currency", "rate", "effective_from")
        return ("currency", "rate", "effective_from", "created_by", "created_at")

    def has_change_permission(self, request, obj=None):
        return False  # history: a new rate is a new row

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=f"Units per {BASE_CURRENCY}", ordering="rate")
    def rate_display(self, obj):
        return f"{obj.rate.normalize():,f} {obj.currency}"

    @admin.display(description="In effect now", boolean=True, ordering="current")
    def in_effect(self, obj):
        return obj.current

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.exchange_rate_set(
            currency=data["currency"],
            rate=data["rate"],
            effective_from=data.get("effective_from"),
            actor=request.user,
        )
        _adopt(obj, saved)


# --- Tax rates --------------------------------------------------------------------------------
@admin.register(TaxRate)
class TaxRateAdmin(ServiceAdmin):
    form = TaxRateForm
    list_display = ("country", "name", "rate_percent", "applies_to_shipping", "updated_at")
    list_filter = ("applies_to_shipping",)
    search_fields = ("country", "name")
    ordering = ("country",)

    @admin.display(description="Rate", ordering="rate")
    def rate_percent(self, obj):
        return f"{obj.rate * 100:.2f} %"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {
            "country": data["country"],
            "name": data["name"],
            "rate": data["rate"],
            "applies_to_shipping": data["applies_to_shipping"],
        }
        saved = services_reference.tax_rate_save(
            tax_rate=obj if change else None, actor=request.user, **fields
        )
        _adopt(obj, saved)

    def delete_model(self, request, obj):
        services_reference.tax_rate_delete(tax_rate=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for tax_rate in queryset.order_by("pk"):
            services_reference.tax_rate_delete(tax_rate=tax_rate, actor=request.user)


# --- Shipping methods ---------------------------------------------------------------------
@admin.register(ShippingMethod)
class ShippingMethodAdmin(ServiceAdmin):
    form = ShippingMethodForm
    list_display = (
        "name",
        "provider",
        "price_display",
        "free_over_display",
        "countries_display",
        "eta",
        "is_active",
        "position",
    )
    list_filter = ("is_active", "currency")
    search_fields = ("name", "provider", "countries")
    ordering = ("position", "price", "id")

    def has_delete_permission(self, request, obj=None):
        return False  # untick Active instead: orders and checkouts refer to methods

    @admin.display(description="Price", ordering="price")
    def price_display(self, obj):
        return format_money(obj.price, obj.currency)

    @admin.display(description="Free over")
    def free_over_display(self, obj):
        return "—" if obj.free_over is None else format_money(obj.free_over, obj.currency)

    @admin.display(description="Countries")
    def countries_display(self, obj):
        return ", ".join(obj.country_list) or "All countries"

    @admin.display(description="ETA")
    def eta(self, obj):
        return f"{obj.eta_min_days}–{obj.eta_max_days} days"

    def save_model(self, request, obj, form, change):
        names = services_reference.SHIPPING_METHOD_FIELDS
        fields = {name: form.cleaned_data[name] for name in names}
        saved = services_reference.shipping_method_save(
            method=obj if change else None, actor=request.user, **fields
        )
        _adopt(obj, saved)

"""Back office for coupons: adds and edits go through the promotions services
(validated and audited); uses are read-only history."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.formats import date_format

from boutique.core.errors import DomainError
from boutique.core.money import format_money

from . import services
from .models import Coupon, CouponRedemption
from .selectors import normalise_code


def _error_text(exc: DomainError) -> str:
    parts = [f"{field}: {' '.join(msgs)}" for field, msgs in exc.field_errors.items()]
    return "; ".join(parts) or exc.detail


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y")


class CouponForm(forms.ModelForm):
    class Meta:
        model = Coupon
        fields = services.COUPON_FIELDS

    def clean_code(self):
        # The same normalisation as the service, before the uniqueness check.
        return normalise_code(self.cleaned_data.get("code"))


class RedemptionInline(admin.TabularInline):
    model = CouponRedemption
    extra = 0
    can_delete = False
    show_change_link = False
    fields = readonly_fields = ("order_id", "customer", "amount_paid", "at", "returned_at")
    verbose_name = "use"
    verbose_name_plural = "uses"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Customer")
    def customer(self, obj):
        return obj.user.email if obj.user_id and obj.user.email else obj.email

    @admin.display(description="Amount")
    def amount_paid(self, obj):
        return format_money(obj.amount, obj.currency)


class CouponStatusFilter(admin.SimpleListFilter):
    """Expired is derived from the end date, never stored."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("current", "Current"),
            ("scheduled", "Not started"),
            ("expired", "Expired"),
            ("disabled", "Disabled"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "current":
            return (
                queryset.filter(is_active=True).exclude(starts_at__gt=now).exclude(ends_at__lte=now)
            )
        if self.value() == "scheduled":
            return queryset.filter(is_active=True, starts_at__gt=now)
        if self.value() == "expired":
            return queryset.filter(ends_at__lte=now)
        if self.value() == "disabled":
            return queryset.filter(is_active=False)
        return queryset


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    form = CouponForm
    list_display = (
        "code",
        "kind",
        "value_label",
        "is_active",
        "window",
        "uses",
        "first_order_only",
        "assigned_to",
        "is_automatic",
    )
    list_filter = (
        CouponStatusFilter,
        "kind",
        "is_active",
        "is_automatic",
        "first_order_only",
        "currency",
    )
    list_select_related = ("assigned_to",)
    search_fields = ("code",)
    autocomplete_fields = ("assigned_to",)
    readonly_fields = ("times_used", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "description", "is_active")}),
        ("Discount", {"fields": ("kind", "value", "currency", "min_order_amount")}),
        ("When", {"fields": ("starts_at", "ends_at")}),
        (
            "Who and how often",
            {
                "fields": (
                    "max_uses",
                    "max_uses_per_customer",
                    "first_order_only",
                    "assigned_to",
                    "is_automatic",
                    "times_used",
                )
            },
        ),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )
    inlines = (RedemptionInline,)
    actions = ("disable_coupons",)

    def has_delete_permission(self, request, obj=None):
        return False  # disable instead: uses keep pointing at the coupon

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []

    @admin.display(description="Value")
    def value_label(self, obj):
        return obj.value_label

    @admin.display(description="Window")
    def window(self, obj):
        if obj.starts_at is None and obj.ends_at is None:
            return "Always"
        start = _day(obj.starts_at) if obj.starts_at else "…"
        end = _day(obj.ends_at) if obj.ends_at else "…"
        label = f"{start} – {end}"
        return f"{label} (expired)" if obj.is_expired else label

    @admin.display(description="Used / max", ordering="times_used")
    def uses(self, obj):
        return f"{obj.times_used} / {obj.max_uses if obj.max_uses is not None else '∞'}"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, f"Nothing was saved: {_error_text(exc)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            fields = {name: data[name] for name in form.changed_data if name in data}
            saved = services.coupon_update(
                coupon=Coupon.objects.get(pk=obj.pk), actor=request.user, **fields
            )
        else:
            fields = {name: data[name] for name in services.COUPON_FIELDS if name in data}
            saved = services.coupon_create(actor=request.user, **fields)
        obj.__dict__.update(saved.__dict__)

    @admin.action(description="Disable selected coupons", permissions=["change"])
    def disable_coupons(self, request, queryset):
        count = 0
        for coupon in queryset.filter(is_active=True).order_by("pk"):
            services.coupon_update(coupon=coupon, actor=request.user, is_active=False)
            count += 1
        self.message_user(request, f"{count} coupon(s) disabled.", messages.SUCCESS)


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(admin.ModelAdmin):
    list_display = ("order_id", "coupon", "customer", "amount_paid", "at", "returned_at")
    list_filter = (("returned_at", admin.EmptyFieldListFilter), "currency")
    list_select_related = ("coupon", "user")
    search_fields = ("order_id", "email", "coupon__code")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Customer")
    def customer(self, obj):
        return obj.user.email if obj.user_id and obj.user.email else obj.email

    @admin.display(description="Amount", ordering="amount")
    def amount_paid(self, obj):
        return format_money(obj.amount, obj.currency)

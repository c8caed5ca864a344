"""The marketplace's back office. Sellers apply from the storefront; staff approve,
reject, suspend and reactivate them and set their commission here; payouts are
generated for a period and marked paid with a reference. Every button and action
calls a marketplace service (which audits and notifies); nothing is edited in
place."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from boutique.core.admin import ReadOnlyAdmin
from boutique.core.errors import DomainError

from .forms_admin import (
    ApproveForm,
    CommissionForm,
    ConfirmForm,
    MarkPaidForm,
    PeriodForm,
    ReasonForm,
)
from .models import Payout, PayoutItem, PayoutRefund, Seller, SellerStatus
from .services import onboarding, payouts

FORM_TEMPLATE = "admin/marketplace/form.html"


def _error_text(exc: DomainError) -> str:
    details = [m for messages_ in exc.field_errors.values() for m in messages_]
    return " ".join([exc.detail, *details]) if details else exc.detail


class MarketplaceAdminMixin:
    """Custom views and actions need the model's change permission (view-only
    staff see the lists and details but change nothing)."""

    def has_manage_permission(self, request) -> bool:
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    def _form_view(self, request, *, form, title, obj=None, submit="Save", intro=""):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "original": obj,
            "submit_label": submit,
            "intro": intro,
        }
        return TemplateResponse(request, FORM_TEMPLATE, context, status=422 if form.errors else 200)


# --- Sellers ---------------------------------------------------------------------------------
# change name → (service, form class or None, button label)
SELLER_CHANGES = {
    "approve": (onboarding.seller_approve, ApproveForm, "Approve"),
    "reject": (onboarding.seller_reject, ReasonForm, "Reject"),
    "suspend": (onboarding.seller_suspend, ReasonForm, "Suspend"),
    "reactivate": (onboarding.seller_reactivate, None, "Reactivate"),
}


@admin.register(Seller)
class SellerAdmin(MarketplaceAdminMixin, ReadOnlyAdmin):
    list_display = ("store_name", "owner", "status", "commission_rate", "created_at")
    list_filter = ("status",)
    search_fields = ("store_name", "slug", "owner__email")
    list_select_related = ("owner",)
    actions = ("approve_selected", "reactivate_selected")
    readonly_fields = [
        "store_name",
        "slug",
        "owner",
        "status",
        "status_reason",
        "description",
        "logo",
        "contact_email",
        "contact_phone",
        "payout_method",
        "payout_account_name",
        "payout_account",
        "commission_rate",
        "approved_by",
        "approved_at",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields

    def get_ordering(self, request):
        # Pending applications first, then the newest (an expression: the
        # changelist, the filters and the related fields all order by it).
        pending_first = Case(
            When(status=SellerStatus.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [pending_first.asc(), "-created_at"]

    def get_urls(self):
        view = self.admin_site.admin_view
        urls = [
            path(
                f"<path:object_id>/{change}/",
                view(self.change_view_for(change)),
                name=f"marketplace_seller_{change}",
            )
            for change in SELLER_CHANGES
        ]
        urls.append(
            path(
                "<path:object_id>/commission/",
                view(self.commission_view),
                name="marketplace_seller_commission",
            )
        )
        return urls + super().get_urls()

    def _seller(self, request, object_id) -> Seller:
        if not self.has_manage_permission(request):
            raise PermissionDenied
        return get_object_or_404(Seller, pk=object_id)

    def _back(self, seller):
        return HttpResponseRedirect(reverse("admin:marketplace_seller_change", args=[seller.pk]))

    def change_view_for(self, change: str):
        service, form_class, label = SELLER_CHANGES[change]

        def seller_change_view(request, object_id):
            seller = self._seller(request, object_id)
            data = request.POST if request.method == "POST" else None
            form = form_class(data) if form_class else None
            if request.method == "POST" and (form is None or form.is_valid()):
                values = dict(form.cleaned_data) if form else {}
                if change == "approve" and values.get("commission_rate") is None:
                    values.pop("commission_rate", None)
                try:
                    service(seller=seller, actor=request.user, **values)
                except DomainError as exc:
                    self.message_user(request, _error_text(exc), messages.ERROR)
                else:
                    self.message_user(request, f"{seller.store_name}: {label.lower()}d.")
                return self._back(seller)
            return self._form_view(
                request,
                form=form or ConfirmForm(),
                title=f"{label} {seller.store_name}",
                obj=seller,
                submit=label,
            )

        return seller_change_view

    def commission_view(self, request, object_id):
        seller = self._seller(request, object_id)
        if request.method == "POST":
            form = CommissionForm(request.POST)
            if form.is_valid():
                try:
                    onboarding.seller_set_commission(
                        seller=seller, rate=form.cleaned_data["commission_rate"], actor=request.user
                    )
                except DomainError as exc:
                    self.message_user(request, _error_text(exc), messages.ERROR)
                else:
                    self.message_user(request, f"{seller.store_name}: commission rate set.")
                return self._back(seller)
        else:
            form = CommissionForm(initial={"commission_rate": seller.commission_rate})
        return self._form_view(
            request, form=form, title=f"Commission rate of {seller.store_name}", obj=seller
        )

    def _bulk(self, request, queryset, service, done: str):
        changed = 0
        for seller in queryset.order_by("pk"):
            try:
                service(seller=seller, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{seller.store_name}: {exc.detail}", messages.WARNING)
            else:
                changed += 1
        self.message_user(request, f"{changed} store(s) {done}.")

    @admin.action(description="Approve the selected applications (default commission)")
    def approve_selected(self, request, queryset):
        self._bulk(request, queryset, onboarding.seller_approve, "approved")

    approve_selected.allowed_permissions = ("manage",)

    @admin.action(description="Reactivate the selected suspended stores")
    def reactivate_selected(self, request, queryset):
        self._bulk(request, queryset, onboarding.seller_reactivate, "reactivated")

    reactivate_selected.allowed_permissions = ("manage",)


# --- Payouts ---------------------------------------------------------------------------------
class PayoutItemInline(admin.TabularInline):
    model = PayoutItem
    fields = ("order_item", "order_number", "gross_amount", "commission_rate", "commission_amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_item__order")

    @admin.display(description="Order")
    def order_number(self, obj):
        return obj.order_item.order.number

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PayoutRefundInline(admin.TabularInline):
    model = PayoutRefund
    fields = ("refund", "order_item", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Payout)
class PayoutAdmin(MarketplaceAdminMixin, ReadOnlyAdmin):
    list_display = (
        "id",
        "seller",
        "period_start",
        "period_end",
        "gross_amount",
        "commission_amount",
        "refunds_amount",
        "net_amount",
        "currency",
        "status",
        "reference",
    )
    list_filter = ("status",)
    list_select_related = ("seller",)
    search_fields = ("seller__store_name", "reference")
    date_hierarchy = "period_end"
    inlines = (PayoutItemInline, PayoutRefundInline)
    change_list_template = "admin/marketplace/payout/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("generate/", view(self.generate_view), name="marketplace_payout_generate"),
            path(
                "<path:object_id>/mark-paid/",
                view(self.mark_paid_view),
                name="marketplace_payout_mark_paid",
            ),
            *super().get_urls(),
        ]

    def generate_view(self, request):
        if not self.has_manage_permission(request):
            raise PermissionDenied
        form = PeriodForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                made = payouts.payouts_generate(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                self.message_user(request, _error_text(exc), messages.ERROR)
            else:
                total = len(made)
                self.message_user(request, f"{total} payout(s) generated.")
                return HttpResponseRedirect(reverse("admin:marketplace_payout_changelist"))
        return self._form_view(
            request,
            form=form,
            title="Generate payouts",
            submit="Generate",
            intro="One payout per seller with items delivered in the period (or refunds to "
            "deduct) that no payout holds yet. The period must be over.",
        )

    def mark_paid_view(self, request, object_id):
        if not self.has_manage_permission(request):
            raise PermissionDenied
        payout = get_object_or_404(Payout, pk=object_id)
        form = MarkPaidForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                payouts.payout_mark_paid(
                    payout=payout, reference=form.cleaned_data["reference"], actor=request.user
                )
            except DomainError as exc:
                self.message_user(request, _error_text(exc), messages.ERROR)
            else:
                self.message_user(request, f"Payout {payout.pk} marked paid.")
            return HttpResponseRedirect(
                reverse("admin:marketplace_payout_change", args=[payout.pk])
            )
        return self._form_view(
            request,
            form=form,
            title=f"Mark payout {payout.pk} paid ({payout.net_amount} {payout.currency})",
            obj=payout,
            submit="Mark paid",
        )


# --- Orders (used by the order admin) ---------------------------------------------------------
class ItemSellerStatusFilter(admin.SimpleListFilter):
    """Orders holding items of sellers in a given status: "suspended" finds the
    open order items staff must see to (the store can no longer sell)."""

    title = "seller status"
    parameter_name = "seller_status"

    def lookups(self, request, model_admin):
        return [(s.value, s.label) for s in SellerStatus if s != SellerStatus.PENDING]

    def queryset(self, request, queryset):
        if self.value() in SellerStatus.values:
            return queryset.filter(items__seller__status=self.value()).distinct()
        return queryset

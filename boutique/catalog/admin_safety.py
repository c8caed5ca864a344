"""Back office for issue 13's safety data: materials and certifications (a
controlled list staff edit), and recalls, issued from their add form through
catalog.safety.recall_issue. An issued recall is not edited or deleted (the
buyers were told what it says); staff can send the notices again, which tells
only the buyers not told yet."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count

from . import safety
from .admin import ServiceAdmin, SimpleEntryAdmin
from .models import Certification, Material, Recall


class SafetyEntryAdmin(SimpleEntryAdmin):
    """Materials and certifications: deleted only while no product uses them."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = admin.ModelAdmin.get_deleted_objects(
            self, objs, request
        )
        refusals = [safety.safety_entry_delete_refusal(obj) for obj in objs]
        return deleted, counts, perms_needed, [*protected, *filter(None, refusals)]

    def delete_model(self, request, obj):
        safety.safety_entry_delete(entry=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset.order_by("pk"):
            safety.safety_entry_delete(entry=obj, actor=request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description="Products", ordering="product_count")
    def product_count(self, obj):
        return obj.product_count


@admin.register(Material)
class MaterialAdmin(SafetyEntryAdmin):
    list_display = ("name", "slug", "product_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    create, update = safety.material_create, safety.material_update
    entry_arg, allowed = "material", safety.MATERIAL_FIELDS


@admin.register(Certification)
class CertificationAdmin(SafetyEntryAdmin):
    list_display = ("code", "name", "slug", "product_count")
    search_fields = ("code", "name", "slug")
    prepopulated_fields = {"slug": ("code",)}
    create, update = safety.certification_create, safety.certification_update
    entry_arg, allowed = "certification", safety.CERTIFICATION_FIELDS


class RecallForm(forms.ModelForm):
    class Meta:
        model = Recall
        fields = ("product", "variant", "title", "description", "remedy")

    def clean(self):
        data = super().clean()
        product, variant = data.get("product"), data.get("variant")
        if product is not None and variant is not None and variant.product_id != product.pk:
            self.add_error("variant", "Choose an option of the recalled product.")
        return data


@admin.register(Recall)
class RecallAdmin(ServiceAdmin):
    form = RecallForm
    list_display = ("title", "product", "variant", "issued_at", "issued_by", "buyers_told")
    list_select_related = ("product", "variant__product", "issued_by")
    search_fields = ("title", "product__name", "variant__sku")
    autocomplete_fields = ("product",)
    raw_id_fields = ("variant",)
    date_hierarchy = "issued_at"
    actions = ("send_notices_again",)
    readonly_fields = ("issued_at", "issued_by", "notified_at", "buyers_told")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(notice_count=Count("notices"))

    def get_fields(self, request, obj=None):
        if obj is None:
            return RecallForm.Meta.fields
        return (*RecallForm.Meta.fields, *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        # An issued recall reads as it was sent.
        return self.get_fields(request, obj) if obj is not None else ()

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Buyers told", ordering="notice_count")
    def buyers_told(self, obj):
        return getattr(obj, "notice_count", None) or obj.notices.count()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        recall = safety.recall_issue(
            product=data["product"],
            variant=data.get("variant"),
            title=data["title"],
            description=data["description"],
            remedy=data["remedy"],
            actor=request.user,
        )
        obj.__dict__.update(recall.__dict__)

    def save_related(self, request, form, formsets, change):
        """A recall has no related rows to save from the form."""

    @admin.action(description="Send the recall notice to buyers not told yet")
    def send_notices_again(self, request, queryset):
        told = sum(
            safety.recall_notify_buyers(recall_id=pk)
            for pk in queryset.order_by("pk").values_list("pk", flat=True)
        )
        self.message_user(request, f"{told} buyer(s) told now.", messages.SUCCESS)

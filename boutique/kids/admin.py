"""The size chart in the back office. The form refuses overlapping bands and
bands that end before they start; saving and deleting go through the services
(which check again under the kind's row locks, and audit)."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from boutique.core.errors import DomainError

from . import selectors, services
from .domain import Band, bands_overlap
from .models import BirthdayReminder, SizeBand


class SizeBandForm(forms.ModelForm):
    class Meta:
        model = SizeBand
        fields = list(services.SIZE_BAND_FIELDS)

    def clean(self):
        data = super().clean()
        kind, start, end = data.get("kind"), data.get("from_months"), data.get("to_months")
        if kind is None or start is None or end is None:
            return data
        if start >= end:
            self.add_error("to_months", _("Must be after the first month."))
            return data
        new = Band(start, end, data.get("label", ""))
        for other in selectors.size_bands(kind=kind, exclude_id=self.instance.pk):
            if bands_overlap(new, other):
                self.add_error(
                    "from_months",
                    _("Ages %(a)s–%(b)s months overlap “%(label)s” (%(c)s–%(d)s months).")
                    % {
                        "a": start,
                        "b": end,
                        "label": other.label,
                        "c": other.from_months,
                        "d": other.to_months,
                    },
                )
                break
        return data


@admin.register(SizeBand)
class SizeBandAdmin(admin.ModelAdmin):
    form = SizeBandForm
    list_display = ("label", "kind", "from_months", "to_months", "position")
    list_filter = ("kind",)
    ordering = ("kind", "from_months")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, f"Nothing was saved: {exc.detail}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        fields = {k: form.cleaned_data[k] for k in services.SIZE_BAND_FIELDS}
        if change:
            saved = services.size_band_update(band=obj, actor=request.user, **fields)
        else:
            saved = services.size_band_create(actor=request.user, **fields)
        obj.__dict__.update(saved.__dict__)

    def delete_model(self, request, obj):
        services.size_band_delete(band=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for band in queryset.order_by("pk"):
            services.size_band_delete(band=band, actor=request.user)


@admin.register(BirthdayReminder)
class BirthdayReminderAdmin(admin.ModelAdmin):
    """What the birthday job sent: read only (the rows keep it from sending twice)."""

    list_display = ("child", "birthday", "created_at")
    date_hierarchy = "birthday"
    list_select_related = ("child",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

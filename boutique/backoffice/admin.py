"""Social links through their services, and the dashboard on the admin index
(the index template adds {% backoffice_dashboard %} above the app list)."""

from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponseRedirect
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from boutique.core.errors import DomainError

from . import services
from .icons import icon_for
from .models import SocialLink

admin.site.index_template = "admin/backoffice/index.html"


@admin.register(SocialLink)
class SocialLinkAdmin(admin.ModelAdmin):
    list_display = ("platform", "preview", "label", "url", "position", "is_active")
    list_display_links = ("platform",)
    list_editable = ("position", "is_active")
    list_filter = ("platform", "is_active")
    search_fields = ("label", "url")
    fields = ("platform", "url", "label", "icon", "position", "is_active")
    # An address typed without a scheme becomes https:// (the model accepts nothing else).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description="Icon")
    def preview(self, obj):
        # The markup is one of boutique.backoffice.icons' constants, never input.
        return format_html(
            '<svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">{}</svg>',
            mark_safe(icon_for(obj.icon, obj.platform)),  # noqa: S308,
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, f"Nothing was saved: {exc.detail}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        allowed = services.SOCIAL_LINK_FIELDS
        if change:
            fields = {k: form.cleaned_data[k] for k in form.changed_data if k in allowed}
            saved = services.social_link_update(link=obj, actor=request.user, **fields)
        else:
            fields = {k: v for k, v in form.cleaned_data.items() if k in allowed}
            saved = services.social_link_create(actor=request.user, **fields)
        obj.__dict__.update(saved.__dict__)

    def delete_model(self, request, obj):
        services.social_link_delete(link=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for link in queryset.order_by("pk"):
            services.social_link_delete(link=link, actor=request.user)

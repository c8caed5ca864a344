"""The audit browser: read only (the log is written by services only). Filters
by entity type, actor, action and date; search by entity id; the change page
shows old and new values side by side with the changed fields marked."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from .diff import audit_diff, changed_fields
from .models import AuditLog


class ActorFilter(admin.SimpleListFilter):
    """Who made the change: nobody signed in (a job, a webhook), any staff
    member, customers, or one staff member by name (staff are few; a customer is
    found by searching their email)."""

    title = "actor"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("email", "pk")
        return [
            ("system", "System (no one signed in)"),
            ("staff", "Any staff member"),
            ("customers", "Customers and sellers"),
            *((str(user.pk), str(user)) for user in staff[:50]),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "system":
            return queryset.filter(actor__isnull=True)
        if value == "staff":
            return queryset.filter(actor__is_staff=True)
        if value == "customers":
            return queryset.filter(actor__is_staff=False)
        if value and value.isdigit():
            return queryset.filter(actor_id=int(value))
        return queryset


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "entity_type", "entity_id", "action", "changes", "actor_label")
    list_filter = (
        "entity_type",
        "action",
        ActorFilter,
        ("at", admin.DateFieldListFilter),
    )
    # "=entity_id": an id finds that entity, not every id containing its digits.
    search_fields = ("=entity_id", "action", "actor_label", "actor__email", "request_id")
    search_help_text = "An entity id (exact), an action, an actor's email or a request id."
    date_hierarchy = "at"
    list_select_related = ("actor",)
    show_full_result_count = False  # one COUNT per page view is enough
    fields = (
        "at",
        "entity",
        "action",
        "actor",
        "actor_label",
        "request_id",
        "diff",
    )
    readonly_fields = fields

    class Media:
        css = {"all": ("css/audit.css",)}

    @admin.display(description="Changed fields")
    def changes(self, obj):
        names = changed_fields(obj.old, obj.new)
        shown = ", ".join(names[:6]) + (f" +{len(names) - 6}" if len(names) > 6 else "")
        return shown or "—"

    @admin.display(description="Entity")
    def entity(self, obj):
        history = (
            reverse("admin:audit_auditlog_changelist")
            + "?"
            + urlencode({"entity_type__exact": obj.entity_type, "entity_id": obj.entity_id})
        )
        app_label, _, model = obj.entity_type.partition(".")
        try:
            page = reverse(f"admin:{app_label}_{model}_change", args=[obj.entity_id])
        except NoReverseMatch:
            page = None
        label = f"{obj.entity_type} #{obj.entity_id}"
        if page:
            return format_html(
                '<a href="{}">{}</a> · <a href="{}">every entry for it</a>', page, label, history
            )
        return format_html('{} · <a href="{}">every entry for it</a>', label, history)

    @admin.display(description="Old and new values")
    def diff(self, obj):
        rows = audit_diff(obj.old, obj.new)
        if not rows:
            return "No values recorded."
        body = format_html_join(
            "",
            '<tr class="{}"><th scope="row">{}</th><td class="{}"><pre>{}</pre></td>'
            '<td class="{}"><pre>{}</pre></td></tr>',
            (
                (
                    "audit-changed" if row.is_changed else "audit-same",
                    row.field,
                    "audit-old" if row.has_old else "audit-absent",
                    row.old if row.has_old else "—",
                    "audit-new" if row.has_new else "audit-absent",
                    row.new if row.has_new else "—",
                )
                for row in rows
            ),
        )
        return format_html(
            '<table class="audit-diff"><thead><tr><th scope="col">Field</th>'
            '<th scope="col">Old</th><th scope="col">New</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            body,
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

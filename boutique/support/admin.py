"""Support conversations in the back office: the list (open and unread first
to find, with filters and counts), a thread page with the reply form that
polls for new customer messages (HTMX), and close / reopen. Every write goes
through the support services; nothing is edited in place. Viewing needs the
view permission; replying, closing and reopening the change permission."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from boutique.core.admin import ReadOnlyAdmin
from boutique.core.errors import DomainError, NotFound

from . import selectors, services
from .models import BODY_MAX, Conversation, Side

THREAD_TEMPLATE = "admin/support/conversation/thread.html"
MESSAGES_TEMPLATE = "admin/support/conversation/_messages.html"


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="The customer is emailed a link to the conversation.",
    )


class UnreadFilter(admin.SimpleListFilter):
    title = "unread"
    parameter_name = "unread"

    def lookups(self, request, model_admin):
        return [("yes", "Waiting for us to read"), ("no", "All read")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(staff_unread_count__gt=0)
        if self.value() == "no":
            return queryset.filter(staff_unread_count=0)
        return queryset


def _error_text(exc: DomainError) -> str:
    details = [m for messages_ in exc.field_errors.values() for m in messages_]
    return " ".join([exc.detail, *details]) if details else exc.detail


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("thread_link", "customer", "status", "unread", "last_message_at")
    list_filter = ("status", UnreadFilter)
    search_fields = ("subject", "guest_email", "guest_name", "user__email")
    list_select_related = ("user",)
    actions = ("close_selected", "reopen_selected")
    readonly_fields = [
        "subject",
        "user",
        "guest_name",
        "guest_email",
        "status",
        "last_message_at",
        "customer_unread_count",
        "staff_unread_count",
        "closed_at",
        "closed_by",
        "created_at",
    ]
    fields = readonly_fields

    def has_manage_permission(self, request) -> bool:
        return request.user.has_perm("support.change_conversation")

    @admin.display(description="Subject", ordering="subject")
    def thread_link(self, obj):
        url = reverse("admin:support_conversation_thread", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.subject)

    @admin.display(description="Customer")
    def customer(self, obj):
        if obj.is_guest:
            return f"{obj.guest_name} <{obj.guest_email}> (guest)"
        return str(obj.user)

    @admin.display(description="Unread", ordering="staff_unread_count")
    def unread(self, obj):
        return obj.staff_unread_count or ""

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), **self._counts()}
        return super().changelist_view(request, extra_context=extra_context)

    def _counts(self) -> dict:
        counts = selectors.conversation_counts_for_staff()
        return {"support_open_count": counts["open"], "support_unread_count": counts["unread"]}

    # --- The thread ---------------------------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        urls = [
            path(
                "<path:object_id>/thread/",
                view(self.thread_view),
                name="support_conversation_thread",
            ),
            path(
                "<path:object_id>/thread/messages/",
                view(self.messages_view),
                name="support_conversation_messages",
            ),
            path(
                "<path:object_id>/close/",
                view(require_POST(self.close_view)),
                name="support_conversation_close",
            ),
            path(
                "<path:object_id>/reopen/",
                view(require_POST(self.reopen_view)),
                name="support_conversation_reopen",
            ),
        ]
        return [*urls, *super().get_urls()]

    def _conversation(self, request, object_id, *, manage=False) -> Conversation:
        if manage:
            allowed = self.has_manage_permission(request)
        else:
            allowed = self.has_view_permission(request)
        if not allowed:
            raise PermissionDenied
        try:
            return selectors.conversation_get_for_staff(conversation_id=object_id)
        except NotFound:
            raise Http404("No such conversation.") from None

    def _thread_url(self, conversation) -> str:
        return reverse("admin:support_conversation_thread", args=[conversation.pk])

    def _thread_context(self, request, conversation) -> dict:
        services.conversation_mark_read(conversation=conversation, side=Side.STAFF)
        return {
            "conversation": conversation,
            "messages_list": selectors.message_list(conversation=conversation),
            "poll_url": reverse("admin:support_conversation_messages", args=[conversation.pk]),
        }

    def thread_view(self, request, object_id):
        conversation = self._conversation(request, object_id)
        form = ReplyForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if not self.has_manage_permission(request):
                raise PermissionDenied
            if form.is_valid():
                try:
                    services.message_post(
                        conversation=conversation,
                        side=Side.STAFF,
                        author=request.user,
                        body=form.cleaned_data["body"],
                    )
                except DomainError as exc:
                    self.message_user(request, _error_text(exc), messages.ERROR)
                else:
                    self.message_user(request, "Reply sent; the customer is emailed a link.")
                    return HttpResponseRedirect(self._thread_url(conversation))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": conversation.subject,
            "original": conversation,
            "form": form,
            "can_manage": self.has_manage_permission(request),
            **self._thread_context(request, conversation),
        }
        status = 422 if form.errors else 200
        return TemplateResponse(request, THREAD_TEMPLATE, context, status=status)

    def messages_view(self, request, object_id):
        conversation = self._conversation(request, object_id)
        return TemplateResponse(
            request, MESSAGES_TEMPLATE, self._thread_context(request, conversation)
        )

    def _status_view(self, request, object_id, service, done: str):
        conversation = self._conversation(request, object_id, manage=True)
        try:
            service(conversation=conversation, actor=request.user)
        except DomainError as exc:
            self.message_user(request, _error_text(exc), messages.ERROR)
        else:
            self.message_user(request, f"Conversation {done}.")
        return HttpResponseRedirect(self._thread_url(conversation))

    def close_view(self, request, object_id):
        return self._status_view(request, object_id, services.conversation_close, "closed")

    def reopen_view(self, request, object_id):
        return self._status_view(request, object_id, services.conversation_reopen, "reopened")

    # --- Bulk actions -------------------------------------------------------------------------
    def _bulk(self, request, queryset, service, done: str):
        changed = 0
        for conversation in queryset.order_by("pk"):
            try:
                service(conversation=conversation, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"#{conversation.pk}: {exc.detail}", messages.WARNING)
            else:
                changed += 1
        self.message_user(request, f"{changed} conversation(s) {done}.")

    @admin.action(description="Close the selected conversations")
    def close_selected(self, request, queryset):
        self._bulk(request, queryset, services.conversation_close, "closed")

    close_selected.allowed_permissions = ("manage",)

    @admin.action(description="Reopen the selected conversations")
    def reopen_selected(self, request, queryset):
        self._bulk(request, queryset, services.conversation_reopen, "reopened")

    reopen_selected.allowed_permissions = ("manage",)

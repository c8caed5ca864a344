"""Moderation in the back office: staff read reviews (text escaped like every
admin value) and approve or reject them with actions that call the services;
rejecting asks for a reason first. Deleting goes through the service too, so
the product's rating stays in step."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.text import Truncator

from boutique.core.errors import DomainError

from . import selectors, services
from .models import REASON_MAX, Review, ReviewStatus


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the review and in the audit log.",
    )


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("title", "excerpt", "rating", "product", "author_email", "status", "created_at")
    list_filter = ("status", "rating")
    search_fields = ("title", "text", "product__name", "user__email")
    list_select_related = ("product", "user")
    date_hierarchy = "created_at"
    actions = ("approve_selected", "reject_selected")
    fields = (
        "product",
        "user",
        "rating",
        "title",
        "text",
        "status",
        "rejection_reason",
        "moderated_by",
        "moderated_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.reviews_for_moderation()

    @admin.display(description="Text")
    def excerpt(self, obj):
        return Truncator(obj.text).chars(80)  # plain text: the admin escapes it

    @admin.display(description="Author", ordering="user__email")
    def author_email(self, obj):
        return obj.user.email

    def has_add_permission(self, request, obj=None):
        return False  # customers write reviews; staff moderate them

    def has_change_permission(self, request, obj=None):
        return False  # the text is the customer's: staff approve or reject it

    def has_moderate_permission(self, request):
        return request.user.has_perm("reviews.change_review")

    def delete_model(self, request, obj):
        services.review_delete(review=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for review in queryset.order_by("pk"):
            services.review_delete(review=review, actor=request.user)

    def _each(self, request, queryset, action, done: str) -> None:
        changed = 0
        for review in queryset.order_by("pk"):
            try:
                action(review)
            except DomainError as exc:
                self.message_user(request, f"{review.title}: {exc.detail}", messages.WARNING)
            else:
                changed += 1
        self.message_user(request, f"{changed} review(s) {done}.")

    @admin.action(description="Approve the selected reviews")
    def approve_selected(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda review: services.review_approve(review=review, actor=request.user),
            "approved",
        )

    approve_selected.allowed_permissions = ("moderate",)

    @admin.action(description="Reject the selected reviews…")
    def reject_selected(self, request, queryset):
        """First asks for the reason (a page of its own), then rejects."""
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(
                request,
                queryset,
                lambda review: services.review_reject(
                    review=review, actor=request.user, reason=reason
                ),
                "rejected",
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject reviews",
            "opts": self.model._meta,
            "form": form,
            "reviews": queryset.order_by("pk"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "pending": ReviewStatus.PENDING,
        }
        return TemplateResponse(request, "admin/reviews/review/reject.html", context)

    reject_selected.allowed_permissions = ("moderate",)

"""Support conversation pages (issue 10). Anyone starts a conversation from
/support/new/ (guests give their name and email); a signed-in customer finds
theirs under /support/, a guest reaches theirs only through the signed link we
show after starting and email with every answer. The thread polls a messages
partial every few seconds (HTMX) and stops once the conversation is closed.
Starting and posting are rate-limited per address and per customer (429 with
Retry-After)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from boutique.core.errors import DomainError, Throttled
from boutique.support import selectors
from boutique.support.models import Side
from boutique.support.services import conversation_mark_read, conversation_start, message_post
from boutique.support.throttle import support_rate_limit
from boutique.support.tokens import conversation_token

from ..forms.support import ConversationStartForm, MessageForm
from ..helpers import FORM_INVALID, add_domain_error, not_found_as_404, redirect_to

CONVERSATIONS_PER_PAGE = 20
MESSAGES_PARTIAL = "storefront/support/_messages.html"


def _respond(response, exc: DomainError):
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@never_cache
@login_required
@require_GET
def conversation_list(request):
    page = Paginator(
        selectors.conversation_list_for_user(user=request.user), CONVERSATIONS_PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(request, "storefront/support/list.html", {"page": page})


@never_cache
@require_http_methods(["GET", "POST"])
def conversation_new(request):
    user = request.user
    form = ConversationStartForm(request.POST if request.method == "POST" else None, user=user)
    status, error = 200, None
    if form.is_bound:
        status = FORM_INVALID
        if form.is_valid():
            data = form.cleaned_data
            try:
                support_rate_limit(request, action="start", user=user, email=data.get("email", ""))
                conversation = conversation_start(
                    user=user,
                    name=data.get("name", ""),
                    email=data.get("email", ""),
                    subject=data["subject"],
                    body=data["body"],
                )
            except DomainError as exc:
                status, error = add_domain_error(form, exc), exc
            else:
                if conversation.is_guest:
                    return redirect_to(
                        request, "storefront:support_guest", conversation_token(conversation)
                    )
                return redirect_to(request, "storefront:support_conversation", conversation.pk)
    response = render(request, "storefront/support/new.html", {"form": form}, status=status)
    return _respond(response, error) if error else response


def _thread(request, conversation, *, urls: dict):
    """The thread page (GET) or a reply (POST) for whoever holds `conversation`."""
    form = MessageForm(request.POST if request.method == "POST" else None)
    status, error = 200, None
    if form.is_bound:
        status = FORM_INVALID
        if form.is_valid():
            # A guest thread's author is the guest, whoever is signed in here.
            author = None if conversation.is_guest else request.user
            try:
                support_rate_limit(
                    request, action="message", user=author, email=conversation.guest_email
                )
                message_post(
                    conversation=conversation,
                    side=Side.CUSTOMER,
                    author=author,
                    body=form.cleaned_data["body"],
                )
            except DomainError as exc:
                status, error = add_domain_error(form, exc), exc
            else:
                conversation.refresh_from_db()
                form = MessageForm()
                status = 200
    conversation_mark_read(conversation=conversation, side=Side.CUSTOMER)
    context = {
        "conversation": conversation,
        "messages_list": selectors.message_list(conversation=conversation),
        "form": form,
        "is_throttled": isinstance(error, Throttled),
        **urls,
    }
    template = "storefront/support/conversation.html"
    if request.htmx and request.method == "POST":
        template = "storefront/support/_thread.html"
    response = render(request, template, context, status=status)
    return _respond(response, error) if error else response


def _messages(request, conversation, *, urls: dict):
    conversation_mark_read(conversation=conversation, side=Side.CUSTOMER)
    context = {
        "conversation": conversation,
        "messages_list": selectors.message_list(conversation=conversation),
        **urls,
    }
    return render(request, MESSAGES_PARTIAL, context)


def _customer_urls(conversation) -> dict:
    return {
        "post_url": reverse("storefront:support_conversation", args=[conversation.pk]),
        "poll_url": reverse("storefront:support_messages", args=[conversation.pk]),
    }


def _guest_urls(token: str) -> dict:
    return {
        "post_url": reverse("storefront:support_guest", args=[token]),
        "poll_url": reverse("storefront:support_guest_messages", args=[token]),
        "guest_link": reverse("storefront:support_guest", args=[token]),
    }


@never_cache
@login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
def conversation_detail(request, conversation_id: int):
    conversation = selectors.conversation_get_for(
        user=request.user, conversation_id=conversation_id
    )
    return _thread(request, conversation, urls=_customer_urls(conversation))


@never_cache
@login_required
@not_found_as_404
@require_GET
def conversation_messages(request, conversation_id: int):
    conversation = selectors.conversation_get_for(
        user=request.user, conversation_id=conversation_id
    )
    return _messages(request, conversation, urls=_customer_urls(conversation))


@never_cache
@not_found_as_404
@require_http_methods(["GET", "POST"])
def guest_conversation(request, token: str):
    conversation = selectors.conversation_get_by_token(token=token)
    return _thread(request, conversation, urls=_guest_urls(token))


@never_cache
@not_found_as_404
@require_GET
def guest_conversation_messages(request, token: str):
    conversation = selectors.conversation_get_by_token(token=token)
    return _messages(request, conversation, urls=_guest_urls(token))

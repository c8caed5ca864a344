"""How each channel delivers a message. Email goes through Django's email
backends (text + HTML from templates); SMS and WhatsApp go through a
`MessageSender` chosen by settings (console in development, memory in tests,
a provider's backend in production)."""

import logging
from abc import ABC, abstractmethod
from collections import defaultdict
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import Channel

logger = logging.getLogger(__name__)

# Every message the shop sends, with its email subject. `{…}` names come from
# the notification's context (a missing one renders empty, never fails).
SUBJECTS = {
    "order_confirmation": _("Your {shop_name} order {number} is confirmed"),
    "payment_received": _("Payment received for order {number}"),
    "bank_transfer_instructions": _("How to pay for order {number} by bank transfer"),
    "order_shipped": _("Your order {number} is on its way"),
    "order_out_for_delivery": _("Your order {number} is out for delivery today"),
    "order_delivered": _("Your order {number} has been delivered"),
    "refund_issued": _("Refund {refund_number} for order {number}"),
    "order_cancelled": _("Your order {number} has been cancelled"),
    "low_stock": _("Low stock: {sku}"),
    "abandoned_cart": _("You left something in your {shop_name} bag"),
    "seller_application": _("New seller application: {store_name}"),
    "seller_active": _("Your store {store_name} is open on {shop_name}"),
    "seller_rejected": _("Your seller application for {store_name}"),
    "seller_suspended": _("Your store {store_name} is suspended"),
    "seller_closed": _("Your store {store_name} is closed"),
    "payout_created": _("Payout statement {payout_id}: {net}"),
    "payout_paid": _("Payout {payout_id} paid: {net}"),
    "support_reply": _("We answered your message: {subject}"),
    "birthday_reminder": _("{child_name} turns {turning} soon: sizes and gift ideas"),
    "registry_gift_bought": _("A gift from your registry {title} was bought"),
    "product_recall": _("Safety recall: {product}"),
    "back_in_stock": _("Back in stock: {product}"),
}
TEMPLATE_NAMES = tuple(SUBJECTS)


class MessageSender(ABC):
    """Interface every SMS / WhatsApp backend implements."""

    @abstractmethod
    def send(self, *, recipient: str, message: str) -> None:
        """Deliver `message` to `recipient` (a phone number, E.164) or raise."""


class ConsoleMessageSender(MessageSender):
    """Development backend: prints the message where `make run` shows it."""

    channel = "message"

    def send(self, *, recipient: str, message: str) -> None:
        print(f"[{self.channel} to {recipient}] {message}", flush=True)


class ConsoleSmsSender(ConsoleMessageSender):
    channel = "sms"


class ConsoleWhatsAppSender(ConsoleMessageSender):
    channel = "whatsapp"


class MemoryMessageSender(MessageSender):
    """Test backend: keeps messages in `outbox` (shared by both channels, each
    entry names its channel), like Django's locmem email backend."""

    outbox: list[dict] = []
    channel = "message"

    def send(self, *, recipient: str, message: str) -> None:
        MemoryMessageSender.outbox.append(
            {"channel": self.channel, "recipient": recipient, "message": message}
        )


class MemorySmsSender(MemoryMessageSender):
    channel = "sms"


class MemoryWhatsAppSender(MemoryMessageSender):
    channel = "whatsapp"


@cache
def _sender_class(path: str) -> type[MessageSender]:
    return import_string(path)


def message_sender_for(channel: str) -> MessageSender:
    path = {
        Channel.SMS: settings.NOTIFICATION_SMS_BACKEND,
        Channel.WHATSAPP: settings.NOTIFICATION_WHATSAPP_BACKEND,
    }[channel]
    return _sender_class(path)()


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def message_context(template: str, context: dict) -> dict:
    """The template context: the row's context plus the shop's name and links."""
    full = {"shop_name": settings.SHOP_NAME, "site_url": settings.SITE_URL.rstrip("/")}
    full.update(context)
    number = full.get("number")
    if number and "order_url" not in full:
        try:
            full["order_url"] = _site_url(
                reverse("storefront:order_detail", kwargs={"number": number})
            )
        except NoReverseMatch:
            full["order_url"] = full["site_url"]
    if template == "bank_transfer_instructions":
        full.setdefault("bank_details", settings.BANK_TRANSFER_DETAILS)
    if template == "abandoned_cart" and "cart_url" not in full:
        full["cart_url"] = _site_url(reverse("storefront:cart"))
    return full


def email_subject(template: str, context: dict) -> str:
    pattern = str(SUBJECTS.get(template, _("A message from {shop_name}")))
    values = defaultdict(str, {k: v for k, v in context.items() if isinstance(v, str | int)})
    return " ".join(pattern.format_map(values).split())


def render_email(template: str, context: dict) -> EmailMultiAlternatives:
    """Build the email for `template`; TemplateDoesNotExist if it has none."""
    ctx = message_context(template, context)
    text = render_to_string(f"notifications/email/{template}.txt", ctx)
    html = render_to_string(f"notifications/email/{template}.html", ctx)
    return EmailMultiAlternatives(
        subject=email_subject(template, ctx),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        alternatives=[(html, "text/html")],
    )


def render_text_message(template: str, context: dict) -> str:
    """A short text for SMS / WhatsApp: `notifications/sms/<template>.txt`, or
    the email's subject and link when the message has no text of its own."""
    ctx = message_context(template, context)
    try:
        return " ".join(render_to_string(f"notifications/sms/{template}.txt", ctx).split())
    except TemplateDoesNotExist:
        link = ctx.get("order_url") or ctx.get("cart_url") or ctx["site_url"]
        return f"{ctx['shop_name']}: {email_subject(template, ctx)}. {link}"


def notification_message_id(notification_id: int) -> str:
    """The email Message-ID of outbox row `notification_id`: the same on every
    try. Delivery is at least once (a worker that dies after handing the email
    over but before recording it leaves the row to be sent again when its lease
    expires), so a repeat carries the same Message-ID and mail systems that
    de-duplicate by it show the message once."""
    host = urlsplit(settings.SITE_URL).hostname or "boutique.local"
    return f"<notification-{int(notification_id)}@{host}>"


def message_language(language: str | None) -> str:
    """`language` if the shop speaks it, else the shop's default."""
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def deliver(
    *,
    channel: str,
    recipient: str,
    template: str,
    context: dict,
    message_id: str = "",
    language: str = "",
) -> None:
    """Send one message now, or raise whatever the channel raised. `message_id`
    (see notification_message_id) becomes the email's Message-ID. Subject,
    body, money and dates are written in `language` (the recipient's)."""
    with translation.override(message_language(language)):
        _deliver(
            channel=channel,
            recipient=recipient,
            template=template,
            context=context,
            message_id=message_id,
        )


def _deliver(*, channel: str, recipient: str, template: str, context: dict, message_id: str):
    if channel == Channel.EMAIL:
        email = render_email(template, context)
        email.to = [recipient]
        if message_id:
            email.extra_headers["Message-ID"] = message_id
        email.send(fail_silently=False)
        return
    message_sender_for(channel).send(
        recipient=recipient, message=render_text_message(template, context)
    )

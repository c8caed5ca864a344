"""Support conversations between a customer (a signed-in user, or a guest known
by name and email) and the shop's staff. Each side has an unread counter kept
by the services: a message from one side adds one to the other side's counter,
and reading the thread sets one's own counter back to zero."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from boutique.core.models import TimeStamped

SUBJECT_MAX = 150
BODY_MAX = 4000


class ConversationStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Side(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    STAFF = "staff", "Staff"


class Conversation(TimeStamped):
    """A thread. Exactly one of `user` and (guest_name, guest_email) names the
    customer; a guest reaches the thread only through the signed link we email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="support_conversations",
    )
    guest_name = models.CharField(max_length=120, blank=True)
    guest_email = models.EmailField(max_length=254, blank=True)
    subject = models.CharField(max_length=SUBJECT_MAX)
    status = models.CharField(
        max_length=8,
        choices=ConversationStatus.choices,
        default=ConversationStatus.OPEN,
        db_index=True,
    )
    last_message_at = models.DateTimeField(db_index=True)
    customer_unread_count = models.PositiveIntegerField(default=0)
    staff_unread_count = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | (~Q(guest_email="") & ~Q(guest_name="")),
                name="support_conversation_has_customer",
            ),
        ]
        indexes = [models.Index(fields=["user", "-last_message_at"])]

    def __str__(self):
        return f"#{self.pk} {self.subject}"

    @property
    def is_guest(self) -> bool:
        return self.user_id is None

    @property
    def is_open(self) -> bool:
        return self.status == ConversationStatus.OPEN

    @property
    def customer_name(self) -> str:
        if self.user_id is None:
            return self.guest_name
        return self.user.get_full_name()

    @property
    def customer_email(self) -> str:
        if self.user_id is None:
            return self.guest_email
        return self.user.email or ""


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author_side = models.CharField(max_length=8, choices=Side.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(max_length=BODY_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["conversation", "id"])]

    def __str__(self):
        return f"{self.get_author_side_display()} message #{self.pk}"

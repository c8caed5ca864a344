"""Child-aware shopping: the shop's size chart and the birthday reminders sent.

Children themselves are accounts.Child (their parent's data); this app reads them
to suggest sizes and products, and remembers which birthdays it already wrote
about so that a reminder is never sent twice."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from boutique.accounts.models import Child
from boutique.core.models import TimeStamped


class SizeKind(models.TextChoices):
    CLOTHING = "clothing", _("Clothing")
    SHOES = "shoes", _("Shoes")


class SizeBand(TimeStamped):
    """One row of the size chart: children aged [from_months, to_months) wear
    `label`. Bands of one kind never overlap (checked by the services, which
    lock the kind's rows)."""

    kind = models.CharField(max_length=16, choices=SizeKind.choices, default=SizeKind.CLOTHING)
    from_months = models.PositiveSmallIntegerField(help_text=_("First month of age (included)."))
    to_months = models.PositiveSmallIntegerField(help_text=_("Month of age it ends (excluded)."))
    label = models.CharField(max_length=40, help_text=_("The size, e.g. 18-24M, 2T or EU 22."))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["kind", "from_months", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_months__lt=F("to_months")), name="size_band_from_before_to"
            ),
            models.UniqueConstraint(fields=["kind", "from_months"], name="size_band_kind_from"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label} ({self.from_months}–{self.to_months} m)"

    def clean(self):
        if (
            self.from_months is not None
            and self.to_months is not None
            and self.from_months >= self.to_months
        ):
            raise ValidationError({"to_months": _("Must be after the first month.")})


class BirthdayReminder(models.Model):
    """A birthday already written about: one row per child and birthday, so the
    daily job may run twice, or on several days of the window, and still send
    once."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="reminders_sent")
    birthday = models.DateField()
    notification = models.ForeignKey(
        "notifications.Notification", on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-birthday", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["child", "birthday"], name="birthday_reminder_once"),
        ]

    def __str__(self):
        return f"{self.child_id} – {self.birthday}"

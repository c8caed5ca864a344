from django.core.validators import URLValidator
from django.db import models

from boutique.core.models import TimeStamped

from .icons import ICON_CHOICES

HTTPS_ONLY = URLValidator(schemes=["https"], message="Enter an https:// address.")


class SocialPlatform(models.TextChoices):
    INSTAGRAM = "instagram", "Instagram"
    FACEBOOK = "facebook", "Facebook"
    TIKTOK = "tiktok", "TikTok"
    WHATSAPP = "whatsapp", "WhatsApp"
    YOUTUBE = "youtube", "YouTube"
    X = "x", "X"
    PINTEREST = "pinterest", "Pinterest"
    OTHER = "other", "Other"


class SocialLink(TimeStamped):
    """A link to the shop's page on a social network, shown in the storefront
    footer (active ones, by position). Written through boutique.backoffice.services."""

    platform = models.CharField(max_length=16, choices=SocialPlatform.choices)
    url = models.URLField("URL", max_length=500, validators=[HTTPS_ONLY])
    label = models.CharField(
        max_length=80,
        blank=True,
        help_text="What screen readers and the tooltip say. Empty: the platform's name.",
    )
    icon = models.CharField(
        max_length=16,
        choices=ICON_CHOICES,
        blank=True,
        help_text="Empty: the platform's own icon (a plain link icon for Other).",
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.label or self.get_platform_display()

    @property
    def display_label(self) -> str:
        return self.label or self.get_platform_display()

"""Reads of the back office's own records."""

from django.core.cache import cache

from .icons import icon_for
from .models import SocialLink

SOCIAL_LINKS_CACHE_KEY = "backoffice:social-links:v1"
SOCIAL_LINKS_CACHE_SECONDS = 60 * 60  # the services drop it on every change anyway


def social_links_for_footer() -> list[dict]:
    """The active links by position, as plain dicts (url, label, platform, icon
    markup): cached, so a page view costs no query once one has read them."""
    rows = cache.get(SOCIAL_LINKS_CACHE_KEY)
    if rows is None:
        rows = [
            {
                "url": link.url,
                "label": link.display_label,
                "platform": link.platform,
                "icon": icon_for(link.icon, link.platform),
            }
            for link in SocialLink.objects.filter(is_active=True).order_by("position", "id")
        ]
        cache.set(SOCIAL_LINKS_CACHE_KEY, rows, SOCIAL_LINKS_CACHE_SECONDS)
    return rows

"""Vendored social icons: inline SVG drawn here (24×24, currentColor), so the
footer loads nothing from another site and needs no inline style (CSP).

Each icon is the markup inside <svg viewBox="0 0 24 24">; constants only, never
anything a user typed."""

ICONS = {
    "instagram": (
        '<rect x="3" y="3" width="18" height="18" rx="5" fill="none" stroke="currentColor"'
        ' stroke-width="2"/><circle cx="12" cy="12" r="4" fill="none" stroke="currentColor"'
        ' stroke-width="2"/><circle cx="17.5" cy="6.5" r="1.3" fill="currentColor"/>'
    ),
    "facebook": (
        '<path fill="currentColor" d="M13.5 22v-8h2.7l.4-3.2h-3.1V8.8c0-.9.3-1.6 1.6-1.6h1.7V4.4'
        'c-.3 0-1.3-.1-2.5-.1-2.5 0-4.1 1.5-4.1 4.2v2.3H7.5V14h2.7v8z"/>'
    ),
    "tiktok": (
        '<path fill="currentColor" d="M16.6 2h-3.3v13.4a2.9 2.9 0 1 1-2.9-2.9c.3 0 .6 0 .9.1V9.2'
        'a6.2 6.2 0 1 0 5.3 6.2V8.6a7.6 7.6 0 0 0 4.4 1.4V6.7a4.4 4.4 0 0 1-4.4-4.7z"/>'
    ),
    "whatsapp": (
        '<path fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"'
        ' d="M3.5 20.5l1.3-4.3A8.5 8.5 0 1 1 8 19.3z"/><path fill="currentColor"'
        ' d="M9 7.5c.3 0 .6 0 .8.5l.8 1.8c.1.3 0 .5-.2.7l-.6.7c.8 1.4 1.9 2.4 3.3 3.1l.7-.8'
        "c.2-.2.4-.3.7-.2l1.8.8c.4.2.5.4.5.7 0 1-.9 2-2.1 2-3.2 0-6.9-3.6-6.9-6.9C6.8 8.4 7.9 7.5 9"
        ' 7.5z"/>'
    ),
    "youtube": (
        '<rect x="2" y="5" width="20" height="14" rx="4" fill="currentColor"/>'
        '<path fill="#fff" d="M10 9v6l5.2-3z"/>'
    ),
    "x": (
        '<path fill="currentColor" d="M17.8 3h3.1l-6.8 7.8L22 21h-6.2l-4.9-6.4L5.3 21H2.2l7.3-8.3'
        'L2 3h6.4l4.4 5.8zm-1.1 16.2h1.7L7.4 4.7H5.6z"/>'
    ),
    "pinterest": (
        '<circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="2"/>'
        '<path fill="currentColor" d="M11.2 15.2c-.4 1.9-.9 3.6-2 4.6-.3-2.3.5-4 .9-5.9-.6-1.1.1'
        "-3.3 1.5-2.8 1.7.7-1.5 4.1.6 4.5 2.2.4 3.1-3.8 1.7-5.2-2-2-5.8 0-5.3 2.9.1.7.9.9.3 1.9"
        "-1.3-.3-1.7-1.3-1.6-2.7.1-2.3 2.1-3.9 4.1-4.1 2.5-.3 4.9.9 5.2 3.3.4 2.7-1.1 5.5-3.8 5.3"
        '-.7-.1-1-.4-1.6-.8z"/>'
    ),
    "link": (
        '<path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"'
        ' d="M10 14a4 4 0 0 0 5.7 0l3.5-3.5a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0L4.8'
        ' 13.5a4 4 0 0 0 5.7 5.7l1-1"/>'
    ),
}

ICON_CHOICES = [
    ("instagram", "Instagram"),
    ("facebook", "Facebook"),
    ("tiktok", "TikTok"),
    ("whatsapp", "WhatsApp"),
    ("youtube", "YouTube"),
    ("x", "X"),
    ("pinterest", "Pinterest"),
    ("link", "Link"),
]


def icon_for(name: str, platform: str = "") -> str:
    """The markup of icon `name`, else the platform's own, else the plain link."""
    return ICONS.get(name) or ICONS.get(platform) or ICONS["link"]

"""Template helpers of issue 13's safety data and back-in-stock alerts."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

# The listing's "safe for a child of" choices: (months, label). The filter keeps
# products graded at or below the child's age.
SAFE_AGE_CHOICES = (
    (0, "Newborn"),
    (6, "6 months"),
    (12, "1 year"),
    (18, "18 months"),
    (24, "2 years"),
    (36, "3 years"),
    (60, "5 years"),
    (96, "8 years"),
    (168, "14 years"),
)


@register.filter
def safe_age_text(months) -> str:
    """{{ 36|safe_age_text }} → 'Not for children under 3 years'; 18 → '… under
    18 months'; empty for none."""
    if months is None or months == "":
        return ""
    months = int(months)
    if months >= 24 and months % 12 == 0:
        years = months // 12
        return ngettext(
            "Not for children under %(n)s year", "Not for children under %(n)s years", years
        ) % {"n": years}
    return ngettext(
        "Not for children under %(n)s month", "Not for children under %(n)s months", months
    ) % {"n": months}


@register.simple_tag
def safe_age_options(chosen=None) -> list[tuple[int, str]]:
    """The safe-age filter's options; an age typed into the address that is not
    one of them is offered as itself so the form keeps it."""
    options = [(months, _(label)) for months, label in SAFE_AGE_CHOICES]
    if chosen is not None and chosen not in {months for months, _label in options}:
        options.append((chosen, _("%(n)s months") % {"n": chosen}))
    return options

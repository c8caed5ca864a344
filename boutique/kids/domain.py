"""Pure rules of child-aware shopping: age in words, the size for an age, which
products fit which child, and when a birthday reminder is due. No database.

Words go through gettext (a translation lookup, nothing else from Django) so
they read in the visitor's language."""

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext

from boutique.accounts.domain import age_in_months

__all__ = [
    "Band",
    "ChildAge",
    "Fit",
    "age_in_months",
    "age_in_words",
    "bands_overlap",
    "birthday_in",
    "birthday_reminder_due",
    "next_birthday",
    "product_fit",
    "size_for_age",
]

REMINDER_DAYS_BEFORE = 14


def age_in_words(months: int) -> str:
    """'3 weeks old' is not known from months: under one month is 'newborn';
    then '1 month' … '23 months', then '2 years', '3 years' …"""
    if months < 1:
        return gettext("newborn")
    if months < 24:
        return ngettext("%(n)d month", "%(n)d months", months) % {"n": months}
    years = months // 12
    return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}


# --- Size chart -------------------------------------------------------------------
@dataclass(frozen=True)
class Band:
    """A size chart row: ages [from_months, to_months) wear `label`."""

    from_months: int
    to_months: int
    label: str

    def contains(self, months: int) -> bool:
        return self.from_months <= months < self.to_months


def size_for_age(bands: Sequence[Band], months: int) -> str | None:
    """The label of the band holding `months`, or None past the chart's ends."""
    for band in bands:
        if band.contains(months):
            return band.label
    return None


def bands_overlap(a: Band, b: Band) -> bool:
    return a.from_months < b.to_months and b.from_months < a.to_months


# --- Which products fit ---------------------------------------------------------------
@dataclass(frozen=True)
class ChildAge:
    name: str
    months: int


@dataclass(frozen=True)
class Fit:
    """How a product's age range relates to the customer's children.

    kind: "fits" (it fits `names`), "older" (made for children older than all of
    them), "younger" (for younger ones) or "outside" (some of each)."""

    kind: str
    names: tuple[str, ...]

    @property
    def fits(self) -> bool:
        return self.kind == "fits"

    def text(self, age_range: str) -> str:
        names = str(get_text_list(list(self.names), gettext("and")))
        if self.kind == "fits":
            return gettext("Fits %(names)s") % {"names": names}
        template = {
            "older": gettext("For %(range)s — older than %(names)s"),
            "younger": gettext("For %(range)s — younger than %(names)s"),
            "outside": gettext("For %(range)s — not the age of %(names)s"),
        }[self.kind]
        return template % {"range": age_range, "names": names}


def in_age_range(months: int, min_months: int | None, max_months: int | None) -> bool:
    """The listing's rule: both bounds included, an empty bound is open."""
    return (min_months is None or min_months <= months) and (
        max_months is None or months <= max_months
    )


def product_fit(
    min_months: int | None, max_months: int | None, children: Sequence[ChildAge]
) -> Fit | None:
    """None when there is nothing to say (no children, or a product for every
    age). A product is marked as not fitting only when it fits none of the
    children; otherwise it says whom it fits."""
    if not children or (min_months is None and max_months is None):
        return None
    fitting = [c.name for c in children if in_age_range(c.months, min_months, max_months)]
    if fitting:
        return Fit("fits", tuple(fitting))
    names = tuple(c.name for c in children)
    too_young = all(min_months is not None and c.months < min_months for c in children)
    too_old = all(max_months is not None and c.months > max_months for c in children)
    if too_young:
        return Fit("older", names)
    if too_old:
        return Fit("younger", names)
    return Fit("outside", names)


# --- Birthdays -------------------------------------------------------------------------
def birthday_in(birth_date: date, year: int) -> date:
    """The birthday in `year`; 29 February is kept on 28 February in common years."""
    if birth_date.month == 2 and birth_date.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return birth_date.replace(year=year)


def next_birthday(birth_date: date, today: date) -> date:
    """The first birthday after `today` (today's own is already here)."""
    year = max(today.year, birth_date.year + 1)
    birthday = birthday_in(birth_date, year)
    if birthday <= today:
        birthday = birthday_in(birth_date, year + 1)
    return birthday


def birthday_reminder_due(
    birth_date: date, today: date, *, days_before: int = REMINDER_DAYS_BEFORE
) -> date | None:
    """The birthday to remind about on `today`, or None. Due from `days_before`
    days ahead until the eve, so a day the job did not run is caught up the next
    day; the caller records each birthday once."""
    birthday = next_birthday(birth_date, today)
    if birthday - today <= timedelta(days=days_before):
        return birthday
    return None

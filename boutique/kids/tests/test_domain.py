from datetime import date

import pytest

from boutique.kids.domain import (
    Band,
    ChildAge,
    age_in_months,
    age_in_words,
    bands_overlap,
    birthday_in,
    birthday_reminder_due,
    next_birthday,
    product_fit,
    size_for_age,
)

CHART = [Band(0, 3, "0-3M"), Band(3, 6, "3-6M"), Band(12, 18, "12-18M"), Band(18, 24, "18-24M")]


@pytest.mark.parametrize(
    ("birth", "today", "months"),
    [
        (date(2025, 1, 15), date(2025, 1, 15), 0),
        (date(2025, 1, 15), date(2025, 2, 14), 0),
        (date(2025, 1, 15), date(2025, 2, 15), 1),
        (date(2024, 5, 10), date(2025, 11, 10), 18),
        # Born on the 31st: a month old on the last day of a shorter month.
        (date(2025, 1, 31), date(2025, 2, 28), 1),
        (date(2025, 1, 31), date(2025, 2, 27), 0),
        # Born on 29 February: three years old on 28 February of a common year.
        (date(2024, 2, 29), date(2027, 2, 28), 36),
        (date(2024, 2, 29), date(2027, 2, 27), 35),
        (date(2025, 3, 1), date(2025, 2, 1), 0),  # never negative
    ],
)
def test_age_in_months_counts_whole_months(birth, today, months):
    assert age_in_months(birth, today) == months


@pytest.mark.parametrize(
    ("months", "words"),
    [
        (0, "newborn"),
        (1, "1 month"),
        (18, "18 months"),
        (23, "23 months"),
        (24, "2 years"),
        (36, "3 years"),
        (47, "3 years"),
        (12 * 9, "9 years"),
    ],
)
def test_age_in_words(months, words):
    assert age_in_words(months) == words


@pytest.mark.parametrize(
    ("months", "label"),
    [(0, "0-3M"), (2, "0-3M"), (3, "3-6M"), (17, "12-18M"), (18, "18-24M"), (23, "18-24M")],
)
def test_size_for_age_uses_the_band_holding_the_age(months, label):
    assert size_for_age(CHART, months) == label


@pytest.mark.parametrize("months", [7, 24, 500])
def test_size_for_age_is_none_in_a_gap_or_past_the_chart(months):
    assert size_for_age(CHART, months) is None


def test_bands_overlap_only_when_ranges_share_a_month():
    assert bands_overlap(Band(0, 6, "a"), Band(3, 9, "b"))
    assert bands_overlap(Band(3, 9, "a"), Band(0, 24, "b"))
    assert not bands_overlap(Band(0, 3, "a"), Band(3, 6, "b"))  # [from, to): they touch
    assert not bands_overlap(Band(6, 9, "a"), Band(0, 6, "b"))


MAYA = ChildAge("Maya", 18)
LEO = ChildAge("Leo", 48)


def test_no_fit_without_children_or_without_an_age_range():
    assert product_fit(0, 12, []) is None
    assert product_fit(None, None, [MAYA]) is None


def test_product_for_older_children_is_marked():
    fit = product_fit(36, 72, [MAYA])
    assert (fit.kind, fit.names, fit.fits) == ("older", ("Maya",), False)
    assert fit.text("3–6 years") == "For 3–6 years — older than Maya"


def test_product_for_younger_children_is_marked():
    fit = product_fit(0, 6, [MAYA, LEO])
    assert fit.kind == "younger"
    assert fit.text("0–6 months") == "For 0–6 months — younger than Maya and Leo"


def test_product_between_two_children_is_outside_both():
    fit = product_fit(24, 36, [MAYA, LEO])
    assert fit.kind == "outside"
    assert "Maya and Leo" in fit.text("2–3 years")


def test_product_fitting_one_child_says_whom_and_is_not_marked_as_outside():
    fit = product_fit(12, 24, [MAYA, LEO])
    assert (fit.kind, fit.names, fit.fits) == ("fits", ("Maya",), True)
    assert fit.text("12–24 months") == "Fits Maya"


def test_open_bounds_and_inclusive_edges():
    assert product_fit(18, None, [MAYA]).fits
    assert product_fit(None, 18, [MAYA]).fits
    assert product_fit(19, None, [MAYA]).kind == "older"
    assert product_fit(None, 17, [MAYA]).kind == "younger"


def test_birthday_of_29_february_is_28_february_in_common_years():
    assert birthday_in(date(2024, 2, 29), 2027) == date(2027, 2, 28)
    assert birthday_in(date(2024, 2, 29), 2028) == date(2028, 2, 29)
    assert birthday_in(date(2023, 7, 4), 2026) == date(2026, 7, 4)


@pytest.mark.parametrize(
    ("birth", "today", "expected"),
    [
        (date(2023, 7, 4), date(2026, 1, 1), date(2026, 7, 4)),
        (date(2023, 7, 4), date(2026, 7, 4), date(2027, 7, 4)),  # today's is here already
        (date(2023, 7, 4), date(2026, 7, 3), date(2026, 7, 4)),
        (date(2026, 1, 10), date(2026, 1, 20), date(2027, 1, 10)),  # not the birth itself
        (date(2024, 2, 29), date(2027, 2, 1), date(2027, 2, 28)),
        (date(2024, 2, 29), date(2027, 2, 28), date(2028, 2, 29)),
    ],
)
def test_next_birthday(birth, today, expected):
    assert next_birthday(birth, today) == expected


def test_reminder_is_due_from_14_days_before_until_the_eve():
    birth = date(2024, 6, 20)
    assert birthday_reminder_due(birth, date(2026, 6, 5)) is None  # 15 days before
    assert birthday_reminder_due(birth, date(2026, 6, 6)) == date(2026, 6, 20)  # 14 days
    assert birthday_reminder_due(birth, date(2026, 6, 19)) == date(2026, 6, 20)  # the eve
    assert birthday_reminder_due(birth, date(2026, 6, 20)) is None  # the day: next year's


def test_reminder_for_29_february_in_a_common_year_comes_14_days_before_28_february():
    birth = date(2024, 2, 29)
    assert birthday_reminder_due(birth, date(2027, 2, 13)) is None
    assert birthday_reminder_due(birth, date(2027, 2, 14)) == date(2027, 2, 28)
    assert birthday_reminder_due(birth, date(2028, 2, 15)) == date(2028, 2, 29)


def test_reminder_crosses_the_new_year():
    assert birthday_reminder_due(date(2024, 1, 5), date(2025, 12, 25)) == date(2026, 1, 5)

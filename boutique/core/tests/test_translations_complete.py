"""Every message of the Arabic and French catalogues is translated, keeps its
placeholders, and the compiled .mo files match the .po files."""

import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%\([a-zA-Z_]\w*\)[sd]|\{[a-zA-Z_]\w*\}")
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def _catalog(language: str):
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po, locale=language)


def _messages(language: str):
    return [m for m in _catalog(language) if m.id]


def _key(value):
    return value if isinstance(value, str) else tuple(value)


def _forms(message) -> list[tuple[str, str]]:
    """(source, translation) pairs: one for a plain message, one per plural form
    (each compared with the plural source, which names the same placeholders)."""
    if isinstance(message.id, str):
        return [(message.id, message.string)]
    return [(message.id[1], form) for form in message.string]


def test_arabic_has_six_plural_forms_and_french_two():
    plural = [m for m in _messages("ar") if not isinstance(m.id, str)]
    assert plural and all(len(m.string) == 6 for m in plural)
    assert all(len(m.string) == 2 for m in _messages("fr") if not isinstance(m.id, str))


def test_arabic_and_french_have_catalogues():
    assert TRANSLATED == ["ar", "fr"]
    for language in TRANSLATED:
        assert len(_messages(language)) > 500


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    untranslated = [m.id for m in _messages(language) if not all(t for _, t in _forms(m))]
    fuzzy = [m.id for m in _messages(language) if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_are_kept(language):
    broken = [
        (source, text)
        for m in _messages(language)
        for source, text in _forms(m)
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert broken == []


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_matches_the_sources(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as mo:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(mo) if m.id}
    sources = {_key(m.id): _key(m.string) for m in _messages(language)}
    assert compiled == sources


def test_arabic_is_really_arabic_and_french_really_french():
    arabic = {m.id: m.string for m in _messages("ar") if isinstance(m.id, str)}
    french = {m.id: m.string for m in _messages("fr") if isinstance(m.id, str)}
    assert re.search(r"[\u0600-\u06ff]", arabic["Your cart"])
    assert french["Your cart"] == "Votre panier"
    same_as_english = [k for k, v in arabic.items() if v == k and re.search("[a-z]{3}", k)]
    assert same_as_english == []

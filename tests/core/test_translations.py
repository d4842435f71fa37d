"""Every message the app shows exists, translated, in the English, Czech and Ukrainian catalogs."""
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "cs", "uk")
METHOD_MAP = [("council/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.do"}}


def _source_messages() -> set[str]:
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None,
                "lazy_gettext": None, "lazy_ngettext": (1, 2)}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, OPTIONS, keywords=keywords
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(language: str):
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as po:
        return read_po(po, locale=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_in_the_code_is_translated(language):
    catalog = _catalog(language)
    missing, empty, fuzzy = [], [], []
    for text in sorted(_source_messages()):
        message = catalog.get(text)
        if message is None:
            missing.append(text)
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            empty.append(text)
        if message.fuzzy:
            fuzzy.append(text)
    assert not missing, f"{language}: not in the catalog (run `make messages`): {missing[:10]}"
    assert not empty, f"{language}: untranslated: {empty[:10]}"
    assert not fuzzy, f"{language}: fuzzy: {fuzzy[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_are_complete(language):
    catalog = _catalog(language)
    for message in catalog:
        if message.id and message.pluralizable:
            assert len(message.string) == catalog.num_plurals, message.id

"""Languages of documents: message catalogs, review state, dates and numbers.

Catalogs are gettext ``.po`` files under ``careerpath/locale/<lang>/LC_MESSAGES/
documents.po``, read at run time with Babel (no compile step: the ``.po`` is
what translators edit and what ships). English is the source language; the
other catalogs carry their review state in their header, ``X-Reviewed-By:
null`` until a native speaker signs off (the same header the command-line
catalogs use).

Dates, numbers and money go through Babel (CLDR) for the document's locale.
CLDR has no Hmong (``hmn``): Hmong dates use a small month-name table below
(RPA spelling, marked for native review) and numbers use US conventions,
which is what Hmong readers in California see every day.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional

LANGUAGES = ("en", "es", "vi", "hy", "hmn", "ru")
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "documents"

# Babel locale per document language. English and Spanish are read in
# California here, so they take US conventions; the others their own.
_BABEL_LOCALE = {"en": "en_US", "es": "es_US", "vi": "vi", "hy": "hy", "ru": "ru"}

# Hmong (White Hmong / Hmoob Dawb, RPA script). CLDR has no locale for it.
# NEEDS NATIVE REVIEW: month names as commonly written in US Hmong materials.
HMONG_MONTHS = (
    "Lub Ib Hlis", "Lub Ob Hlis", "Lub Peb Hlis", "Lub Plaub Hlis", "Lub Tsib Hlis", "Lub Rau Hli",
    "Lub Xya Hli", "Lub Yim Hli", "Lub Cuaj Hli", "Lub Kaum Hli", "Lub Kaum Ib Hlis", "Lub Kaum Ob Hlis",
)
HMONG_REVIEWED = False


def base_language(tag: str) -> str:
    """``es-MX`` -> ``es``; ``RU`` -> ``ru`` (catalogs are kept per base language)."""
    return tag.replace("_", "-").split("-")[0].lower()


# ---------------------------------------------------------------- formatting

@dataclass(frozen=True)
class Formatter:
    """Dates, numbers and money for one document language."""

    lang: str

    @property
    def babel_locale(self) -> Optional[str]:
        return _BABEL_LOCALE.get(self.lang)

    def date(self, value: Optional[date]) -> Optional[str]:
        """A long, unambiguous date: "March 2, 2026", "2 марта 2026 г."."""
        if value is None:
            return None
        if self.babel_locale is None:
            return hmong_date(value) if self.lang == "hmn" else value.isoformat()
        from babel.dates import format_date

        return format_date(value, "long", locale=self.babel_locale)

    def number(self, value: Optional[float]) -> Optional[str]:
        if value is None:
            return None
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.babel_locale or "en_US")

    def money(self, value: Optional[float], currency: Optional[str]) -> Optional[str]:
        if value is None:
            return None
        from babel.numbers import format_currency

        return format_currency(value, currency or "USD", locale=self.babel_locale or "en_US")


def hmong_date(value: date) -> str:
    """Hmong long date, day first as in US Hmong print: "2 Lub Peb Hlis 2026" (needs native review)."""
    return f"{value.day} {HMONG_MONTHS[value.month - 1]} {value.year}"


# ---------------------------------------------------------------- catalogs

@dataclass(frozen=True)
class Catalog:
    """One language's translations (fuzzy and empty entries are left out)."""

    lang: str
    messages: dict
    reviewed_by: Optional[str]
    fuzzy: frozenset = frozenset()  # msgids whose translation is marked fuzzy (not used in documents)

    def gettext(self, message: str) -> str:
        return self.messages.get(message) or message

    def has(self, message: str) -> bool:
        return self.lang == SOURCE_LANGUAGE or bool(self.messages.get(message))

    @property
    def reviewed(self) -> bool:
        return self.lang == SOURCE_LANGUAGE or bool(self.reviewed_by)


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def available_languages() -> list[str]:
    """Languages that have a document catalog (the source language always)."""
    found = {SOURCE_LANGUAGE}
    if LOCALE_DIR.is_dir():
        found |= {p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()}
    return sorted(found)


_REVIEWED_BY = re.compile(r'^"X-Reviewed-By: *([^"\\]*)\\n"$', re.M)


def review_of(lang: str) -> dict:
    """The review record of a catalog: ``{"reviewed_by": None}`` until a native speaker signs off.

    Babel drops unknown headers, so ``X-Reviewed-By`` is read from the file's text.
    """
    path = catalog_path(lang)
    reviewer = None
    if path.is_file():
        found = _REVIEWED_BY.search(path.read_text(encoding="utf-8"))
        value = found.group(1).strip() if found else ""
        reviewer = None if value.lower() in ("", "null", "none", "~") else value
    return {"reviewed_by": reviewer}


@functools.lru_cache(maxsize=None)
def load_catalog(lang: str) -> Catalog:
    """The catalog of ``lang`` read from its ``.po`` file (an empty one if there is none)."""
    messages: dict = {}
    fuzzy: set[str] = set()
    path = catalog_path(lang)
    if path.is_file():
        from babel.messages.pofile import read_po

        with path.open("rb") as fh:
            po = read_po(fh, locale=None, domain=DOMAIN)
        for entry in po:
            if not entry.id or isinstance(entry.id, tuple):
                continue
            if entry.fuzzy:
                fuzzy.add(entry.id)
                continue
            if isinstance(entry.string, str) and entry.string:
                messages[entry.id] = entry.string
    return Catalog(lang, messages, review_of(lang)["reviewed_by"], frozenset(fuzzy))


def catalog_stats(lang: str, msgids: set[str]) -> dict:
    """How much of ``msgids`` a language covers (for ``careerpath i18n status``)."""
    cat = load_catalog(lang)
    translated = sum(1 for m in msgids if cat.has(m))
    fuzzy = sum(1 for m in msgids if not cat.has(m) and m in cat.fuzzy)
    return {"lang": lang, "total": len(msgids), "translated": translated, "fuzzy": fuzzy,
            "missing": len(msgids) - translated - fuzzy, "reviewed_by": cat.reviewed_by,
            "source": lang == SOURCE_LANGUAGE}

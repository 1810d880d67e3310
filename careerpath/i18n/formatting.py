"""Dates, numbers and money for people to read: one formatter for the CLI and the documents.

CLDR (through Babel) for every language that has a locale in
:data:`~careerpath.i18n.languages.CLDR_LOCALES`. Hmong has none in the Latin
(RPA) script its readers use, so Hmong dates use the month table below (day
first, as in US Hmong print: "2 Lub Peb Hlis 2026") in the CLI and in documents
alike, and Hmong numbers use US conventions, which is what Hmong readers in
California see every day. The table is marked for native review.

English CLI output keeps ISO 8601 dates (:func:`display_date`): the form the
files, JSON and CSV use and that scripts grep for. Babel is imported only when
a date or number is formatted for people, so English never loads it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Optional

from .choice import current
from .languages import CLDR_LOCALES, SOURCE_LANGUAGE, base_language

# Hmong (White Hmong / Hmoob Dawb, RPA script). NEEDS NATIVE REVIEW: month names as
# commonly written in US Hmong materials.
HMONG_MONTHS = (
    "Lub Ib Hlis", "Lub Ob Hlis", "Lub Peb Hlis", "Lub Plaub Hlis", "Lub Tsib Hlis", "Lub Rau Hli",
    "Lub Xya Hli", "Lub Yim Hli", "Lub Cuaj Hli", "Lub Kaum Hli", "Lub Kaum Ib Hlis", "Lub Kaum Ob Hlis",
)
HMONG_REVIEWED = False
#: Languages whose dates careerpath writes with its own table, CLDR having none.
OWN_DATE_FORMS = ("hmn",)
#: Numbers of a language without a CLDR locale follow this one.
NUMBER_FALLBACK = "en_US"
#: Money is written the way the currency's home country writes it, whatever the document's language:
#: a Californian wage is "$17.25" in a Vietnamese or Russian document too (not "17,25 US$"), as on the
#: person's pay stub and job offer; a Russian wage "25 000,00 ₽". Another currency: the document's locale.
CURRENCY_HOME_LOCALES = {"USD": "en_US", "RUB": "ru_RU"}


def hmong_date(value: date) -> str:
    """Hmong date, day first as in US Hmong print: "2 Lub Peb Hlis 2026" (needs native review)."""
    return f"{value.day} {HMONG_MONTHS[value.month - 1]} {value.year}"


def format_date(d: date, lang: Optional[str] = None, format: str = "medium") -> str:
    """A date for people to read in ``lang`` (default: the CLI's): CLDR ``format`` (medium, long, full).

    Hmong: the month table, whatever the form. A language with neither: ISO 8601.
    """
    lang = base_language(lang or current())
    if lang in OWN_DATE_FORMS:
        return hmong_date(d)
    locale = CLDR_LOCALES.get(lang)
    if locale is None:
        return d.isoformat()
    return _cldr_date(d, format, locale)


@functools.lru_cache(maxsize=8192)
def _cldr_date(d: date, format: str, locale: str) -> str:
    """Babel's date for (day, form, locale), kept: a batch of documents formats the same few thousand
    days tens of thousands of times, and Babel parses the locale and the pattern on every call (CLDR data
    is shipped with the package, so the answer cannot change within a process)."""
    from babel.dates import format_date as cldr_format

    return cldr_format(d, format=format, locale=locale)


def display_date(d, lang: Optional[str] = None) -> str:
    """A date in CLI output (tables, show, messages): the medium form of :func:`format_date`.

    English keeps ISO 8601 (2026-11-22). ``d`` may be a date or an ISO string;
    other text is returned as it is, None as ''.
    """
    lang = lang or current()
    if isinstance(d, str):
        try:
            d = date.fromisoformat(d)
        except ValueError:
            return d
    if d is None:
        return ""
    if lang == SOURCE_LANGUAGE:
        return d.isoformat()
    return format_date(d, lang)


def format_number(n, lang: Optional[str] = None) -> str:
    """A number in ``lang``'s convention (English integers without loading Babel: 20,519)."""
    lang = base_language(lang or current())
    if lang == SOURCE_LANGUAGE and isinstance(n, int):
        return f"{n:,}"
    from babel.numbers import format_decimal

    return format_decimal(n, locale=CLDR_LOCALES.get(lang, NUMBER_FALLBACK))


@dataclass(frozen=True)
class Formatter:
    """Dates, numbers and money for one document language (the same rules as the CLI's)."""

    lang: str

    @property
    def babel_locale(self) -> Optional[str]:
        return CLDR_LOCALES.get(base_language(self.lang))

    def date(self, value: Optional[date]) -> Optional[str]:
        """A long, unambiguous date: "March 2, 2026", "2 марта 2026 г.", "2 Lub Peb Hlis 2026"."""
        return None if value is None else format_date(value, self.lang, "long")

    def number(self, value: Optional[float]) -> Optional[str]:
        if value is None:
            return None
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self.babel_locale or NUMBER_FALLBACK)

    def money(self, value: Optional[float], currency: Optional[str]) -> Optional[str]:
        if value is None:
            return None
        from babel.numbers import format_currency

        currency = currency or "USD"
        locale = CURRENCY_HOME_LOCALES.get(currency.upper()) or self.babel_locale or NUMBER_FALLBACK
        return format_currency(value, currency, locale=locale)

"""What ``--redact`` looks for besides exact values: personal data by its shape.

:mod:`careerpath.redact` knows the values of a caseload; people write them
differently in notes and summaries: names in capitals, in lower case, without
diacritics, inside a hyphenated surname, with initials (``ГАЛИЕВА А.Р.``,
``jamal``, ``Pham Thi Hong``, ``Delgado-Ruiz``); a birth date in any order of
day, month and year, with a two-digit year or a month name in one of the six
languages (``2 Nov 1994``, ``1994/11/02``, ``02.11.94``, ``19941102``,
``Sept. 23, 1987``); a phone with any separators and national prefix
(``89175554128``) or without its area code (``555-0117``); an address by its
house number and street (``88 Laurel St``, ``ул. Садовая, 9-41``). This module
holds the pure helpers for that:

* :func:`fold` / :func:`fold_map`: case- and diacritic-blind text, with a map
  back to positions in the original;
* :func:`date_spans`: every date-shaped span of a text with the dates it can
  mean (all orders of its numbers, both centuries of a two-digit year);
* :func:`birth_context_spans`: a date written after "DOB", "born",
  "дата рождения"... (a birth date the caseload does not know);
* :data:`PHONE_SHAPES`: phone numbers of North America and Russia, and any
  number written with a ``+`` country code;
* :func:`address_pattern` and :data:`STREET_SHAPES`: a known address by house
  number and street words, and any US or Russian street address.

Everything here is case- and order-deterministic and never raises on any text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date
from typing import Iterator, Optional

# letters with no decomposition that people drop anyway (Nguyễn Đức -> Nguyen Duc)
_SPECIAL = str.maketrans({"đ": "d", "ø": "o", "ł": "l", "ı": "i", "ħ": "h", "ŧ": "t", "ð": "d", "þ": "th", "æ": "ae",
                          "œ": "oe"})


#: characters seen so far that fold to more or fewer than one (ß -> ss, a lone combining mark -> ''):
#: only a text holding one needs a position map
_NOT_ONE: set[str] = set()


@functools.lru_cache(maxsize=16384)
def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKD", ch.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c)).translate(_SPECIAL)
    if len(folded) != 1:
        _NOT_ONE.add(ch)
    return folded


def fold(text: str) -> str:
    """``text`` case- and diacritic-blind: ``SOFÍA`` and ``sofia``, ``Phạm`` and ``pham``, ``Пётр`` and ``петр``."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def fold_map(text: str) -> tuple[str, Optional[list[int]]]:
    """(:func:`fold` of ``text``, index of each folded character in ``text`` plus one past the end);
    None for the map when every character folds to one (ASCII), so positions are the same."""
    if text.isascii():
        return text.lower(), None
    folded = "".join(map(_fold_char, text))
    if not _NOT_ONE.intersection(text):  # every character folded to one: positions are the same
        return folded, None
    parts, where = [], []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        parts.append(f)
        where.extend([i] * len(f))
    where.append(len(text))
    return "".join(parts), where


def original_span(where: Optional[list[int]], start: int, end: int) -> tuple[int, int]:
    """A span of the folded text as a span of the original."""
    if where is None:
        return start, end
    return where[start], (where[end] if end < len(where) else where[-1])


# ---------------------------------------------------------------- dates

#: month names in English that CLDR leaves out (its abbreviation of September is "Sep")
_EXTRA_MONTHS = {"sept": 9, "janv": 1, "fevr": 2}


@functools.lru_cache(maxsize=1)
def month_names() -> dict[str, int]:
    """Folded month name -> month number, every form of the six languages (wide, abbreviated, format
    and stand-alone: "noviembre", "nov", "ноября", "нояб", "նոյեմբերի", Hmong "lub kaum ib hlis")."""
    names: dict[str, int] = dict(_EXTRA_MONTHS)
    try:
        from babel import Locale

        from .i18n.languages import CLDR_LOCALES

        for locale in CLDR_LOCALES.values():
            months = Locale.parse(locale).months
            for context in ("format", "stand-alone"):
                for width in ("wide", "abbreviated"):
                    for number, name in months[context][width].items():
                        key = fold(name).rstrip(".")
                        if key and not key.isdigit():
                            names.setdefault(key, number)
    except Exception:  # babel missing: English and Hmong below still hold
        pass
    for number, name in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                   "september", "october", "november", "december"), 1):
        names.setdefault(name, number)
        names.setdefault(name[:3], number)
    from .i18n.formatting import HMONG_MONTHS

    for number, name in enumerate(HMONG_MONTHS, 1):
        names[fold(name)] = number
    return names


@functools.lru_cache(maxsize=1)
def _date_regexes() -> tuple[re.Pattern, ...]:
    months = "|".join(re.escape(m).replace(r"\ ", r"\s+") for m in sorted(month_names(), key=lambda m: (-len(m), m)))
    mon = rf"(?P<mon>{months})(?![^\W\d_])\.?"
    year = r"(?P<y>\d{4}|\d{2})(?!\d|[./\-]\d)"
    suffix = r"(?:\s*(?:г\.?|года|թ\.?))?"
    return (
        # 2 Nov 1994, 2 de noviembre de 1994, 2 ноября 1994 г., 23-Sep-87, 2 Lub Kaum Ib Hlis 1994
        re.compile(rf"(?<![\w.])(?P<d>\d{{1,2}})(?:st|nd|rd|th|-?го|-?ին)?\.?[\s\-/]*(?:de\s+|of\s+)?{mon}[\s,\-/]*"
                   rf"(?:de\s+|del\s+)?{year}{suffix}"),
        # Nov 2, 1994; Sept. 23, 1987; Wednesday, November 2, 1994
        re.compile(rf"(?<![^\W\d_]){mon}\s*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\.?,?\s*{year}"),
        # 1994 թ. նոյեմբերի 2 (Armenian); 1994 Nov 2
        re.compile(rf"(?<![\w.])(?P<y>\d{{4}})\s*(?:թ\.?)?,?\s*{mon}\s*(?P<d>\d{{1,2}})(?!\d)"),
        # 2 tháng 11, 1994; ngày 2 tháng 11 năm 1994; 2 thg 11, 1994 (Vietnamese: the month is a number)
        re.compile(r"(?<![\w.])(?P<d>\d{1,2})\s+(?:thang|thg)\s*(?P<m>\d{1,2}),?\s*(?:nam\s+)?(?P<y>\d{4}|\d{2})(?!\d)"),
        # 1994-11-02, 02.11.94, 11/2/1994, 2 11 1994: three numbers, one separator
        re.compile(r"(?<![\w.\-/])(?P<a>\d{1,4})(?P<sep>\s?[./\-]\s?|\s)(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})"
                   r"(?![\w]|[./\-]\d)"),
        # 19941102, 02111994, 021194
        re.compile(r"(?<![\w.\-/])(?P<run>\d{8}|\d{6})(?![\w]|[./\-]\d)"),
    )


def _valid(y: int, m: int, d: int) -> Optional[date]:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _years(text: str) -> list[int]:
    y = int(text)
    return [y] if len(text) == 4 else [1900 + y, 2000 + y] if len(text) == 2 else []


def _readings(groups: dict[str, Optional[str]]) -> set[date]:
    """Every date a matched span can mean."""
    found: set[Optional[date]] = set()
    if groups.get("run"):
        run = groups["run"]
        if len(run) == 8:
            found |= {_valid(int(run[:4]), int(run[4:6]), int(run[6:])), _valid(int(run[4:]), int(run[2:4]), int(run[:2])),
                      _valid(int(run[4:]), int(run[:2]), int(run[2:4]))}
        else:
            for y in _years(run[4:]):
                found |= {_valid(y, int(run[2:4]), int(run[:2])), _valid(y, int(run[:2]), int(run[2:4]))}
            for y in _years(run[:2]):
                found.add(_valid(y, int(run[2:4]), int(run[4:])))
    elif groups.get("a"):
        a, b, c = groups["a"], groups["b"], groups["c"]
        if len(a) == 4:
            found |= {_valid(int(a), int(b), int(c)), _valid(int(a), int(c), int(b))} if len(c) <= 2 else set()
        elif len(c) in (2, 4) and len(a) <= 2:
            for y in _years(c):
                found |= {_valid(y, int(b), int(a)), _valid(y, int(a), int(b))}
            if len(a) == 2 and len(c) == 2:  # 94-11-02
                for y in _years(a):
                    found.add(_valid(y, int(b), int(c)))
    else:
        month = int(groups["m"]) if groups.get("m") else month_names().get(re.sub(r"\s+", " ", groups.get("mon") or ""))
        if month:
            for y in _years(groups["y"]):
                found.add(_valid(y, month, int(groups["d"])))
    return {d for d in found if d is not None}


def date_spans(folded: str, overlapping: bool = False) -> Iterator[tuple[int, int, set[date]]]:
    """(start, end, the dates it can mean) of each date-shaped span of a :func:`fold`-ed text, left to right,
    not overlapping: where two readings overlap, the one that starts first (then the longer) is taken.

    Each shape is looked for at every position, not only after its previous match: in
    ``1987 թ. սեպ 23 09 23 1987`` the three numbers ``23 09 23`` overlap the first date, and
    ``09 23 1987`` (the second) must still be found. ``overlapping``: every span, overlaps included
    (the redactor replaces each one that means a birth date, so a wrong first reading hides nothing).
    """
    found = []
    for rx in _date_regexes():
        pos = 0
        while (m := rx.search(folded, pos)) is not None:
            dates = _readings(m.groupdict())
            if dates:
                found.append((m.start(), m.end(), dates))
            pos = m.start() + 1
    last = -1
    for s, e, dates in sorted(found, key=lambda f: (f[0], -f[1])):
        if overlapping or s >= last:
            last = max(last, e)
            yield s, e, dates


#: words that say the next (or previous) date is a birth date, folded, in the six languages
_BIRTH_WORDS = (r"d\.?\s?o\.?\s?b\.?", r"date\s+of\s+birth", r"birth\s*date", r"birthday", r"born(?:\s+on)?",
                r"b\.", r"fecha\s+de\s+nacimiento", r"f\.\s*nac\.?", r"nacid[oa](?:\s+el)?", r"nacio(?:\s+el)?",
                r"ngay\s+sinh", r"sinh\s+ngay", r"sinh\s+nam", r"дата\s+рождения", r"д\.\s?р\.", r"родил(?:ся|ась)",
                r"ծննդյան\s+ամսաթիվ", r"ծննդյան\s+օր", r"ծնվել\s+է", r"ծնված", r"hnub\s+yug", r"yug\s+rau")


@functools.lru_cache(maxsize=1)
def _birth_word() -> tuple[re.Pattern, re.Pattern]:
    before = re.compile(r"(?<![^\W\d_])(?:" + "|".join(_BIRTH_WORDS) + r")\s*[:\-–—՝,]?\s*$")
    after = re.compile(r"^\s*(?:г\.\s?р\.|года\s+рождения)")
    return before, after


def birth_context(folded: str, start: int, end: int) -> bool:
    """Whether a birth word names the date at ``start:end``: ``DOB: 03/04/1990``, ``born 2 Nov 1994``,
    ``23.09.87 г.р.``."""
    before, after = _birth_word()
    return bool(before.search(folded[max(0, start - 40):start]) or after.match(folded[end:end + 20]))


def birth_context_spans(folded: str) -> Iterator[tuple[int, int, set[date]]]:
    """The date-shaped spans that a birth word names (:func:`birth_context`)."""
    for s, e, dates in date_spans(folded):
        if birth_context(folded, s, e):
            yield s, e, dates


# ---------------------------------------------------------------- phones

#: phone numbers by their shape, whoever's they are (run over the original text)
PHONE_SHAPES = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+?1[\s.\-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.\-])\d{3}[\s.\-]\d{4}"                   # (408) 555-0142, 408.555.0142
    r"|(?:\+7|8)[\s\-]?\(?\d{3}\)?[\s\-]?\d{3}[\s\-]?\d{2}[\s\-]?\d{2}"                  # +7 917 555-41-28, 89175554128
    r"|\+\d{1,3}(?:[\s.\-]?\(?\d{1,4}\)?){2,6}"                                          # any number with a country code
    r")(?![\w\-]|[.]\d)")


def phone_digits(text: str) -> str:
    return re.sub(r"\D", "", text)


# ---------------------------------------------------------------- addresses

_STREET_TYPES = ("street", "st", "avenue", "ave", "av", "road", "rd", "boulevard", "blvd", "drive", "dr", "lane", "ln",
                 "way", "court", "ct", "place", "pl", "terrace", "ter", "parkway", "pkwy", "highway", "hwy", "circle",
                 "cir", "square", "sq", "trail", "trl", "loop")
_RU_TYPES = ("ул", "улица", "пр", "просп", "проспект", "пер", "переулок", "б-р", "бульвар", "ш", "шоссе", "наб",
             "набережная", "пл", "площадь", "мкр", "микрорайон", "проезд", "тупик")
_ES_TYPES = ("calle", "avenida", "camino", "paseo", "plaza")
_UNIT = r"(?:,?\s*(?:apt|apartment|unit|suite|ste|#|кв|квартира|корп|корпус|стр|строение|д|дом)\.?\s*#?\d+[\w\-/]*)"
_NAME = r"[^\W\d_][\w'’\-]*"

#: street addresses by shape, whoever's they are, over folded text: "1450 alder court, apt 6", "ул. садовая, д. 9, кв. 41"
STREET_SHAPES = re.compile(
    rf"(?<![\w\-])(?:"
    rf"\d{{1,6}}[a-z]?\s+(?:{_NAME}\s+){{1,3}}(?:{'|'.join(_STREET_TYPES)})(?![\w\-])\.?{_UNIT}*"
    rf"|(?:{'|'.join(map(re.escape, _RU_TYPES))})(?:\.\s*|\s+){_NAME}(?:\s+{_NAME})?,?\s*(?:д\.?\s*)?\d+[\w\-/]*{_UNIT}*"
    rf"|(?:{'|'.join(_ES_TYPES)})\s+(?:de\s+)?{_NAME}(?:\s+{_NAME})?,?\s*(?:n[.ºo°]*\s*)?\d+[\w\-/]*{_UNIT}*"
    rf")")

_ADDRESS_TYPE = re.compile(rf"^(?:{'|'.join(map(re.escape, _STREET_TYPES + _RU_TYPES + _ES_TYPES))})$")
_UNIT_WORD = re.compile(r"^(?:apt|apartment|unit|suite|ste|кв|квартира|корп|корпус|стр|строение|д|дом|г|город|n)$")


def address_parts(address: str) -> Optional[tuple[str, list[str]]]:
    """(house number, street words folded) of an address: ``88 Laurel Street, …`` -> ("88", ["laurel"]);
    ``г. Набережные Челны, ул. Садовая, д. 9, кв. 41`` -> ("9", ["садовая"]). None when it has neither."""
    segments = [fold(s).strip() for s in address.split(",")]
    for i, seg in enumerate(segments):
        words = re.findall(r"[^\W\d_][\w\-]*|\d+[a-z]?", seg)
        number = next((w for w in words if w[0].isdigit()), None)
        street = [w for w in words if not w[0].isdigit() and not _ADDRESS_TYPE.match(w) and not _UNIT_WORD.match(w)]
        typed = any(_ADDRESS_TYPE.match(w) for w in words)
        if number and street:  # 88 Laurel Street
            return number, street
        if typed and street and not number:  # ул. Садовая, д. 9
            for later in segments[i + 1:]:
                n = re.search(r"\d+", later)
                if n:
                    return n.group(0), street
    return None


def _word_pattern(word: str) -> str:
    if re.search(r"[а-яё]", word) and len(word) >= 5:  # Садовая, Садовой, Садовую
        return re.escape(word[:-2]) + r"[а-яё]{0,3}"
    return re.escape(word)


def address_pattern(number: str, street: list[str]) -> str:
    """A regex (over folded text) for one known address written by house number and street words, in either order."""
    words = r"[\s\-]+".join(_word_pattern(w) for w in street)
    types = "|".join(map(re.escape, _STREET_TYPES + _RU_TYPES + _ES_TYPES))
    kind = rf"(?:(?:{types})(?![\w\-])\.?)"
    num = re.escape(number)
    return (rf"(?:(?<![\w\-]){num}\s+{words}(?![\w\-])(?:\s+{kind})?{_UNIT}*"
            rf"|(?:{kind}\s*)?(?<![\w\-]){words}(?![\w\-])(?:\s*{kind})?,?\s*(?:д\.?\s*|n[.ºo°]*\s*)?{num}(?![\d])[\w\-/]*{_UNIT}*)")

"""The languages careerpath speaks: one list, their own names, their CLDR locales.

Every module that needs the list of languages reads it here (catalogues,
documents, rule titles, program names, coverage); nothing keeps its own copy.
"""

from __future__ import annotations

#: Languages the tool and its documents are complete in, in the order reports list them.
LANGUAGES: tuple[str, ...] = ("en", "es", "vi", "hy", "hmn", "ru")
#: Each language's name in itself (what a language menu shows).
LANGUAGE_NAMES = {"en": "English", "es": "Español", "vi": "Tiếng Việt", "hy": "Հայերեն", "hmn": "Hmoob", "ru": "Русский"}
SOURCE_LANGUAGE = "en"
#: The CLDR locale of each language's dates and numbers. English and Spanish are
#: read in California here, so they take US conventions. Hmong has none: ``hmn``
#: is unknown to CLDR, and ``mww``/``hnj`` are in Nyiakeng Puachue script, not
#: the RPA Latin letters US Hmong readers use (see formatting.py).
CLDR_LOCALES = {"en": "en_US", "es": "es_US", "vi": "vi", "hy": "hy", "ru": "ru"}
#: Plural rules written into catalogues Babel cannot initialise (``pybabel init -l hmn`` fails).
PLURAL_FORMS = {"hmn": "nplurals=1; plural=0;"}


def base_language(tag: str) -> str:
    """``es-MX`` -> ``es``; ``RU`` -> ``ru``; ``ru_RU.UTF-8`` -> ``ru`` (catalogues are kept per base language)."""
    return tag.split(".")[0].replace("_", "-").split("-")[0].strip().lower()


#: Language tags of variants careerpath has no catalogue for, read in the nearest one it has:
#: code -> (catalogue language, the variant's English name: a documents msgid). The catalogue's
#: Hmong is White Hmong (Hmoob Dawb, RPA); Armenian is Eastern Armenian. A document for one of
#: these says which variant the reader uses and that it is written in the nearest one.
VARIANTS: dict[str, tuple[str, str]] = {
    "mww": ("hmn", "White Hmong"),
    "hnj": ("hmn", "Mong Leng"),
    "hyw": ("hy", "Western Armenian"),
}


def catalogue_language(tag: str) -> str:
    """The catalogue a language tag is read in: ``es-MX`` -> ``es``, ``mww`` -> ``hmn``, ``hyw`` -> ``hy``."""
    base = base_language(tag)
    return VARIANTS[base][0] if base in VARIANTS else base


def variant_of(tag: str) -> str:
    """The English name of the variant a tag names (``hnj`` -> "Mong Leng"), or '' for a catalogue's own language."""
    found = VARIANTS.get(base_language(tag))
    return found[1] if found else ""

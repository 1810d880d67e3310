"""The tool's languages: which one the user gets, its catalogues, its dates, and messages as values.

Modules (each short; import from this package, not from them):

    languages    the one list of languages, their own names, CLDR locales, plural rules, the
                 variants read in the nearest catalogue (mww, hnj -> hmn; hyw -> hy)
    choice       choosing the user's language (--lang, CAREERPATH_LANG, locale), use(), current()
    catalogues   the one catalogue class (a parsed .po) and the lookup order:
                 caseload program -> built-in program -> core, for the cli and documents domains
    formatting   the one date/number/money formatter, used by the CLI and the documents
                 (Hmong's month table in both; money in the currency's home convention)
    tags         language tags in files: BCP 47 against the IANA registry, did-you-mean
    messages     Message: English text with its msgid and arguments, rendered again at display time
    translate    _, N_, ngettext, pgettext, display (stored values), text (a Message for display)

Stored values are never translated (``overdue`` stays ``overdue`` in files,
JSON and CSV); only their display is. The library writes English Messages;
the CLI renders them in the user's language when it prints them. English
never reads a catalogue nor imports Babel, so ``careerpath --help`` stays
fast. See docs/i18n.md.
"""

from .catalogues import (LOCALE_DIR, Catalogue, Translations, available, catalogue, catalogue_path, read_catalogue,
                         reviewed_by, translations, use_caseload)
from .choice import Choice, choose, current, lang_in_args, normalize, use
from .formatting import Formatter, display_date, format_date, format_number
from .languages import CLDR_LOCALES, LANGUAGE_NAMES, LANGUAGES, PLURAL_FORMS, SOURCE_LANGUAGE, base_language
from .messages import CONTEXT, Message, join, message_of
from .translate import DISPLAY_VALUES, N_, _, display, ngettext, pgettext, text, translated

__all__ = [
    "CLDR_LOCALES", "CONTEXT", "DISPLAY_VALUES", "LANGUAGES", "LANGUAGE_NAMES", "LOCALE_DIR", "PLURAL_FORMS",
    "SOURCE_LANGUAGE", "Catalogue", "Choice", "Formatter", "Message", "N_", "Translations", "_", "available",
    "base_language", "catalogue", "catalogue_path", "choose", "current", "display", "display_date", "format_date",
    "format_number", "join", "lang_in_args", "message_of", "ngettext", "normalize", "pgettext", "read_catalogue",
    "reviewed_by", "text", "translated", "translations", "use", "use_caseload",
]

"""The calls code makes to speak the user's language: ``_``, ``ngettext``, ``pgettext``, ``display``, ``text``.

``_``/``ngettext``/``pgettext`` translate the CLI's own words through the
core ``cli`` catalogue of the current language (English: unchanged, no file
read, no Babel). Write them as ``_("… {name} …").format(name=value)`` so the
extractor sees the msgid. :func:`display` shows a stored value (``overdue``)
in the current language while files, JSON and CSV keep the value itself.
:func:`text` renders a library :class:`~careerpath.i18n.messages.Message` at
display time, searching a caseload's program catalogues, then the built-in
programs', then the core (see catalogues.py).
"""

from __future__ import annotations

from typing import Optional

from .catalogues import catalogue, caseload_in_use, translations
from .choice import current
from .formatting import display_date
from .languages import SOURCE_LANGUAGE
from .messages import Message

#: Stored values whose *display* is translated, by message context.
DISPLAY_VALUES: dict[str, tuple[str, ...]] = {
    "status": ("done", "overdue", "due-soon", "upcoming", "partial", "scheduled", "invalid"),
    "severity": ("error", "warning"),
    "case-status": ("active", "closed"),
    # careerpath.models.CaseStaff: the roles a case names its staff by
    "check-status": ("ok", "warn", "fail"),  # careerpath.doctor.Finding.status
    # careerpath.doctor.Finding.check (and careerpath.team.setup.check_team's): JSON keeps the id
    "doctor-check": ("python", "yaml", "git", "git identity", "extra weasyprint", "extra babel", "extra filelock",
                     "caseload", "locale data", "leftovers", "cache", "cache key", "cache in git", "cache folder",
                     "cache files", "change journal", "permissions", "repository", "gitignore", "remotes", "git lock",
                     "recording", "signing", "signing keys", "merge driver", "remote"),
    "staff-role": ("navigator", "ces", "counselor", "curator", "psychologist", "job-coach"),
    # careerpath.closing.CORE_REASONS (a program's own reasons show as written)
    "closure-reason": ("employed", "ineligible", "declined-services", "unable-to-locate", "moved", "deceased",
                       "transferred", "completed", "other"),
}


def _(msgid: str) -> str:
    """Translate a CLI message into the current language (English: unchanged, no catalogue read)."""
    lang = current()
    return msgid if lang == SOURCE_LANGUAGE else catalogue(lang).gettext(msgid)


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it now."""
    return msgid


def ngettext(singular: str, plural: str, n: int) -> str:
    lang = current()
    if lang == SOURCE_LANGUAGE:
        return singular if n == 1 else plural
    return catalogue(lang).ngettext(singular, plural, n)


def pgettext(context: str, msgid: str) -> str:
    lang = current()
    return msgid if lang == SOURCE_LANGUAGE else catalogue(lang).gettext(msgid, context)


def display(context: str, value: str) -> str:
    """How a stored value (``overdue``, ``error``) reads on screen; the value itself never changes."""
    return pgettext(context, value)


def translated(value: Optional[str], lang: Optional[str] = None) -> bool:
    """Whether ``value`` reads in ``lang``: English always does; else a Message whose msgid a catalogue translates."""
    lang = lang or current()
    if lang == SOURCE_LANGUAGE:
        return True
    if not isinstance(value, Message):
        return False
    return translations(lang, "cli", caseload_in_use()).lookup(value.msgid, value.context) is not None


def text(value: Optional[str], lang: Optional[str] = None) -> str:
    """A library message for display in ``lang`` (default: the current language).

    A :class:`Message` is rendered from the catalogues; plain text (a parser's
    own words, a value already translated by ``_``) is shown as it is.
    """
    if not value:
        return ""
    lang = lang or current()
    if not isinstance(value, Message) or lang == SOURCE_LANGUAGE:
        return str(value)
    found = translations(lang, "cli", caseload_in_use())
    return value.render(found.lookup, lambda d: display_date(d, lang))

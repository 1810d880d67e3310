"""Which language the user gets: chosen once per run, from the command line, environment or locale.

:func:`choose` is called by :func:`careerpath.cli.main` before typer builds the
commands (so help texts can be translated): ``--lang`` anywhere on the command
line, then ``CAREERPATH_LANG``, then the locale (``LC_ALL``, ``LC_MESSAGES``,
``LANG``), else English. :func:`use` makes the choice the language of every
later message; :func:`current` reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

from .languages import LANGUAGES, SOURCE_LANGUAGE

_state = {"lang": SOURCE_LANGUAGE}


@dataclass(frozen=True)
class Choice:
    """The language chosen, where it came from, and a note for stderr (or '')."""

    lang: str
    source: str  # "--lang", "CAREERPATH_LANG", "LC_ALL", "LC_MESSAGES", "LANG" or "default"
    note: str = ""


def normalize(tag: Optional[str]) -> Optional[str]:
    """``ru_RU.UTF-8`` -> ``ru``, ``es-US`` -> ``es``, ``C``/``POSIX``/'' -> None (means English)."""
    if not tag:
        return None
    base = tag.split(":")[0].split(".")[0].split("@")[0].replace("-", "_").strip().lower()
    if base in ("", "c", "posix"):
        return None
    from .languages import catalogue_language

    return catalogue_language(base.split("_")[0])  # mww (White Hmong) -> hmn


def lang_in_args(args: Sequence[str]) -> Optional[str]:
    """The value of the last ``--lang X`` / ``--lang=X`` before a bare ``--``, or None."""
    found = None
    it = iter(range(len(args)))
    for i in it:
        a = args[i]
        if a == "--":
            break
        if a == "--lang" and i + 1 < len(args):
            found = args[i + 1]
            next(it, None)
        elif a.startswith("--lang="):
            found = a[len("--lang="):]
    return found


def choose(args: Sequence[str], environ: Mapping[str, str]) -> Choice:
    """Pick the CLI language: ``--lang``, then ``CAREERPATH_LANG``, then the locale, then English.

    An explicit choice (option or variable) that careerpath does not know
    falls back to English with a note; an unknown *locale* (say ``de_DE``)
    falls back silently, since the user did not ask careerpath for it.
    """
    explicit = [("--lang", lang_in_args(args)), ("CAREERPATH_LANG", environ.get("CAREERPATH_LANG"))]
    for source, value in explicit:
        if value is None or value == "":
            continue
        lang = normalize(value) or SOURCE_LANGUAGE
        if lang in LANGUAGES:
            return Choice(lang, source)
        note = (f"careerpath: no messages in language '{value}' ({source}); using English. "
                f"Available: {', '.join(LANGUAGES)}")
        return Choice(SOURCE_LANGUAGE, source, note)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(var)
        if value:  # POSIX: the first one set decides, even if it is C
            lang = normalize(value)
            return Choice(lang if lang in LANGUAGES else SOURCE_LANGUAGE, var)
    return Choice(SOURCE_LANGUAGE, "default")


def use(lang: str) -> None:
    """Make ``lang`` the language of every later message (unknown -> English)."""
    _state["lang"] = lang if lang in LANGUAGES else SOURCE_LANGUAGE


def current() -> str:
    return _state["lang"]

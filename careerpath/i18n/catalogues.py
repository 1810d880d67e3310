"""Message catalogues: one class for every ``.po`` file, and the order they are searched in.

A catalogue is a gettext ``.po`` file read at run time with Babel's ``pofile``
reader (no build step: what translators edit is what ships), one per language
and domain: ``cli`` (messages, help, diagnostics) and ``documents`` (the words
of the document templates). They live in three kinds of places, searched in
this order, first translation wins:

1. a caseload's own program folders, ``<caseload>/programs/<id>/locale/``
   (set by :func:`use_caseload` or passed to :func:`translations`);
2. the built-in program folders, ``careerpath/programs/<id>/locale/``;
3. the core, ``careerpath/locale/`` (after ``$CAREERPATH_LOCALE_DIR``, a folder a
   translator can try a catalogue in without reinstalling).

each as ``<dir>/<lang>/LC_MESSAGES/<domain>.po``. A file is parsed once per
process (again when its size or modification time changes); fuzzy entries and
translations whose placeholders differ from the msgid's are left out, so a
catalogue can never break a message. A caseload's catalogues are untrusted:
they are read only from folders inside the caseload, at most 2 MiB each, and
serve messages rendered as values (:mod:`.messages`, which fill in ``{name}``
and nothing else) and document templates, never ``str.format``.
"""

from __future__ import annotations

import functools
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .languages import LANGUAGES, SOURCE_LANGUAGE

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
#: A catalogue in a caseload's program folder larger than this is not read.
MAX_CASELOAD_CATALOGUE = 2 * 1024 * 1024

_state: dict = {"caseload": None}


def split_key(key, context: Optional[str] = None) -> tuple[str, Optional[str]]:
    """``msgid`` or ``(msgctxt, msgid)`` -> (msgid, msgctxt): templates' pgettext strings are keyed with their context."""
    if isinstance(key, tuple):
        return key[1], key[0]
    return key, context


@dataclass(eq=False)  # compared and hashed by identity: one object per parsed file
class Catalogue:
    """One parsed ``.po`` file: translations keyed by (context, msgid), fuzzy ones left out."""

    lang: str
    domain: str
    path: Optional[Path]
    messages: dict = field(default_factory=dict)
    fuzzy: set = field(default_factory=set)  # (context, msgid) of entries marked fuzzy (never used)
    plural_expr: str = "(n != 1)"
    reviewed_by: Optional[str] = None
    error: str = ""  # why the file could not be read (then it translates nothing)
    dropped: int = 0  # translations left out because their placeholders differ from the msgid's
    reviewed_keys: set = field(default_factory=set)  # (context, msgid) of entries marked "# reviewed by NAME"

    @functools.cached_property
    def plural(self):
        import gettext

        try:
            return gettext.c2py(self.plural_expr)
        except (ValueError, SyntaxError, RecursionError):  # a broken Plural-Forms header: English rule
            return gettext.c2py("n != 1")

    def lookup(self, msgid: str, context: Optional[str] = None):
        """The translation (a tuple of forms for a plural entry), or None when there is none."""
        return self.messages.get((context, msgid)) or None

    def gettext(self, msgid: str, context: Optional[str] = None) -> str:
        found = self.lookup(msgid, context)
        return found if isinstance(found, str) else msgid

    def ngettext(self, singular: str, plural: str, n: int, context: Optional[str] = None) -> str:
        found = self.lookup(singular, context)
        if isinstance(found, tuple):
            i = self.plural(n)
            if 0 <= i < len(found) and found[i]:
                return found[i]
        return singular if n == 1 else plural

    def has(self, msgid, context: Optional[str] = None) -> bool:
        """Whether ``msgid`` (or a ``(msgctxt, msgid)`` key) is translated."""
        msgid, context = split_key(msgid, context)
        return self.lang == SOURCE_LANGUAGE or self.lookup(msgid, context) is not None

    @property
    def reviewed(self) -> bool:
        return self.lang == SOURCE_LANGUAGE or bool(self.reviewed_by)


@dataclass(frozen=True)
class Translations:
    """Catalogues of one language and domain searched in order (caseload program, built-in program, core)."""

    lang: str
    catalogues: tuple[Catalogue, ...]

    def lookup(self, msgid: str, context: Optional[str] = None):
        for cat in self.catalogues:
            found = cat.lookup(msgid, context)
            if found is not None:
                return found
        return None

    def gettext(self, msgid: str, context: Optional[str] = None) -> str:
        found = self.lookup(msgid, context)
        return found if isinstance(found, str) else msgid

    def pgettext(self, context: Optional[str], msgid: str) -> str:
        return self.gettext(msgid, context)

    def ngettext(self, singular: str, plural: str, n: int, context: Optional[str] = None) -> str:
        for cat in self.catalogues:
            if isinstance(cat.lookup(singular, context), tuple):
                return cat.ngettext(singular, plural, n, context)
        return singular if n == 1 else plural

    def has(self, msgid, context: Optional[str] = None) -> bool:
        """Whether ``msgid`` (or a ``(msgctxt, msgid)`` key) is translated by one of the catalogues."""
        msgid, context = split_key(msgid, context)
        return self.lang == SOURCE_LANGUAGE or self.lookup(msgid, context) is not None

    @property
    def reviewed(self) -> bool:
        """Every catalogue that exists in the chain is reviewed by a native speaker (the source always is)."""
        return self.lang == SOURCE_LANGUAGE or all(c.reviewed for c in self.catalogues if c.path is not None)

    def reviews(self, keys) -> bool:
        """Every one of ``keys`` (msgids or (msgctxt, msgid)) is reviewed where it is translated: its catalogue
        is reviewed as a whole, or its entry carries a reviewer (``careerpath i18n import``)."""
        if self.reviewed:
            return True
        for key in keys:
            msgid, context = split_key(key)
            cat = next((c for c in self.catalogues if c.lookup(msgid, context) is not None), None)
            if cat is not None and not (cat.reviewed or (context, msgid) in cat.reviewed_keys):
                return False
        return True

    @property
    def reviewed_by(self) -> Optional[str]:
        """The core catalogue's reviewer."""
        return self.catalogues[-1].reviewed_by if self.catalogues else None

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(c.path for c in self.catalogues if c.path is not None)

    def stats(self, msgids) -> dict:
        """How much of ``msgids`` (without context) this language covers (``careerpath i18n status``)."""
        translated = sum(1 for m in msgids if self.has(m))
        fuzzy = sum(1 for m in msgids if not self.has(m)
                    and any(split_key(m)[::-1] in c.fuzzy for c in self.catalogues))
        return {"lang": self.lang, "total": len(msgids), "translated": translated, "fuzzy": fuzzy,
                "missing": len(msgids) - translated - fuzzy, "reviewed_by": self.reviewed_by,
                "source": self.lang == SOURCE_LANGUAGE}


# ------------------------------------------------------------------ reading

_REVIEWED = re.compile(r'^"X-Reviewed-By:[ \t]*(.*?)\\n"\s*$', re.M)


def reviewed_by(text: str) -> Optional[str]:
    """The ``X-Reviewed-By`` header of a .po text; empty or ``null`` -> None (not reviewed).

    Babel drops headers it does not know, so the header is read from the text.
    """
    m = _REVIEWED.search(text)
    value = m.group(1).strip() if m else ""
    return None if value.lower() in ("", "null", "none", "~") else value


def read_catalogue(path: Path, lang: str, domain: str):
    """Parse a .po file with Babel: -> (babel Catalog, reviewed_by)."""
    from babel.messages.pofile import read_po

    raw = path.read_bytes()
    cat = read_po(io.BytesIO(raw), locale=None, domain=domain)
    return cat, reviewed_by(raw.decode("utf-8", "replace"))


#: The placeholders a translation must keep: ``{name}`` (messages, CLI) and ``%(name)s`` (templates).
_FIELD = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?\}|%\([A-Za-z_][A-Za-z0-9_]*\)[sd]")


def placeholders(text: str) -> set[str]:
    return set(_FIELD.findall(text))


def load(path: Optional[Path], lang: str, domain: str) -> Catalogue:
    """The parsed catalogue at ``path`` (an empty one for None), cached on path, modification time and size."""
    try:
        st = path.stat() if path is not None else None
    except OSError:
        st = None
    return _parse(lang, domain, path, st.st_mtime_ns if st else 0, st.st_size if st else 0)


@functools.lru_cache(maxsize=64)
def _parse(lang: str, domain: str, path: Optional[Path], _mtime_ns: int, size: int) -> Catalogue:
    out = Catalogue(lang, domain, path)
    if path is None:
        return out
    try:
        cat, out.reviewed_by = read_catalogue(path, lang, domain)
    except Exception as e:  # noqa: BLE001 - a catalogue must never stop the tool, whatever Babel raises
        out.error = f"{type(e).__name__}: {e}"[:200]
        return out
    # from the Plural-Forms header; Babel knows no rule for hmn, so that header must be there
    out.plural_expr = cat.plural_expr
    for m in cat:
        if not m.id:
            continue
        ids = tuple(m.id) if isinstance(m.id, (tuple, list)) else (m.id,)
        if m.fuzzy:
            out.fuzzy.add((m.context, ids[0]))
            continue
        strings = tuple(m.string) if isinstance(m.string, (tuple, list)) else (m.string,)
        if not any(strings):
            continue
        # a translation that lost or renamed a placeholder would raise or mislead: use English instead
        want = placeholders(ids[-1])
        if any(x and placeholders(x) != want for x in strings):
            out.dropped += 1
            continue
        out.messages[(m.context, ids[0])] = strings if isinstance(m.id, (tuple, list)) else strings[0]
        if any("reviewed by" in c.lower() for c in m.user_comments):  # careerpath i18n import
            out.reviewed_keys.add((m.context, ids[0]))
    return out


# ------------------------------------------------------------------ where they are

def catalogue_path(lang: str, domain: str = "cli") -> Optional[Path]:
    """The core ``.po`` file of ``lang``/``domain``: first under $CAREERPATH_LOCALE_DIR, then the package's."""
    dirs = [Path(d) for d in [os.environ.get("CAREERPATH_LOCALE_DIR")] if d] + [LOCALE_DIR]
    for base in dirs:
        path = base / lang / "LC_MESSAGES" / f"{domain}.po"
        if path.is_file():
            return path
    return None


def catalogue(lang: str, domain: str = "cli") -> Catalogue:
    """The core catalogue of ``lang``/``domain`` (cached per process and file)."""
    return load(catalogue_path(lang, domain), lang, domain)


def available(domain: str = "cli") -> list[str]:
    """Languages that have a core catalogue of ``domain``, in :data:`LANGUAGES` order (English always)."""
    from .. import memo

    return list(memo.kept(("available", domain), lambda: tuple(
        lang for lang in LANGUAGES if lang == SOURCE_LANGUAGE or catalogue_path(lang, domain) is not None)))


@functools.lru_cache(maxsize=1)
def builtin_locales() -> tuple[Path, ...]:
    """``locale/`` of every built-in program folder that has one, in id order."""
    from ..programs.files import BUILTIN, folders

    return tuple(f / "locale" for f in folders(BUILTIN) if (f / "locale").is_dir())


def caseload_locales(root: Optional[Path]) -> tuple[Path, ...]:
    """``locale/`` of every program folder of the caseload at ``root``, in id order.

    Only folders that stay inside the caseload once links are resolved: a
    caseload is often someone else's repository, and a link must not make
    careerpath read a file elsewhere.
    """
    if root is None:
        return ()
    from ..programs.files import folders

    base = Path(root) / "programs"
    try:
        inside = Path(root).resolve()
        out = []
        for folder in folders(base):
            locale = folder / "locale"
            if locale.is_dir() and locale.resolve().is_relative_to(inside):
                out.append(locale)
        return tuple(out)
    except OSError:
        return ()


def use_caseload(root: Optional[Path]) -> None:
    """Search the program folders of the caseload at ``root`` first (None: built-in and core only)."""
    _state["caseload"] = Path(root) if root is not None else None


def _caseload_file(path: Path, root: Path) -> bool:
    try:
        return path.is_file() and path.resolve().is_relative_to(root.resolve()) \
            and path.stat().st_size <= MAX_CASELOAD_CATALOGUE
    except OSError:
        return False


def caseload_in_use() -> Optional[Path]:
    return _state["caseload"]


def translation_files(lang: str, domain: str = "cli", caseload: Optional[Path] = None) -> tuple[Path, ...]:
    """``translations(lang, domain, caseload).files`` without parsing any catalogue (what a stored output's
    key needs: which files, not what they say)."""
    found: list[Path] = []
    if lang != SOURCE_LANGUAGE:
        for base in caseload_locales(caseload):
            path = base / lang / "LC_MESSAGES" / f"{domain}.po"
            if _caseload_file(path, caseload):
                found.append(path)
        for base in builtin_locales():
            path = base / lang / "LC_MESSAGES" / f"{domain}.po"
            if path.is_file():
                found.append(path)
    core = catalogue_path(lang, domain)
    return tuple(found) + ((core,) if core is not None else ())


def translations(lang: str, domain: str = "cli", caseload: Optional[Path] = None) -> Translations:
    """The catalogues of ``lang``/``domain`` in lookup order: caseload programs, built-in programs, core.

    ``caseload``: the root of the caseload whose program folders come first (None: built-in and core).
    Looked up once per batch of documents (:func:`careerpath.memo.batch`).
    """
    from .. import memo

    return memo.kept(("translations", lang, domain, caseload), lambda: _translations(lang, domain, caseload))


def _translations(lang: str, domain: str, caseload: Optional[Path]) -> Translations:
    root = caseload
    found: list[Catalogue] = []
    if lang != SOURCE_LANGUAGE:
        for base in caseload_locales(root):
            path = base / lang / "LC_MESSAGES" / f"{domain}.po"
            if _caseload_file(path, root):
                found.append(load(path, lang, domain))
        for base in builtin_locales():
            path = base / lang / "LC_MESSAGES" / f"{domain}.po"
            if path.is_file():
                found.append(load(path, lang, domain))
    found.append(catalogue(lang, domain))
    return Translations(lang, tuple(found))


"""The tool's own language: which one, its message catalogues, its dates.

The CLI language is chosen once, in :func:`careerpath.cli.main`, from (first
match wins) ``--lang`` anywhere on the command line, ``CAREERPATH_LANG``, the
locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English. Messages go
through :func:`_`, :func:`ngettext` and :func:`pgettext` over the ``cli``
domain, whose catalogues are gettext ``.po`` sources under
``careerpath/locale/<lang>/LC_MESSAGES/cli.po``, read at run time with
Babel's ``pofile`` reader (no build step, nothing compiled to forget). A
catalogue is parsed only when a non-English language is selected, once per
process; English never touches Babel, so ``careerpath --help`` stays fast.

Stored values are never translated: ``overdue`` stays ``overdue`` in files,
JSON and CSV; only its display goes through :func:`display` (context
``status`` etc.). Dates shown to people go through :func:`format_date` (CLDR
via Babel); Hmong has no CLDR locale, so it gets ISO dates (see docs/i18n.md).

``CAREERPATH_LOCALE_DIR`` names a folder searched before the packaged one, so a
translator can try a catalogue without reinstalling.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Mapping, Optional, Sequence

#: Languages the tool knows, in the order reports list them.
LANGUAGES: tuple[str, ...] = ("en", "es", "vi", "hy", "hmn", "ru")
LANGUAGE_NAMES = {"en": "English", "es": "Español", "vi": "Tiếng Việt", "hy": "Հայերեն", "hmn": "Hmoob", "ru": "Русский"}
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The CLDR locale for each language's dates; Hmong has none (hmn and mww are
#: unknown to CLDR, hnj is Nyiakeng Puachue script, not the RPA Latin script).
CLDR_LOCALES = {"en": "en_US", "es": "es_US", "vi": "vi", "hy": "hy", "ru": "ru"}
#: Plural rules written into catalogues Babel cannot initialise (``pybabel init -l hmn`` fails).
PLURAL_FORMS = {"hmn": "nplurals=1; plural=0;"}

#: Stored values whose *display* is translated, by message context.
DISPLAY_VALUES: dict[str, tuple[str, ...]] = {
    "status": ("done", "overdue", "due-soon", "upcoming", "partial"),
    "severity": ("error", "warning"),
    "case-status": ("active", "closed"),
}

_state = {"lang": SOURCE_LANGUAGE}


# ----------------------------------------------------------------- choosing

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
    return base.split("_")[0]


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


# --------------------------------------------------------------- catalogues

@dataclass(eq=False)  # compared and hashed by identity: one object per parsed file
class Catalogue:
    """One parsed ``.po`` file: translations keyed by (context, msgid), fuzzy ones left out."""

    lang: str
    domain: str
    path: Optional[Path]
    messages: dict = field(default_factory=dict)
    plural_expr: str = "(n != 1)"
    reviewed_by: Optional[str] = None
    error: str = ""  # why the file could not be read (then it translates nothing)
    dropped: int = 0  # translations left out because their {placeholders} differ from the msgid's

    @functools.cached_property
    def plural(self):
        import gettext

        try:
            return gettext.c2py(self.plural_expr)
        except (ValueError, SyntaxError, RecursionError):  # a broken Plural-Forms header: English rule
            return gettext.c2py("n != 1")

    def gettext(self, msgid: str, context: Optional[str] = None) -> str:
        found = self.messages.get((context, msgid))
        return found if isinstance(found, str) and found else msgid

    def ngettext(self, singular: str, plural: str, n: int, context: Optional[str] = None) -> str:
        found = self.messages.get((context, singular))
        if isinstance(found, tuple):
            i = self.plural(n)
            if 0 <= i < len(found) and found[i]:
                return found[i]
        return singular if n == 1 else plural


def catalogue_path(lang: str, domain: str = "cli") -> Optional[Path]:
    """The ``.po`` file of ``lang``/``domain``: first under $CAREERPATH_LOCALE_DIR, then the package's."""
    dirs = [Path(d) for d in [os.environ.get("CAREERPATH_LOCALE_DIR")] if d] + [LOCALE_DIR]
    for base in dirs:
        path = base / lang / "LC_MESSAGES" / f"{domain}.po"
        if path.is_file():
            return path
    return None


_REVIEWED = re.compile(r'^"X-Reviewed-By:[ \t]*(.*?)\\n"\s*$', re.M)


def reviewed_by(text: str) -> Optional[str]:
    """The ``X-Reviewed-By`` header of a .po text; empty or ``null`` -> None (not reviewed)."""
    m = _REVIEWED.search(text)
    value = m.group(1).strip() if m else ""
    return None if value.lower() in ("", "null", "none", "~") else value


def read_catalogue(path: Path, lang: str, domain: str):
    """Parse a .po file with Babel: -> (babel Catalog, reviewed_by)."""
    from babel.messages.pofile import read_po

    raw = path.read_bytes()
    import io

    cat = read_po(io.BytesIO(raw), locale=None, domain=domain)
    return cat, reviewed_by(raw.decode("utf-8", "replace"))


def _load(lang: str, domain: str, path: Optional[Path]) -> Catalogue:
    """The parsed catalogue, cached on path + modification time + size (an edited file is read again)."""
    try:
        st = path.stat() if path is not None else None
    except OSError:
        st = None
    return _parse(lang, domain, path, st.st_mtime_ns if st else 0, st.st_size if st else 0)


@functools.lru_cache(maxsize=64)
def _parse(lang: str, domain: str, path: Optional[Path], _mtime_ns: int, _size: int) -> Catalogue:
    out = Catalogue(lang, domain, path)
    if path is None:
        return out
    try:
        cat, out.reviewed_by = read_catalogue(path, lang, domain)
    except (OSError, UnicodeDecodeError, ValueError) as e:  # a catalogue must never stop the tool
        out.error = f"{type(e).__name__}: {e}"[:200]
        return out
    # from the Plural-Forms header; Babel knows no rule for hmn, so that header must be there
    out.plural_expr = cat.plural_expr
    for m in cat:
        if not m.id or m.fuzzy:
            continue
        ids = tuple(m.id) if isinstance(m.id, (tuple, list)) else (m.id,)
        strings = tuple(m.string) if isinstance(m.string, (tuple, list)) else (m.string,)
        # a translation that lost or renamed a {placeholder} would raise in .format(): use English instead
        want = set(_FIELD.findall(ids[-1]))
        if any(x and set(_FIELD.findall(x)) != want for x in strings):
            out.dropped += 1
            continue
        out.messages[(m.context, ids[0])] = strings if isinstance(m.id, (tuple, list)) else strings[0]
    return out


_FIELD = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:![rsa])?\}")


def catalogue(lang: Optional[str] = None, domain: str = "cli") -> Catalogue:
    """The parsed catalogue (cached per process and file)."""
    lang = lang or current()
    return _load(lang, domain, catalogue_path(lang, domain))


# ------------------------------------------------------------ translating

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


def format_number(n: int) -> str:
    lang = current()
    if lang == SOURCE_LANGUAGE or lang not in CLDR_LOCALES:
        return f"{n:,}" if lang == SOURCE_LANGUAGE else str(n)
    from babel.numbers import format_decimal

    return format_decimal(n, locale=CLDR_LOCALES[lang])


def format_date(d: date, lang: Optional[str] = None, format: str = "medium") -> str:
    """A date for people to read, in CLDR form for the language (JSON/CSV keep ISO).

    Hmong: no CLDR locale exists for the RPA script, so the date stays ISO
    8601 (2026-11-22): unambiguous, and no month names that a native reviewer
    has not checked.
    """
    lang = lang or current()
    locale = CLDR_LOCALES.get(lang)
    if locale is None:
        return d.isoformat()
    from babel.dates import format_date as cldr_format

    return cldr_format(d, format=format, locale=locale)


def display_date(d, lang: Optional[str] = None) -> str:
    """A date in CLI output (tables, show, messages): CLDR medium form in the chosen language.

    English output keeps ISO 8601 (2026-11-22), the form the files, JSON and
    CSV use and that scripts parse; Hmong too (no CLDR locale). ``d`` may be a
    date or an ISO string; anything else is returned as it is.
    """
    lang = lang or current()
    if isinstance(d, str):
        try:
            d = date.fromisoformat(d)
        except ValueError:
            return d
    if d is None:
        return ""
    if lang == SOURCE_LANGUAGE or lang not in CLDR_LOCALES:
        return d.isoformat()
    return format_date(d, lang)


# ------------------------------------------------- diagnostics on display

#: English diagnostic messages and hints from the library, as templates whose
#: ``{name}`` parts are matched and carried into the translation. The library
#: keeps writing English (stable, greppable); only the display is translated.
DIAGNOSTIC_TEMPLATES: tuple[str, ...] = (
    # checks.py
    "`{path}` names a staff id careerpath.yaml does not list",
    "did you mean `{name}`?",
    "add the person to `staff` in careerpath.yaml",
    "`{path}` is not a known program",
    "programs: {list}",
    "this event type satisfies no obligation; it is kept as history only",
    "types that count: {list}",
    "a second staff member with the same id",
    "a second goal with the same id",
    "a second objective with the same id",
    "a closed case needs `closure: {date, reason}`",
    "`closure` is set but `status` is active",
    "set `status: closed`, or remove `closure` to reopen the case",
    "the case closes before it opened",
    "dated after today ({date})",
    "record events when they have happened; use follow_up or plan due dates for the future",
    "basis exiting-secondary-education needs `school_exit`",
    "`school_exit` is not within 2 years after the CCP `start`",
    "status {value} needs the date of the decision in `decided`",
    "`decided` is set but the status is still pending",
    "set `status` to eligible or ineligible",
    "the ineligibility notice lacks: {list}",
    "SE started without `extended_services_source` or `reasonable_expectation`",
    "group SE needs `group_size` from 3 to 8 consumers per job coach",
    "`identifiers.snils` fails the check-number test",
    "re-type the number from the insurance certificate; one digit is usually swapped",
    "a competitive integrated job (`integrated: true`) pays at least minimum wage",
    "record the hourly wage, or set `integrated: false` (WIOA 34 CFR 361.5(c)(9))",
    # loader.py
    "`{path}` is required",
    "`{path}` should be {what}",
    "`{path}` does not have the expected form",
    "the file should hold a mapping (key: value lines)",
    "`{path}` is not a field of this file; it is ignored",
    "a file stands where a folder belongs",
    "the folder name is not a valid case id",
    "the case folder has no case.yaml",
    "`id` differs from the folder name",
    # yamlfile.py
    "a second YAML document starts here",
    "a tab is used for indentation",
    "the file holds characters YAML does not allow",
    "the file is empty",
    "the file holds only `null`: no data",
    "the file name holds the character {char}; the file is not read",
    "rename it to <YYYY-MM-DD>-<slug>.yaml",
    "`{path}` holds the control character {char}",
    "a key holds the control character {char}",
    "remove it (a terminal would act on it); write plain text",
    "write its fields, or delete the file",
    "the file starts with a byte-order mark",
    "the file is not UTF-8 text",
    "a folder stands where a file belongs",
    # more of loader.py, checks.py and yamlfile.py (hints, dates, types); a {placeholder} value that
    # is itself one of these wordings ("text", "a list") is translated too
    'add `{key}:` under `{parent}`',
    'add `{key}:`',
    '`{path}` is not a real calendar date',
    '`{path}` must be from {first} to {last}',
    'check the year: careerpath handles dates from 1900 to 2200',
    '`{path}` must be at most {max}',
    '`{path}` must be at least {min}',
    '`{path}` must be a finite number',
    'write the number itself (.inf and .nan are not amounts)',
    'write dates as YYYY-MM-DD, e.g. 2026-03-02',
    'put the value in quotes so it is read as text (YAML reads 0042 as 42 and no/yes literally)',
    '`{path}` must be one of: {list}',
    'text',
    'a whole number',
    'a number',
    'true or false',
    'a list',
    'a mapping (key: value lines)',
    'ids are 1-64 characters of a-z 0-9 - _, starting with a letter or digit',
    'a language tag such as en, es, vi, hy, hmn, ru',
    'language tags such as en, es, vi, hy, hmn, ru',
    'digits only, in quotes',
    'a count and a unit: 30d, 2w, 6m, 1y',
    'lower-case words joined by hyphens, e.g. monthly-review',
    'see FORMAT.md for the form of this field',
    'make `id` equal the folder name, or rename the folder',
    'use 1-64 characters of a-z 0-9 - _, starting with a letter or digit',
    'run `careerpath new` to scaffold one',
    'a .yml file is not read',
    'rename it to .yaml',
    'the file name does not follow <YYYY-MM-DD>-<slug>.yaml',
    'e.g. 2026-11-03-monthly-review.yaml',
    'the date in the file name differs from `date`',
    'rename the file or correct the date',
    'this file is not part of the case format and is not read',
    'events go in events/, referrals in referrals/, attachments in documents/',
    'the CCP authorization ends before it starts',
    'the CCP enrollment ends before it starts',
    'the eligibility decision is dated before the application',
    'DOR decides within 60 days after the application (34 CFR 361.41(b)(1)); check both dates',
    'the IPE is signed before eligibility was decided',
    'the IPE follows the eligibility determination (34 CFR 361.45(e))',
    'released from the waiting list before being placed on it',
    'the transition to extended services is dated before SE started',
    'the measure ends before it starts',
    'the job ends before it starts',
    'CCP serves people at most 2 years from exiting secondary education (service code 956, WIC 4870.2)',
    'the written notice gives the reasons, appeal rights (review, fair hearing) and the Client Assistance Program, 1-800-776-5746 (34 CFR 361.43(b))',
    'the IPE must identify the extended-services source before DOR starts SE (9 CCR 7131.1(a)(3))',
    'more than {n} values once aliases are expanded',
    'remove the anchors (&) and aliases (*) or split the file',
    'nesting deeper than {n} levels',
    'the tag {tag} is not allowed',
    'case files hold plain data only; remove the tag',
    'merge keys (<<) are not supported',
    'write the fields out instead of merging',
    'a mapping key must be plain text',
    'duplicate key `{key}` (first at line {line})',
    'delete one of the two; careerpath reads the first, other YAML tools may read the last',
    'the %{name} directive is not allowed',
    'delete the line; careerpath reads YAML 1.2',
    'a case file holds one document; remove the `---` and what follows or move it to its own file',
    'replace tabs with spaces',
    'check indentation, colons and quotes on this line and the one above',
    'the control character U+{code} is not allowed in YAML',
    'remove control characters; save the file as plain UTF-8 text',
    'save it as UTF-8 without BOM',
    're-save the file with UTF-8 encoding',
    'the file is {size} bytes; the limit is {limit}',
    'case files are small; move attachments to documents/',
    'cannot read the file ({reason})',
    # scaffold.py and fsio.py, shown through CliError (most specific first)
    "the case {name} already exists; nothing was changed",
    "{path} already exists; nothing was changed",
    "{path} exists and is not a folder",
    "cannot scaffold the case; missing: {list}",
    "the new case would not validate; nothing was written",
    "cannot create the folder {path}: {reason}",
    "{path} already exists; not overwritten",
    "cannot write {path}: {reason}",
    # fsio.py and reports/output.py: outputs are regular files only (issue 21)
    "{path} is {kind}; careerpath writes only regular files and leaves it as it is",
    "a symbolic link",
    "a folder",
    "a device",
    "a FIFO (named pipe)",
    "a socket",
    "not a regular file",
    "`.careerpath` is a symbolic link; careerpath keeps its cache and locks only in a real folder and does not follow it",
    "`.careerpath` is not a folder; careerpath keeps its cache and locks there",
    "{path} is a symbolic link or not a folder; careerpath does not write through it",
    "`templates` is a link pointing outside the caseload; it is not followed (copy the folder instead)",
    # obligations/engine.py: the detail of an obligation ("1 of 2"), parts joined by "; "
    "done {n} days late",
    "{n} of {m}",
    # record.py and gitio.py, shown through CliError
    "there is no case {name} in this caseload (no cases/{path}/case.yaml)",
    "`{name}` is not a staff id in careerpath.yaml",
    "say who recorded this: --by STAFF",
    "say who made the referral: --by STAFF",
    "or set CAREERPATH_STAFF, or `git config careerpath.staff ID`",
    "TYPE must be lower-case words joined by hyphens, e.g. monthly-review",
    "--program must be one of: {list}",
    "case {name} has no referral {stem}",
    "the referral {stem} already has an outcome; change it by hand if it is wrong",
    "the case {name} is already closed",
    "the change would make the case invalid; nothing was written",
    "the change would make the case invalid",
    "git is not installed",
    # record.py and gitio.py: a recording commits only its own change; git's lock (issue 21)
    "{path} holds an earlier recording that was interrupted before its commit; nothing was written",
    "{path} is not committed yet; nothing was written",
    "{path} has staged changes that are not committed; nothing was written",
    "{path} has changes that are not committed; nothing was written",
    "commit them first (`git add` and `git commit`) or discard them (`git checkout -- {path}`), or run again with "
    "--include-local-edits to commit them with this change",
    "commit it first (`git add` and `git commit`), or run again with --include-local-edits to commit it with "
    "this change",
    "committed with the changes that were not committed in: {list}",
    "an earlier recording was interrupted before its commit: {list} (check with `git status`, then commit or discard)",
    "a temporary file of an interrupted write is left: {path} (the real file is intact; delete it)",
    "git is working in this repository: {path} is held by process {pids}; nothing was written",
    "run the command again later",
    "{path} was left by a git process that is no longer running; nothing was written",
    "no git process is using it: remove it (rm {path}) and run the command again",
    "git was working in this repository ({path}) when the commit ran; the files are back as they were, "
    "nothing was written",
    "git {command} failed: {path} exists (another git process is working in this repository, or one stopped "
    "without removing it)",
    "{reason}; nothing was written",
    # reports/output.py and period.py, shown through CliError
    "another careerpath run holds {name} (waited {seconds} s)",
    "{text}: month must be 01-12",
    "{text} is not a period: write 2026-Q3, 2026-11 or 2026",
    "{text}: the year must be from {first} to {last}",
)


def _patterns(lang: str, path: Optional[Path]):
    cat = _load(lang, "cli", path)
    return _compiled(cat)


@functools.lru_cache(maxsize=16)
def _compiled(cat: "Catalogue"):
    out = []
    for tpl in DIAGNOSTIC_TEMPLATES:
        target = cat.messages.get(("diagnostic", tpl))
        if not target or "{" not in tpl.replace("{date, reason}", ""):
            continue
        rx = "".join(f"(?P<{p[1:-1]}>.+?)" if p.startswith("{") and p != "{date, reason}" else re.escape(p)
                     for p in re.split(r"(\{[a-z_]+\})", tpl))
        out.append((re.compile(rx + r"\Z", re.S), target))
    return out


def diagnostic_text(text: str) -> str:
    """Translate a library diagnostic message or hint for display; unknown wording stays English."""
    lang = current()
    if lang == SOURCE_LANGUAGE or not text:
        return text
    cat = catalogue(lang)
    exact = cat.messages.get(("diagnostic", text))
    if isinstance(exact, str) and exact:
        return exact
    for rx, target in _patterns(lang, cat.path):
        m = rx.match(text)
        if m:
            values = {k: _localize_value(v, cat) for k, v in m.groupdict().items()}
            try:
                return target.format(**values)
            except (KeyError, IndexError, ValueError):
                return text
    return text


def detail_text(text: str) -> str:
    """An obligation's detail ("2026-09, 1 of 2"; parts joined by "; " or ", ") for display."""
    if current() == SOURCE_LANGUAGE or not text:
        return text
    return "; ".join(", ".join(diagnostic_text(p) for p in part.split(", ")) for part in text.split("; "))


def _localize_value(value: str, cat: Catalogue) -> str:
    exact = cat.messages.get(("diagnostic", value))
    if isinstance(exact, str) and exact:
        return exact
    return display_date(value)


# ----------------------------------------------------------------- helpers

def available(domain: str = "cli") -> list[str]:
    """Languages that have a catalogue of ``domain``, in :data:`LANGUAGES` order."""
    return [lang for lang in LANGUAGES if catalogue_path(lang, domain) is not None]

"""Rendering: the one Jinja environment factory, template lookup, language choice.

A kind's template lives in the folder of the program that owns it
(``careerpath/programs/<id>/templates/<kind>.j2``); the shared layout, blocks,
stylesheet and the shared kinds live in top-level ``templates/`` (shipped in
the wheel as ``careerpath/templates``). Templates are searched in this order:
the caseload's ``templates/`` (overrides), the caseload's program folders
(``<caseload>/programs/<id>/templates/``), the built-in program folders, the
core ``templates/``. Report pages (``report-*.html.j2``, :mod:`careerpath.reports.pages`)
are found and rendered the same way. A kind has one source,
``<kind>.j2``, that renders both formats: it extends ``_layout.<fmt>.j2`` and
draws its blocks with the macros of ``_blocks.<fmt>.j2``. The environment asks
for ``<kind>.<fmt>.j2`` (so ``select_autoescape`` turns escaping on for HTML);
the loader answers with ``<kind>.<fmt>.j2`` if such a file exists, else
``<kind>.j2``: an override may be shared by both formats or made for one.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Optional

from .. import memo
from ..programs import ProgramSet, load_programs
from . import labels as L
from .context import Period, PeriodError, build_context, default_period, language_name, parse_period
from .kinds import Kind, Subject, kinds_of
from ..i18n import LANGUAGES, SOURCE_LANGUAGE, Message, available, base_language, message_of, translations
from ..i18n.languages import catalogue_language, variant_of

FORMATS = ("md", "html", "pdf")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_FORMAT_NAME = re.compile(r"^(?P<base>.+)\.(?:md|html)\.j2$")


def builtin_templates() -> Path:
    """The core templates: ``careerpath/templates`` (a link to top-level templates/ in a checkout)."""
    return Path(__file__).resolve().parent.parent / "templates"


def builtin_template_folders() -> list[tuple[str, Path]]:
    """(name as shown, folder) of every built-in template folder: the programs' own, then the core one."""
    out = [(f"programs/{p.id}/templates", p.folder / "templates") for p in load_programs()
           if p.builtin and (p.folder / "templates").is_dir()]
    return out + [("templates", builtin_templates())]


class RenderError(Exception):
    """A document cannot be made; the message says why (never with personal values)."""


class PeriodRefused(RenderError):
    """A document for a period in which the person was not enrolled (or which has not begun): it would
    report nothing. ``render(..., force=True)`` writes it anyway, marked."""


class MissingData(RenderError):
    def __init__(self, kind: str, case_id: str, missing: list[str]):
        self.kind, self.case_id, self.missing = kind, case_id, missing
        lines = "\n".join(f"  - {m}" for m in missing)   # field paths (and a program's own `why`)
        super().__init__(Message("cannot render {kind} for case {case}: missing data:\n{lines}",
                                 kind=kind, case=case_id, lines=lines))


@dataclass
class Rendered:
    kind: str
    case_id: str
    lang: str  # the language the document is in
    requested_lang: str
    format: str
    text: str
    notes: list[str] = field(default_factory=list)  # Messages, for stderr in the user's language
    reviewed: bool = True
    copies: tuple[str, ...] = ()     # the language of each copy: the document's, then a person's copy
    warnings: list[str] = field(default_factory=list)  # Messages for staff: a copy from an unreviewed translation

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")


# ---------------------------------------------------------------- environment

def template_source(path: Path, folder: Optional[Path] = None) -> str:
    """A template's text through the safe reader: a regular file, inside ``folder`` (a caseload's
    templates/ is someone else's), at most 1 MiB; anything else is a RenderError naming the file."""
    from ..fsio import ReadRefused, read_regular

    try:
        return read_regular(Path(path), root=folder).decode("utf-8")
    except ReadRefused as e:
        raise RenderError(Message("cannot read {path} ({reason})", path=_shown(str(path)), reason=e.message)) from None
    except UnicodeDecodeError:
        raise RenderError(Message("cannot read {path} ({reason})", path=_shown(str(path)),
                                  reason=Message("the file is not UTF-8 text"))) from None


def _template_loader(dirs: tuple[Path, ...]):
    from jinja2 import BaseLoader, TemplateNotFound

    class Loader(BaseLoader):
        """Search the caseload's templates, then the built-in ones; ``x.html.j2`` falls back to ``x.j2``."""

        def __init__(self) -> None:
            self.dirs = dirs

        def resolve(self, name: str) -> Optional[Path]:
            return memo.kept(("template", self.dirs, name), lambda: self._resolve(name))

        def _resolve(self, name: str) -> Optional[Path]:
            if not _NAME.match(name) or ".." in name:
                return None
            candidates = [name]
            if (mt := _FORMAT_NAME.match(name)):
                candidates.append(f"{mt.group('base')}.j2")
            for folder in self.dirs:
                for cand in candidates:
                    path = folder / cand
                    try:
                        st = os.lstat(path)
                    except OSError:
                        continue
                    if stat.S_ISREG(st.st_mode):
                        # a regular file directly in the folder (a name holds no "/") resolves inside it,
                        # wherever the folder itself leads: one lstat instead of two realpaths per lookup
                        # (a batch of documents looks templates up tens of thousands of times)
                        return path
                    if stat.S_ISLNK(st.st_mode) and path.is_file():
                        if not path.resolve().is_relative_to(folder.resolve()):
                            # a caseload is often someone else's git repository: a link in its
                            # templates/ must not pull a private file into a document
                            raise RenderError(Message("{file} is a link pointing outside its folder; it is not followed "
                                                      "(copy the file instead)", file="templates/" + cand))
                        return path
            return None

        def get_source(self, environment, template):
            path = self.resolve(template)
            if path is None:
                raise TemplateNotFound(template)
            folder = next((f for f in self.dirs if path.is_relative_to(f)), None)
            source = template_source(path, folder)
            mtime = path.stat().st_mtime_ns
            return source, str(path), lambda: path.is_file() and path.stat().st_mtime_ns == mtime

    return Loader()


@functools.lru_cache(maxsize=16)
def make_environment(dirs: tuple[Path, ...]):
    """The one Jinja environment: sandboxed, strict about missing fields, escaping HTML, with gettext.

    Sandboxed: a ``SandboxedEnvironment`` subclass that also limits what a template may cost (loops,
    sizes, formatting, recursion, time: documents/limits.py), as a caseload's templates are its input.

    Translations come from the render context (``_catalog``), so one
    environment (and its compiled-template cache) serves every language.
    """
    from jinja2 import StrictUndefined, pass_context, select_autoescape
    from markupsafe import escape

    from .limits import limit_filters, limited_sandbox_class

    env = limited_sandbox_class()(
        loader=_template_loader(dirs),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False,
                                     default=False),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=lambda v: "" if v is None else v,
    )

    @pass_context
    def gettext(ctx, message: str) -> str:
        text = ctx["_catalog"].gettext(message)
        # a translation is text, never markup: a translator cannot break the HTML
        return escape(text) if ctx.eval_ctx.autoescape else text

    @pass_context
    def ngettext(ctx, singular: str, plural: str, n: int) -> str:
        # the built-in templates use no plurals (counts read "Done: 2 of 3"); an override that
        # does gets the English choice of msgid, then its translation
        return gettext(ctx, singular if n == 1 else plural)

    @pass_context
    def pgettext(ctx, context: str, message: str) -> str:
        """``pgettext("date range", "From")``: one English word, several meanings, each translated apart."""
        text = ctx["_catalog"].gettext(message, context)
        return escape(text) if ctx.eval_ctx.autoescape else text

    @pass_context
    def npgettext(ctx, context: str, singular: str, plural: str, n: int) -> str:
        return pgettext(ctx, context, singular if n == 1 else plural)

    env.install_gettext_callables(gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext)

    @pass_context
    def translate(ctx, msgid: Any) -> str:
        """``{{ goal.area_label|t }}``: show a label the code supplied, in the document's language."""
        return gettext(ctx, msgid) if isinstance(msgid, str) and msgid else ("" if msgid is None else msgid)

    env.filters["t"] = translate
    env.filters["md"] = _md_cell
    limit_filters(env)
    return env


def _md_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: no pipes or line breaks."""
    return str(value if value is not None else "").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def template_dirs(caseload_root: Optional[Path], programs: Optional[ProgramSet] = None) -> tuple[Path, ...]:
    """Where templates are searched, first match wins: the caseload's templates/, its program folders'
    templates/, the built-in program folders', the core templates/."""
    root = Path(caseload_root) if caseload_root is not None else None
    if programs is None:
        programs = load_programs(root)
    return memo.kept(("template_dirs", root, programs.fingerprint or id(programs)), lambda: _template_dirs(root, programs))


def _template_dirs(root: Optional[Path], programs: ProgramSet) -> tuple[Path, ...]:
    dirs = []
    if root is not None and (root / "templates").is_dir():
        folder = root / "templates"
        if folder.is_symlink() and not folder.resolve().is_relative_to(root.resolve()):
            # a cloned caseload's templates/ linking elsewhere would pull any file into a document
            raise RenderError(Message("`templates` is a link pointing outside the caseload; it is not followed "
                                      "(copy the folder instead)"))
        dirs.append(folder.resolve())
    for program in sorted(programs, key=lambda p: p.builtin):  # the caseload's own first (a stable sort)
        folder = program.folder / "templates"
        if not folder.is_dir():
            continue
        if not program.builtin:
            from ..loader import inside

            if root is None or not inside(root, folder):
                continue  # a program's templates/ that links out of the caseload is not read
        dirs.append(folder.resolve())
    dirs.append(builtin_templates())
    return tuple(dirs)


# ---------------------------------------------------------------- languages

def template_msgids(env, kind: Kind, fmt: str) -> set:
    """The msgids a kind's document uses: its template, the shared partials, the code's labels.

    A msgid is a ``str``, or ``(msgctxt, msgid)`` for a ``pgettext`` string
    (catalogues' ``has`` take either).
    """
    dirs = getattr(env.loader, "dirs", None)
    if dirs is None:
        return _template_msgids(env, kind, fmt)
    return set(memo.kept(("msgids", dirs, kind.name, fmt), lambda: frozenset(_template_msgids(env, kind, fmt))))


def _template_msgids(env, kind: Kind, fmt: str) -> set:
    names = [f"{kind.name}.{fmt}.j2", f"_layout.{fmt}.j2", f"_blocks.{fmt}.j2"]
    out = set(kind.label_msgids) | {kind.title} | set(_NOTES)
    for name in names:
        path = env.loader.resolve(name)
        if path is not None:
            st = path.stat()
            out |= _msgids_in(env, str(path), st.st_mtime_ns, st.st_size)
    return out


@functools.lru_cache(maxsize=256)
def _msgids_in(env, path: str, _mtime_ns: int, _size: int) -> frozenset:
    """The msgids one template file uses (cached on the file's mtime and size: parsing is the slow part)."""
    from jinja2 import TemplateSyntaxError

    out: set = set()
    try:
        for _line, func, message in env.extract_translations(template_source(Path(path))):
            out.update(message_keys(func, message))
    except TemplateSyntaxError as e:
        raise RenderError(_template_error(_shown(path), e)) from None
    return frozenset(out)


def message_keys(func: str, message) -> list:
    """The catalogue keys of one string Jinja extracted: ``msgid``, or ``(msgctxt, msgid)`` for pgettext."""
    if isinstance(message, str):
        return [message]
    parts = [m if isinstance(m, str) else None for m in message]
    if func in ("pgettext", "npgettext"):
        context, ids = parts[0], parts[1:]
        return [(context, m) for m in ids if m]
    return [m for m in parts if m]


def choose_language(env, kind: Kind, fmt: str, wanted: str, default: str,
                    extra: frozenset = frozenset(), root: Optional[Path] = None) -> tuple[str, list[str]]:
    """The language a document is rendered in, and notes when it is not ``wanted``.

    A language is used only if its catalogues (``root``'s program folders, the
    built-in ones, the core) translate every string of the document (``extra``:
    words of this case the kind's tables do not hold, such as the label of a
    caseload's own program): a document is never half in one language and
    half in another.
    """
    languages = set(available("documents"))
    needed = template_msgids(env, kind, "html" if fmt == "pdf" else fmt) | set(extra)

    def complete(lang: str) -> bool:
        if lang == SOURCE_LANGUAGE:
            return True
        if lang not in languages:
            return False
        cat = translations(lang, "documents", root)
        return all(cat.has(m) for m in needed)

    wanted_base = catalogue_language(wanted)  # mww, hnj -> hmn; hyw -> hy (the document says so)
    if complete(wanted_base):
        return wanted_base, []
    for fallback in (catalogue_language(default), SOURCE_LANGUAGE):
        if complete(fallback):
            return fallback, [Message("{kind} has no complete translation for language '{lang}'; "
                                      "rendered in '{fallback}' (the document says so)",
                                      kind=kind.name, lang=wanted_base, fallback=fallback)]
    raise AssertionError("the source language is always complete")  # pragma: no cover


#: what a document written with --force for a period the person was not enrolled in says at its top
_PERIOD_NOTE = L.N_("Written on request for %(period)s, a period in which the person was not enrolled in this "
                    "program: it reports no services.")
_NOTES = (
    L.N_("This document is not yet available in %(language)s. It is shown in %(fallback)s."),
    L.N_("Translation not yet reviewed by a native speaker."),
    L.N_("Copy for the person, in %(language)s"),
    L.N_("This document is in %(language)s, the nearest language careerpath has to %(variant)s."),
    # the variants careerpath reads in the nearest catalogue (i18n.languages.VARIANTS)
    L.N_("White Hmong"), L.N_("Mong Leng"), L.N_("Western Armenian"),
    _PERIOD_NOTE,
)


# ---------------------------------------------------------------- rendering

def subject_of(caseload, case_id: str) -> Subject:
    """The typed inputs of ``case_id``; refuses a case whose files have errors."""
    case_folder = caseload.cases.get(case_id)
    if case_folder is None:
        raise RenderError(Message("no case `{case}` in this caseload", case=case_id))
    prefix = f"cases/{case_id}/"
    errors = sorted({d.file for d in caseload.diagnostics
                     if d.severity == "error" and (d.file.startswith(prefix) or d.file == "careerpath.yaml")})
    if errors or case_folder.case is None or case_folder.case.model is None:
        where = ", ".join(errors) or f"{prefix}case.yaml"
        raise RenderError(Message("case `{case}` has errors in {files}; run `careerpath validate` and fix them first",
                                  case=case_id, files=where))
    events = tuple(sorted((d.model for d in case_folder.events if d.model is not None), key=lambda e: (e.date, e.type)))
    referrals = tuple(sorted((d.model for d in case_folder.referrals if d.model is not None),
                             key=lambda r: (r.date, r.kind, r.to)))
    plan = case_folder.plan.model if case_folder.plan is not None else None
    return Subject(case_folder.case.model, plan, events, referrals, caseload.config, programs_of(caseload))


def programs_of(caseload) -> ProgramSet:
    """The program set a caseload was loaded with (read from its folder for a caseload-like object without one)."""
    found = getattr(caseload, "programs", None)
    return found if isinstance(found, ProgramSet) else load_programs(getattr(caseload, "root", None))


def _obligations(caseload, case_id: str, today: date) -> list:
    """This case's obligations from the obligations engine, history included (reports pick their period)."""
    from ..obligations import case_obligations, load_rules

    case_folder = caseload.cases[case_id]
    found = case_obligations(case_folder, load_rules(programs_of(caseload)), caseload.settings, today, caseload.config_file)
    # an `invalid` entry has no date and a document of an unreadable case is refused before this
    return sorted((o for o in found if o.due is not None), key=lambda o: (o.due, o.rule, o.item))


def agency_language(kind: Kind, subject: Subject) -> str:
    """The language of the agency a kind is sent to.

    The ``agency_language`` its program declares in program.yaml (the owner's;
    for a shared kind, the first of the case's programs that lists the kind and
    declares one: the employment center's agencies read Russian wherever the
    caseload is), else the caseload's ``agency_language`` (careerpath.yaml,
    default English).
    """
    ids = [kind.owner] if kind.owner else [p for p in kind.programs if subject.case.enrollments.get(p) is not None]
    for pid in ids:
        program = subject.programs.get(pid)
        if program is not None and getattr(program, "agency_language", ""):
            return program.agency_language
    return getattr(subject.config, "agency_language", None) or SOURCE_LANGUAGE


def reader_languages(kind: Kind, subject: Subject, lang: Optional[str] = None,
                     copy_for_person: bool = False) -> list[str]:
    """The languages of a document's copies, first the one it is addressed in.

    ``person``: the person's language. ``agency``: the agency's
    (:func:`agency_language`), then the person's copy when ``copy_for_person``.
    ``both``: the agency's, then always the person's copy. ``lang`` (``render
    --lang``) replaces the first; a person's copy in the same language as the
    first is not made twice.
    """
    person = subject.case.person.language
    if lang:
        first = lang
    elif kind.audience == "person":
        first = person
    else:
        first = agency_language(kind, subject)
    out = [first]
    wants_copy = copy_for_person or (kind.audience == "both" and not lang)
    if kind.audience != "person" and wants_copy and base_language(person) != base_language(first):
        out.append(person)
    return out


def enrollment_spans(kind: Kind, subject: Subject, today: date) -> list[tuple[str, Optional[date], Optional[date]]]:
    """(program, first day, last day) of the person's enrollments a document of ``kind`` reports on: those in
    the programs the kind serves (every enrollment for a kind of no program); the case's own span (opened
    to closure, program "") when there is none. A day that is not recorded is None (open)."""
    case = subject.case
    closed = case.closure.date if case.closure is not None else None
    events = [e for e in subject.events if e.date <= today]
    out = []
    for pid, enrollment in case.enrollments.items():
        program = subject.programs.get(pid)
        if program is None or (kind.programs and pid not in kind.programs):
            continue
        out.append((pid, program.began(enrollment), program.ended(enrollment, events, closed)))
    if not out:  # a kind of no program, or a person in none of its programs: the case's own span
        out.append(("", case.opened, closed))
    return out


def period_problem(kind: Kind, subject: Subject, span: Optional[Period], today: date) -> Optional[Message]:
    """Why a document of ``kind`` for ``span`` would be empty, or None when it is not: the period has not
    begun, or the person was enrolled in none of the kind's programs during it. Dates in the message are
    the period's and the enrollment's (never a personal value)."""
    if span is None or kind.period is None:
        return None
    if span.start > today:
        return Message("{kind} for {period}: that period has not begun yet (today is {today})",
                       kind=kind.name, period=span.label, today=today)
    spans = enrollment_spans(kind, subject, today)
    if any(span.overlaps(start, end) for _pid, start, end in spans):
        return None
    _pid, start, end = min(spans, key=lambda s: (s[1] is None, s[1] or date.min))
    if isinstance(start, date) and start > span.end:
        return Message("{kind} for {period}: the person was not enrolled yet (enrolled on {start})",
                       kind=kind.name, period=span.label, start=start)
    return Message("{kind} for {period}: the person's enrollment had ended (on {end})",
                   kind=kind.name, period=span.label, end=end)


def render(caseload, kind_name: str, case_id: str, *, today: date, lang: Optional[str] = None, fmt: str = "md",
           period: Optional[str] = None, copy_for_person: bool = False, force: bool = False,
           obligations: Optional[list] = None) -> Rendered:
    """Render one document of ``kind_name`` for ``case_id``.

    The language follows the kind's audience (:func:`reader_languages`):
    the person's for a person's document, the agency's for an agency's, with a
    copy for the person after it when asked (``copy_for_person``) or when the
    kind is for both. ``lang`` overrides the language of the document (not of
    the person's copy). ``fmt`` is ``md`` or ``html`` (``pdf`` goes through
    :func:`to_pdf` on the HTML). Raises :class:`MissingData` listing what the
    case lacks, :class:`PeriodRefused` for a period in which the person was not
    enrolled (unless ``force``: then the document says so at its top), and
    :class:`RenderError` for anything else a user can fix. ``obligations``: the case's obligations on
    ``today`` as :func:`_obligations` gives them, when the caller has them (a batch reads them from the
    results cache); None: computed here.
    """
    programs = programs_of(caseload)
    kinds = kinds_of(programs)
    kind = kinds.get(kind_name)
    if kind is None:
        raise RenderError(Message("unknown document kind `{kind}`; kinds: {kinds}", kind=kind_name, kinds=", ".join(kinds)))
    if fmt not in ("md", "html"):
        raise RenderError(Message("format must be md or html (pdf is made from the html)"))
    subject = subject_of(caseload, case_id)
    missing = kind.missing(subject)
    if missing:
        raise MissingData(kind.name, case_id, missing)
    try:
        span: Optional[Period] = parse_period(period) if period else default_period(kind, subject, today)
    except PeriodError as e:
        raise RenderError(message_of(e)) from None
    if period and kind.period is None:
        raise RenderError(Message("{kind} does not cover a period; leave out --period", kind=kind.name))
    problem = period_problem(kind, subject, span, today)
    if problem is not None and not force:
        raise PeriodRefused(problem)

    root = getattr(caseload, "root", None)
    env = make_environment(template_dirs(root, programs))
    found = obligations if obligations is not None else _obligations(caseload, case_id, today)
    copies = [_render_copy(env, kind, subject, caseload, case_id, wanted, fmt, today, span, found, root,
                           copy=i > 0, forced=problem is not None)
              for i, wanted in enumerate(reader_languages(kind, subject, lang, copy_for_person))]
    first = copies[0]
    notes = [n for c in copies for n in c.notes]
    text = first.text if len(copies) == 1 else _with_copies(first.text, [c.text for c in copies[1:]], fmt)
    return Rendered(kind.name, case_id, first.lang, first.requested_lang, fmt, text, notes,
                    all(c.reviewed for c in copies), copies=tuple(c.lang for c in copies),
                    warnings=[w for c in copies for w in c.warnings]
                    + ([Message("written although empty (--force): {problem}", problem=problem)] if problem else []))


def _render_copy(env, kind: Kind, subject: Subject, caseload, case_id: str, wanted: str, fmt: str, today: date,
                 span: Optional[Period], found: list, root: Optional[Path], copy: bool,
                 forced: bool = False) -> Rendered:
    """One copy of a document in one reader's language (falling back as :func:`choose_language` says)."""
    doc_lang, notes = choose_language(env, kind, fmt, wanted, subject.config.default_language,
                                      case_msgids(kind, subject), root)
    catalog = translations(doc_lang, "documents", root)
    # deadlines the documents state (decision due, service limit, review date) come from the engine,
    # which knows extensions and settings: the first occurrence of each rule
    rule_due: dict[str, date] = {}
    for o in found:
        rule_due.setdefault(o.rule, o.due)
    obligations = found if kind.audience != "person" else []
    ctx = build_context(subject, kind, lang=doc_lang, today=today, period=span, obligations=obligations,
                        rule_due=rule_due)
    wanted_base = catalogue_language(wanted)
    fallback = fallback_notes(wanted_base, doc_lang, root) if doc_lang != wanted_base else []
    variant = variant_of(wanted)
    if variant and doc_lang == wanted_base:  # a White Hmong, Mong Leng or Western Armenian reader: say which variant
        fallback = variant_notes(variant, doc_lang, root)
    # reviewed: the whole catalogue, or every string this document shows (entries a reviewer imported)
    reviewed = catalog.reviews(template_msgids(env, kind, fmt) | case_msgids(kind, subject))
    review = [] if reviewed else review_notes(doc_lang, root)
    ctx["doc"] = {
        "kind": kind.name, "title": catalog.gettext(kind.title), "lang": doc_lang, "format": fmt,
        "audience": kind.audience,
        # each note in the reader's language and in English: (language, text) pairs
        "fallback_notes": fallback, "review_notes": review,
        "fallback_note": " / ".join(t for _l, t in fallback) or None,
        "unreviewed_note": " / ".join(t for _l, t in review) or None,
        "copy_note": catalog.gettext(_NOTES[2]) % {"language": language_name(doc_lang, doc_lang)} if copy else None,
        # written with --force for a period the person was not enrolled in: said before anything else
        "period_note": catalog.gettext(_PERIOD_NOTE) % {"period": span.label} if forced and span else None,
    }
    ctx["fmt"] = fmt
    ctx["_catalog"] = catalog
    text = _render_template(env, f"{kind.name}.{fmt}.j2", ctx)
    warnings = []
    if not reviewed:
        warnings.append(Message("{kind} is rendered in '{lang}' from a translation no native speaker has reviewed "
                             "yet: have someone who reads it check the document before it is handed out",
                             kind=kind.name, lang=doc_lang))
    return Rendered(kind.name, case_id, doc_lang, wanted_base, fmt, _tidy(text, fmt), notes, reviewed,
                    warnings=warnings)


def fallback_notes(wanted: str, doc_lang: str, root: Optional[Path] = None) -> list[tuple[str, str]]:
    """"This document is not yet available in …": in the reader's language when its catalogue says it,
    in the language the document is in, and in English (each once)."""
    out: list[tuple[str, str]] = []
    for lang in dict.fromkeys((wanted, doc_lang, SOURCE_LANGUAGE)):
        if lang not in LANGUAGES:
            continue
        cat = translations(lang, "documents", root)
        if not cat.has(_NOTES[0]):
            continue
        out.append((lang, cat.gettext(_NOTES[0]) % {"language": language_name(wanted, lang),
                                                      "fallback": language_name(doc_lang, lang)}))
    return out


def variant_notes(variant: str, doc_lang: str, root: Optional[Path] = None) -> list[tuple[str, str]]:
    """"This document is in Hmong (White Hmong), the nearest careerpath has to Mong Leng": in the document's
    language and in English."""
    out: list[tuple[str, str]] = []
    for lang in dict.fromkeys((doc_lang, SOURCE_LANGUAGE)):
        cat = translations(lang, "documents", root)
        out.append((lang, cat.gettext(_NOTES[3]) % {"language": language_name(doc_lang, lang),
                                                      "variant": cat.gettext(variant)}))
    return out


def review_notes(doc_lang: str, root: Optional[Path] = None) -> list[tuple[str, str]]:
    """"Translation not yet reviewed by a native speaker", in the document's language and in English."""
    out: list[tuple[str, str]] = []
    for lang in dict.fromkeys((doc_lang, SOURCE_LANGUAGE)):
        cat = translations(lang, "documents", root)
        if cat.has(_NOTES[1]):
            out.append((lang, cat.gettext(_NOTES[1])))
    return out


_MAIN = re.compile(r"<main>\n?(.*)</main>", re.S)


def _with_copies(first: str, copies: list[str], fmt: str) -> str:
    """The document followed by its other copies (a person's copy), each starting on a new page."""
    if fmt == "md":
        return first + "".join("\n---\n\n" + c for c in copies)
    parts = []
    for c in copies:
        lang = re.search(r'<html lang="([^"]*)"', c)
        inner = _MAIN.search(c)
        parts.append(f'<hr class="page-break">\n<section class="copy" lang="{lang.group(1) if lang else ""}">\n'
                     f'{inner.group(1) if inner else ""}</section>\n')
    at = first.rindex("</main>")
    return first[:at] + "".join(parts) + first[at:]


def case_msgids(kind: Kind, subject: Subject) -> frozenset:
    """The program and event labels this case shows, for a kind whose ``labels`` name those tables.

    A kind's own tables hold the built-in programs' words and those of the
    programs that list it; a case in a caseload's other program shows that
    program's words too, and the document's language must cover them.
    """
    out: set[str] = set()
    if "programs" in kind.labels:
        out |= {p.label for pid in subject.case.enrollments if (p := subject.programs.get(pid)) is not None}
    if "events" in kind.labels:
        declared = subject.programs.event_types()
        out |= {declared[e.type] for e in subject.events if e.type in declared and e.type not in L.EVENT_TYPES}
    return frozenset(out)


def _render_template(env, name: str, ctx: dict) -> str:
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
    from jinja2.exceptions import SecurityError, UndefinedError

    from .limits import TemplateLimit, render_limited

    try:
        return render_limited(env.get_template(name), ctx)
    except TemplateLimit as e:
        raise RenderError(_over_limit(e, message_of(e))) from None
    except RecursionError as e:
        raise RenderError(_over_limit(e, Message("calls nested too deep (a recursive macro?)"))) from None
    except MemoryError as e:
        raise RenderError(_over_limit(e, Message("out of memory"))) from None
    except OverflowError as e:  # the sandbox's own range cap, or a float out of range (Python's words)
        raise RenderError(_over_limit(e, str(e))) from None
    except TemplateSyntaxError as e:
        raise RenderError(_template_error(_shown(e.filename or name), e)) from None
    except TemplateNotFound as e:
        raise RenderError(Message("template not found: {name}", name=str(e.name))) from None
    except (UndefinedError, SecurityError, TemplateError) as e:
        where = _template_frame(e)
        what = (Message("unsafe access blocked by the sandbox") if isinstance(e, SecurityError)
                else Message("missing field") if isinstance(e, UndefinedError) else Message("template error"))
        # Jinja's own words (English) stay as they are
        raise RenderError(Message("template {where}: {what}: {detail}", where=where, what=what,
                                  detail=e.message or "")) from None
    except (TypeError, ValueError, AttributeError, LookupError, ZeroDivisionError) as e:
        # an error inside a template expression (e.g. an override doing arithmetic on text)
        raise RenderError(Message("template {where}: {error}", where=_template_frame(e), error=type(e).__name__)) from None


def _over_limit(e: BaseException, detail: str) -> Message:
    """A template that asked for more than a document may cost (documents/limits.py): where, and which limit."""
    return Message("template {where}: over a limit: {detail}", where=_template_frame(e), detail=detail)


def _template_error(where: str, e) -> Message:
    """A template's syntax error: where, and Jinja's own words (English)."""
    return Message("template {file}, line {line}: {detail}", file=where, line=e.lineno or 0, detail=e.message or "")


def _template_frame(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if not frames:
        return "(unknown place)"
    last = frames[-1]
    return f"{_shown(last.filename)}, line {last.lineno}"


def _shown(filename: str) -> str:
    """A template file as a message names it: ``pccp.j2 (built-in)``, ``templates/pccp.j2``,
    ``programs/<id>/templates/x.j2`` (a caseload's)."""
    path = Path(filename)
    builtin = [builtin_templates().resolve()] + [folder.resolve() for _name, folder in builtin_template_folders()]
    if path.parent.resolve() in builtin:
        return f"{path.name} (built-in)"
    if path.parent.name == "templates" and path.parent.parent.parent.name == "programs":
        return f"programs/{path.parent.parent.name}/templates/{path.name}"
    return f"{path.parent.name}/{path.name}" if path.parent.name == "templates" else path.name


_BLANKS = re.compile(r"\n{3,}")


def _tidy(text: str, fmt: str) -> str:
    """Trailing spaces off, runs of blank lines folded: Markdown that pastes cleanly into an email."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    text = "\n".join(lines).strip("\n")
    text = _BLANKS.sub("\n\n", text)
    if fmt == "html":
        text = re.sub(r"\n\n+", "\n", text)
    return text + "\n"


# ---------------------------------------------------------------- report pages

def page_msgids(env, names) -> set[str]:
    """The msgids the templates ``names`` use: a report page (``report-*.html.j2``) and the partials it
    extends or includes, so :mod:`careerpath.reports.pages` can check a language is complete for it."""
    out: set[str] = set()
    for name in names:
        path = env.loader.resolve(name)
        if path is not None:
            st = path.stat()
            out |= _msgids_in(env, str(path), st.st_mtime_ns, st.st_size)
    return out


def render_page(env, name: str, ctx: dict) -> str:
    """A report page from its template, as is (a template error is a RenderError naming its file and line)."""
    return _render_template(env, name, ctx)


# ---------------------------------------------------------------- pdf

class PdfUnavailable(RenderError):
    pass


PAPERS = {"letter": "Letter", "a4": "A4"}


def default_paper(lang: str) -> str:
    """A4 for Russian documents (the employment center's paper), US Letter for the Californian programs."""
    return "a4" if base_language(lang) == "ru" else "letter"


def pdf_layout(html: str, paper: str = "letter"):
    """The HTML laid out in pages by WeasyPrint (a ``weasyprint.Document``)."""
    if paper not in PAPERS:
        raise RenderError(Message("paper must be one of: {papers}", papers=", ".join(PAPERS)))
    try:
        import weasyprint
    except ImportError:
        raise PdfUnavailable(Message("PDF output needs WeasyPrint: pip install 'careerpath[pdf]' "
                                     "(or use --format html and print it)")) from None

    def no_fetch(url, *args, **kwargs):
        raise ValueError("external resources are not fetched")

    page = weasyprint.CSS(string=f"@page {{ size: {PAPERS[paper]}; }}", url_fetcher=no_fetch)
    parts = [weasyprint.HTML(string=part, url_fetcher=no_fetch).render(stylesheets=[page])
             for part in split_copies(html)]
    # each copy of a form is laid out alone, so its footer counts its own pages (1 / 2, 2 / 2)
    return parts[0].copy([p for part in parts for p in part.pages]) if len(parts) > 1 else parts[0]


COPY_BREAK = '<hr class="page-break copy-break">'


def split_copies(html: str) -> list[str]:
    """A document made of copies (``b.copybreak()``) as one HTML page per copy, each with the document's
    head, title and footer; a document without copies as itself.

    The marker cannot come from a caseload's text: HTML templates escape every value.
    """
    if COPY_BREAK not in html:
        return [html]
    head, _, rest = html.partition("<main>")
    title_end = rest.find("</h1>") + len("</h1>")
    title, rest = rest[:title_end], rest[title_end:]
    body, foot = (rest.rsplit("<footer>", 1) + [""])[:2] if "<footer>" in rest else (rest, "")
    foot = "<footer>" + foot if foot else "</main>\n</body>\n</html>\n"
    return [f"{head}<main>{title}{copy}{foot}" for copy in body.split(COPY_BREAK)]


def to_pdf(html: str, paper: str = "letter") -> bytes:
    """The HTML as PDF through WeasyPrint (the ``careerpath[pdf]`` extra); nothing is fetched.

    The same HTML gives the same bytes (WeasyPrint writes no creation date).
    """
    return pdf_layout(html, paper).write_pdf()


def coverage(caseload_root: Optional[Path] = None) -> list[dict]:
    """Per language and kind: strings translated, fuzzy, missing, and the catalog's reviewer.

    A kind renders in a language exactly when ``missing`` and ``fuzzy`` are 0
    (what ``careerpath i18n status`` reports for document templates).
    """
    programs = load_programs(caseload_root)
    env = make_environment(template_dirs(caseload_root, programs))
    rows = []
    for lang in LANGUAGES:
        for kind in kinds_of(programs).values():
            needed = template_msgids(env, kind, "md") | template_msgids(env, kind, "html")
            rows.append({"kind": kind.name, "template": kind.template,
                         **translations(lang, "documents", caseload_root).stats(needed)})
    return rows


def kinds_for(caseload, case_id: str) -> list[dict]:
    """For one case: each kind of its programs, and what it still lacks (empty: it renders)."""
    subject = subject_of(caseload, case_id)
    return [{"kind": k.name, "title": k.title, "missing": k.missing(subject)}
            for k in kinds_of(subject.programs).values() if k.applies_to(subject.case)]


def list_kinds(programs: Optional[ProgramSet] = None) -> list[dict]:
    """Every kind with its programs and title (English), for ``render --list``."""
    return [{"kind": k.name, "programs": list(k.programs), "title": k.title,
             "period": k.period or "", "audience": k.audience}
            for k in kinds_of(programs if programs is not None else load_programs()).values()]

"""Rendering: the one Jinja environment factory, template lookup, language choice.

Templates live in top-level ``templates/`` (shipped in the wheel as
``careerpath/templates``); a caseload overrides any of them with a file of the
same name in its own ``templates/`` folder. A kind has one source,
``<kind>.j2``, that renders both formats: it extends ``_layout.<fmt>.j2`` and
draws its blocks with the macros of ``_blocks.<fmt>.j2``. The environment asks
for ``<kind>.<fmt>.j2`` (so ``select_autoescape`` turns escaping on for HTML);
the loader answers with ``<kind>.<fmt>.j2`` if such a file exists, else
``<kind>.j2``: an override may be shared by both formats or made for one.
"""

from __future__ import annotations

import functools
import re
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Optional

from . import labels as L
from .context import Period, PeriodError, build_context, default_period, language_name, parse_period
from .kinds import KINDS, Kind, Subject
from .locales import LANGUAGES, SOURCE_LANGUAGE, available_languages, base_language, catalog_stats, load_catalog

FORMATS = ("md", "html", "pdf")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_FORMAT_NAME = re.compile(r"^(?P<base>.+)\.(?:md|html)\.j2$")


def builtin_templates() -> Path:
    """The built-in templates: ``careerpath/templates`` (a link to top-level templates/ in a checkout)."""
    return Path(__file__).resolve().parent.parent / "templates"


class RenderError(Exception):
    """A document cannot be made; the message says why (never with personal values)."""


class MissingData(RenderError):
    def __init__(self, kind: str, case_id: str, missing: list[str]):
        self.kind, self.case_id, self.missing = kind, case_id, missing
        lines = "\n".join(f"  - {m}" for m in missing)
        super().__init__(f"cannot render {kind} for case {case_id}: missing data:\n{lines}")


@dataclass
class Rendered:
    kind: str
    case_id: str
    lang: str  # the language the document is in
    requested_lang: str
    format: str
    text: str
    notes: list[str] = field(default_factory=list)  # for stderr, in English
    reviewed: bool = True

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")


# ---------------------------------------------------------------- environment

def _template_loader(dirs: tuple[Path, ...]):
    from jinja2 import BaseLoader, TemplateNotFound

    class Loader(BaseLoader):
        """Search the caseload's templates, then the built-in ones; ``x.html.j2`` falls back to ``x.j2``."""

        def __init__(self) -> None:
            self.dirs = dirs

        def resolve(self, name: str) -> Optional[Path]:
            if not _NAME.match(name) or ".." in name:
                return None
            candidates = [name]
            if (mt := _FORMAT_NAME.match(name)):
                candidates.append(f"{mt.group('base')}.j2")
            for folder in self.dirs:
                for cand in candidates:
                    path = folder / cand
                    if path.is_file():
                        if not path.resolve().is_relative_to(folder.resolve()):
                            # a caseload is often someone else's git repository: a link in its
                            # templates/ must not pull a private file into a document
                            raise RenderError(f"templates/{cand} is a link pointing outside its folder; "
                                              "it is not followed (copy the file instead)")
                        return path
            return None

        def get_source(self, environment, template):
            path = self.resolve(template)
            if path is None:
                raise TemplateNotFound(template)
            source = path.read_text(encoding="utf-8")
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

    env.install_gettext_callables(gettext, ngettext, newstyle=True)

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


def template_dirs(caseload_root: Optional[Path]) -> tuple[Path, ...]:
    dirs = []
    if caseload_root is not None and (Path(caseload_root) / "templates").is_dir():
        folder = Path(caseload_root) / "templates"
        if folder.is_symlink() and not folder.resolve().is_relative_to(Path(caseload_root).resolve()):
            # a cloned caseload's templates/ linking elsewhere would pull any file into a document
            raise RenderError("`templates` is a link pointing outside the caseload; it is not followed "
                              "(copy the folder instead)")
        dirs.append(folder.resolve())
    dirs.append(builtin_templates())
    return tuple(dirs)


# ---------------------------------------------------------------- languages

def template_msgids(env, kind: Kind, fmt: str) -> set[str]:
    """The msgids a kind's document uses: its template, the shared partials, the code's labels."""
    names = [f"{kind.name}.{fmt}.j2", f"_layout.{fmt}.j2", f"_blocks.{fmt}.j2"]
    out = L.msgids_of(kind.labels) | {kind.title} | set(_NOTES)
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

    out: set[str] = set()
    try:
        for _line, _func, message in env.extract_translations(Path(path).read_text(encoding="utf-8")):
            if isinstance(message, str):
                out.add(message)
            else:
                out.update(m for m in message if isinstance(m, str))
    except TemplateSyntaxError as e:
        raise RenderError(f"template {_shown(path)}, line {e.lineno}: {e.message}") from None
    return frozenset(out)


def choose_language(env, kind: Kind, fmt: str, wanted: str, default: str) -> tuple[str, list[str]]:
    """The language a document is rendered in, and notes when it is not ``wanted``.

    A language is used only if its catalog translates every string of the
    document: a document is never half in one language and half in another.
    """
    available = set(available_languages())
    needed = template_msgids(env, kind, "html" if fmt == "pdf" else fmt)

    def complete(lang: str) -> bool:
        if lang == SOURCE_LANGUAGE:
            return True
        if lang not in available:
            return False
        cat = load_catalog(lang)
        return all(cat.has(m) for m in needed)

    wanted_base = base_language(wanted)
    if complete(wanted_base):
        return wanted_base, []
    for fallback in (base_language(default), SOURCE_LANGUAGE):
        if complete(fallback):
            return fallback, [f"{kind.name} has no complete translation for language '{wanted_base}'; "
                              f"rendered in '{fallback}' (the document says so)"]
    raise AssertionError("the source language is always complete")  # pragma: no cover


_NOTES = (
    L.N_("This document is not yet available in %(language)s. It is shown in %(fallback)s."),
    L.N_("Translation not yet reviewed by a native speaker."),
)


# ---------------------------------------------------------------- rendering

def subject_of(caseload, case_id: str) -> Subject:
    """The typed inputs of ``case_id``; refuses a case whose files have errors."""
    cf = caseload.cases.get(case_id)
    if cf is None:
        raise RenderError(f"no case `{case_id}` in this caseload")
    prefix = f"cases/{case_id}/"
    errors = sorted({d.file for d in caseload.diagnostics
                     if d.severity == "error" and (d.file.startswith(prefix) or d.file == "careerpath.yaml")})
    if errors or cf.case is None or cf.case.model is None:
        where = ", ".join(errors) or f"{prefix}case.yaml"
        raise RenderError(f"case `{case_id}` has errors in {where}; run `careerpath validate` and fix them first")
    events = tuple(sorted((d.model for d in cf.events if d.model is not None), key=lambda e: (e.date, e.type)))
    referrals = tuple(sorted((d.model for d in cf.referrals if d.model is not None),
                             key=lambda r: (r.date, r.kind, r.to)))
    plan = cf.plan.model if cf.plan is not None else None
    return Subject(cf.case.model, plan, events, referrals, caseload.config)


def _obligations(caseload, case_id: str, today: date) -> list:
    """This case's obligations from the obligations engine, history included (reports pick their period)."""
    from ..obligations import case_obligations, load_rules

    cf = caseload.cases[case_id]
    found = case_obligations(cf, load_rules(), caseload.settings, today, caseload.config_doc)
    return sorted(found, key=lambda o: (o.due, o.rule, o.item))


def render(caseload, kind_name: str, case_id: str, *, today: date, lang: Optional[str] = None, fmt: str = "md",
           period: Optional[str] = None) -> Rendered:
    """Render one document of ``kind_name`` for ``case_id``.

    ``fmt`` is ``md`` or ``html`` (``pdf`` goes through :func:`to_pdf` on
    the HTML). Raises :class:`MissingData` listing what the case lacks, and
    :class:`RenderError` for anything else a user can fix.
    """
    kind = KINDS.get(kind_name)
    if kind is None:
        raise RenderError(f"unknown document kind `{kind_name}`; kinds: {', '.join(KINDS)}")
    if fmt not in ("md", "html"):
        raise RenderError("format must be md or html (pdf is made from the html)")
    subject = subject_of(caseload, case_id)
    missing = kind.requires(subject)
    if missing:
        raise MissingData(kind.name, case_id, missing)
    try:
        span: Optional[Period] = parse_period(period) if period else default_period(kind, subject, today)
    except PeriodError as e:
        raise RenderError(str(e)) from None
    if period and kind.period is None:
        raise RenderError(f"{kind.name} does not cover a period; leave out --period")

    env = make_environment(template_dirs(getattr(caseload, "root", None)))
    wanted = lang or subject.case.person.language
    doc_lang, notes = choose_language(env, kind, fmt, wanted, subject.config.default_language)
    catalog = load_catalog(doc_lang)
    found = _obligations(caseload, case_id, today)
    # deadlines the documents state (decision due, service limit, review date) come from the engine,
    # which knows extensions and settings: the first occurrence of each rule
    rule_due: dict[str, date] = {}
    for o in found:
        rule_due.setdefault(o.rule, o.due)
    obligations = found if kind.audience == "agency" else []
    ctx = build_context(subject, kind, lang=doc_lang, today=today, period=span, obligations=obligations,
                        rule_due=rule_due)
    fallback_note = None
    if doc_lang != base_language(wanted):
        fallback_note = catalog.gettext(_NOTES[0]) % {"language": language_name(base_language(wanted), doc_lang),
                                                       "fallback": language_name(doc_lang, doc_lang)}
    ctx["doc"] = {
        "kind": kind.name, "title": catalog.gettext(kind.title), "lang": doc_lang, "format": fmt,
        "audience": kind.audience,
        "fallback_note": fallback_note,
        "unreviewed_note": None if catalog.reviewed else catalog.gettext(_NOTES[1]),
    }
    ctx["fmt"] = fmt
    ctx["_catalog"] = catalog
    text = _render_template(env, f"{kind.name}.{fmt}.j2", ctx)
    return Rendered(kind.name, case_id, doc_lang, base_language(wanted), fmt, _tidy(text, fmt), notes,
                    catalog.reviewed)


def _render_template(env, name: str, ctx: dict) -> str:
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
    from jinja2.exceptions import SecurityError, UndefinedError

    from .limits import TemplateLimit, render_limited

    try:
        return render_limited(env.get_template(name), ctx)
    except TemplateLimit as e:
        raise RenderError(f"template {_template_frame(e)}: over a limit: {e}") from None
    except RecursionError as e:
        raise RenderError(f"template {_template_frame(e)}: over a limit: calls nested too deep (a recursive macro?)") \
            from None
    except MemoryError as e:
        raise RenderError(f"template {_template_frame(e)}: over a limit: out of memory") from None
    except OverflowError as e:  # the sandbox's own range cap, or a float out of range
        raise RenderError(f"template {_template_frame(e)}: over a limit: {e}") from None
    except TemplateSyntaxError as e:
        raise RenderError(f"template {_shown(e.filename or name)}, line {e.lineno}: {e.message}") from None
    except TemplateNotFound as e:
        raise RenderError(f"template not found: {e.name}") from None
    except (UndefinedError, SecurityError, TemplateError) as e:
        where = _template_frame(e)
        what = ("unsafe access blocked by the sandbox" if isinstance(e, SecurityError)
                else "missing field" if isinstance(e, UndefinedError) else "template error")
        raise RenderError(f"template {where}: {what}: {e.message}") from None
    except (TypeError, ValueError, AttributeError, LookupError, ZeroDivisionError) as e:
        # an error inside a template expression (e.g. an override doing arithmetic on text)
        raise RenderError(f"template {_template_frame(e)}: {type(e).__name__}") from None


def _template_frame(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]
    if not frames:
        return "(unknown place)"
    last = frames[-1]
    return f"{_shown(last.filename)}, line {last.lineno}"


def _shown(filename: str) -> str:
    path = Path(filename)
    builtin = builtin_templates()
    if path.parent == builtin or path.parent.resolve() == builtin.resolve():
        return f"{path.name} (built-in)"
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
        raise RenderError(f"paper must be one of: {', '.join(PAPERS)}")
    try:
        import weasyprint
    except ImportError:
        raise PdfUnavailable("PDF output needs WeasyPrint: pip install 'careerpath[pdf]' "
                             "(or use --format html and print it)") from None

    def no_fetch(url, *args, **kwargs):
        raise ValueError("external resources are not fetched")

    page = weasyprint.CSS(string=f"@page {{ size: {PAPERS[paper]}; }}", url_fetcher=no_fetch)
    return weasyprint.HTML(string=html, url_fetcher=no_fetch).render(stylesheets=[page])


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
    env = make_environment(template_dirs(caseload_root))
    rows = []
    for lang in LANGUAGES:
        for kind in KINDS.values():
            needed = template_msgids(env, kind, "md") | template_msgids(env, kind, "html")
            rows.append({"kind": kind.name, "template": kind.template, **catalog_stats(lang, needed)})
    return rows


def kinds_for(caseload, case_id: str) -> list[dict]:
    """For one case: each kind of its programs, and what it still lacks (empty: it renders)."""
    subject = subject_of(caseload, case_id)
    return [{"kind": k.name, "title": k.title, "missing": k.requires(subject)}
            for k in KINDS.values() if k.applies_to(subject.case)]


def list_kinds() -> list[dict]:
    """Every kind with its programs and title (English), for ``render --list``."""
    return [{"kind": k.name, "programs": list(k.programs), "title": k.title,
             "period": k.period or "", "audience": k.audience} for k in KINDS.values()]

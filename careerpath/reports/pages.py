"""Report pages as HTML from templates, through the documents' one sandboxed Jinja environment.

Each HTML output of ``careerpath report`` is a template, ``templates/report-<name>.html.j2``,
extending ``_report_layout.html.j2``. A caseload overrides any of them (or the
layout) with a file of the same name in its own ``templates/`` folder, as it
overrides a document. Their words go through the documents catalogue; a page
is rendered in a language only when that catalogue translates every word of its
templates (else the caseload's default language, else English, with a note), so
a page is never half in one language.

Pages get plain data (numbers, names, dates as text), and, for the dashboard,
:func:`bar_chart`: the SVG charts are drawn in Python from the numbers (pure
data to markup) and handed to the template as markup.
"""

from __future__ import annotations

import html
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Union

LAYOUT = "_report_layout.html.j2"
#: what a page from an unreviewed catalogue says at its top (the documents' own msgid, engine._NOTES)
UNREVIEWED = "Translation not yet reviewed by a native speaker."


@dataclass
class Page:
    """One rendered report page."""

    name: str              # the template, report-<name>.html.j2
    text: str
    lang: str              # the language it is in
    notes: list[str] = field(default_factory=list)  # for stderr, in English (a language fell back)


def environment(root: Optional[Path]):
    """The documents' Jinja environment for a caseload: its templates/ first, then the built-in ones."""
    from ..documents.engine import make_environment, template_dirs

    return make_environment(template_dirs(root))


def catalog(lang: str, root: Optional[Path] = None):
    """The documents catalogues of ``lang`` (a caseload's program folders first; their gettext is what
    templates' ``_()`` calls)."""
    from ..i18n import translations

    return translations(lang, "documents", root)


def choose_language(env, names: Iterable[str], wanted: str, default: str,
                    root: Optional[Path] = None) -> tuple[str, list[str]]:
    """The language a page is written in: ``wanted`` if its catalogue translates every word of the
    templates ``names``, else ``default``, else English; and a note when it is not ``wanted``."""
    from ..documents.engine import page_msgids
    from ..i18n import SOURCE_LANGUAGE, Message, available, base_language

    found: dict = {}

    def complete(lang: str) -> bool:
        if lang == SOURCE_LANGUAGE:
            return True
        if not found:  # read the templates' words only when a translation is wanted (parsing is the slow part)
            found["needed"], found["available"] = page_msgids(env, names), set(available("documents"))
        cat = catalog(lang, root)
        return lang in found["available"] and all(cat.has(m) for m in found["needed"])

    first = base_language(wanted or SOURCE_LANGUAGE)
    if complete(first):
        return first, []
    for fallback in (base_language(default or SOURCE_LANGUAGE), SOURCE_LANGUAGE):
        if complete(fallback):
            page = next(iter(names), "")
            return fallback, [Message("{page} has no complete translation for language '{lang}'; written in "
                                      "'{fallback}'", page=page, lang=first, fallback=fallback)]
    raise AssertionError("the source language is always complete")  # pragma: no cover


def render(root: Optional[Path], name: str, context: Union[dict, Callable[[str], dict]], *, lang: str,
           default: str, partials: tuple[str, ...] = ()) -> Page:
    """Render ``templates/<name>`` (a report page) in ``lang``, or a fallback when its catalogue is incomplete.

    ``context`` is the data, or a function of the language chosen giving it
    (names shown in that language). The template also gets ``page`` (its
    language, and the unreviewed-translation note when the catalogue is not
    reviewed). Raises :class:`careerpath.documents.engine.RenderError` for a
    broken template (a caseload's override), naming its file and line.
    """
    from ..documents.engine import render_page

    env = environment(root)
    chosen, notes = choose_language(env, (name, LAYOUT, *partials), lang, default, root)
    cat = catalog(chosen, root)
    data = context(chosen) if callable(context) else context
    ctx = {**data, "_catalog": cat,
           "page": {"lang": chosen, "unreviewed_note": None if cat.reviewed else cat.gettext(UNREVIEWED)}}
    return Page(name, render_page(env, name, ctx), chosen, notes)


# ---------------------------------------------------------------- charts

def bar_chart(title: str, data: dict, *, labels: Optional[dict] = None, color: str = "#2b6cb0",
              colors: Optional[dict] = None, empty: str = "none") -> Any:
    """A horizontal bar chart as inline SVG (markup), with a text equivalent for screen readers.

    ``data`` maps keys to values in the order drawn; ``labels`` says how a key
    is shown (a name, a translated word), ``colors`` the colour of a key's bar;
    ``empty`` is said when there is nothing to draw.
    """
    from markupsafe import Markup

    e = html.escape
    shown = labels or {}
    title = _plain(title)
    items = [(_plain(shown.get(k, k)), v, (colors or {}).get(k, color)) for k, v in data.items()]
    if not items:
        return Markup(f'<figure><figcaption>{e(title)}</figcaption><p class="empty">{e(_plain(empty))}</p></figure>')
    top = max((v for _, v, _c in items), default=0) or 1
    # room for the longest label (names, not ids, are shown): about 7.5 px a character at 13 px
    row, bar_w = 26, 300
    label_w = max(170, min(400, 16 + round(7.5 * max(len(label) for label, _v, _c in items))))
    ident = f"t-{zlib.crc32(title.encode()):08x}"  # str hash() differs per process: not deterministic
    height = row * len(items) + 10
    parts = [f"<figure><figcaption>{e(title)}</figcaption>", f'<svg role="img" aria-labelledby="{ident}" width="{label_w + bar_w + 60}" '
             f'height="{height}" viewBox="0 0 {label_w + bar_w + 60} {height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{ident}">{e(title)}: '
             + e(", ".join(f"{k} {v:g}" for k, v, _c in items)) + "</title>"]
    for i, (label, value, fill) in enumerate(items):
        y = 5 + i * row
        w = round(bar_w * value / top) if value else 0
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13">{e(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="18" fill="{fill}"/>')
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 16}" font-size="13">{value:g}</text>')
    parts.append("</svg></figure>")
    return Markup("".join(parts))


def _plain(text: Any) -> str:
    """Text as written: a translated title comes from the template already escaped (Markup)."""
    from markupsafe import Markup

    return text.unescape() if isinstance(text, Markup) else str(text)


def number(value: Optional[float], suffix: str = "") -> str:
    """A figure as the pages show it: at most two decimals, no trailing zeros; "–" when there is none."""
    if value is None:
        return "–"
    return (f"{value:.2f}".rstrip("0").rstrip(".")) + suffix


def percent(value: Optional[float]) -> str:
    return "–" if value is None else f"{value:.0%}"

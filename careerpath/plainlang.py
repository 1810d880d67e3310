"""Plain-language check of person-facing templates: long sentences and unexplained jargon.

Two rules, both about what the person reads (docs/i18n.md has the detail):

``long-sentence``
    a sentence of more than 20 words. Sentences end at ``.``, ``!``, ``?``
    (not in "e.g.", "i.e.", "etc.", "No.", "U.S."), at a blank line, at a
    Markdown heading, list item, table cell or quote, and at block HTML tags.
    A Jinja ``{{ value }}`` counts as one word; ``{% tags %}`` and comments
    count as nothing.
``jargon-unexplained``
    the *first* use of a term from ``locale/jargon.yaml`` is not explained:
    explained means followed by a parenthesis (``IPE (your plan for work)``)
    or a dash gloss (``IPE — your plan``), or the term in parentheses right
    after its long form (``Individualized Plan for Employment (IPE)``), or the
    document has a glossary block that defines it (a heading named Glossary /
    Words we use / Glosario / Palabras que usamos, or ``<dl class="glossary">``,
    with the term at the start of one of its lines or in a ``<dt>``).

Text comes from the template source (English and files under ``<dir>/es/``)
and from a ``documents.po`` catalogue's translations (Spanish), so what is
checked is what the person gets. Findings are values; the CLI prints them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

MAX_WORDS = 20
CHECKED_LANGUAGES = ("en", "es")
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".md", ".html", ".txt")
JARGON_FILE = Path(__file__).resolve().parent / "locale" / "jargon.yaml"
GLOSSARY_HEADINGS = re.compile(r"glossary|words we use|words used|glosario|palabras que usamos|t[eé]rminos", re.I)
BOUNDARY = "\x1e"  # a sentence boundary that takes no room and no line
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "No.", "U.S.", "Mr.", "Ms.", "Mrs.", "Dr.", "p. ej.", "Sr.", "Sra.", "núm.")
_BLOCK_TAGS = r"p|div|li|ul|ol|h[1-6]|tr|td|th|table|dt|dd|dl|br|section|header|footer|blockquote|title"


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    code: str  # long-sentence | jargon-unexplained
    message: str
    term: str = ""
    words: int = 0

    def format(self) -> str:
        return f"{self.file}:{self.line}: {self.code}: {self.message}"

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "code": self.code, "message": self.message,
                "term": self.term or None, "words": self.words or None}


def load_jargon(path: Path = JARGON_FILE) -> dict[str, list[str]]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(lang): [str(t) for t in terms or []] for lang, terms in data.items()}


# ------------------------------------------------------------- cleaning text

def _blank(m: re.Match) -> str:
    """Replace a match by spaces, keeping its newlines (so line numbers hold)."""
    return re.sub(r"[^\n]", " ", m.group(0))


_GETTEXT_CALL = re.compile(r"""\b(?:_|gettext|ngettext|pgettext)\(\s*(?:"[^"]*"\s*,\s*)?("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")


def _expression(m: re.Match) -> str:
    """``{{ _("Text") }}`` -> Text; any other ``{{ value }}`` -> one word (newlines kept)."""
    inner = m.group(0)
    call = _GETTEXT_CALL.search(inner)
    return (call.group(1)[1:-1] if call else "X") + "\n" * inner.count("\n")


def clean(text: str) -> str:
    """Template source -> the prose a reader sees, same lines, sentence boundaries marked."""
    text = re.sub(r"\{#.*?#\}", _blank, text, flags=re.S)
    text = re.sub(r"\{%-?\s*(?:end)?(?:trans|pluralize)\b.*?%\}", _blank, text, flags=re.S)
    text = re.sub(r"\{%.*?%\}", _blank, text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}", _expression, text, flags=re.S)
    text = re.sub(r"<!--.*?-->", _blank, text, flags=re.S)
    text = re.sub(rf"</?(?:{_BLOCK_TAGS})\b[^>]*>", lambda m: BOUNDARY + _blank(m)[1:], text, flags=re.I)
    text = re.sub(r"<[^>\n]*>", _blank, text)
    lines = []
    for line in text.split("\n"):
        stripped = line.lstrip()
        if not stripped:
            lines.append(BOUNDARY)
        elif re.match(r"(#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\|)", stripped):
            lines.append(BOUNDARY + line.replace("|", BOUNDARY))
        else:
            lines.append(line.replace("|", BOUNDARY))
    return "\n".join(lines)


# ------------------------------------------------------------------ sentences

_WORD = re.compile(r"[^\W_](?:[\w'’.\-/]*[^\W_])?")


def sentences(text: str) -> Iterable[tuple[int, str]]:
    """(line where it starts, sentence) for each sentence of cleaned text."""
    protected = text
    for abbr in _ABBREVIATIONS:  # same length, so positions and lines hold
        protected = protected.replace(abbr, abbr.replace(".", "\x1f"))
    pos = 0
    for m in re.finditer(rf"[.!?](?=[\s{BOUNDARY}]|$)|{BOUNDARY}", protected):
        yield from _chunk(protected, pos, m.end())
        pos = m.end()
    yield from _chunk(protected, pos, len(protected))


def _chunk(text: str, a: int, b: int) -> Iterable[tuple[int, str]]:
    chunk = text[a:b].replace("\x1f", ".")
    w = _WORD.search(chunk)
    if w:
        yield text.count("\n", 0, a + w.start()) + 1, chunk


def word_count(sentence: str) -> int:
    return len(_WORD.findall(sentence))


# --------------------------------------------------------------------- jargon

def _term_regex(term: str) -> re.Pattern:
    body = r"\s+".join(re.escape(w) for w in term.split())
    flags = 0 if term.isupper() else re.I
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", flags)


def _glossary_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in re.finditer(r"^[ \t]*(?:#{1,6}[ \t]+(.*)|<h[1-6][^>]*>(.*?)</h[1-6]>)", text, re.M | re.I):
        title = m.group(1) or m.group(2) or ""
        if GLOSSARY_HEADINGS.search(title):
            nxt = re.compile(r"^[ \t]*(?:#{1,6}[ \t]|<h[1-6])", re.M | re.I).search(text, m.end())
            spans.append((m.end(), nxt.start() if nxt else len(text)))
    for m in re.finditer(r"<dl[^>]*class=\"[^\"]*glossary[^\"]*\"[^>]*>.*?</dl>", text, re.S | re.I):
        spans.append((m.start(), m.end()))
    return spans


def _defined_in_glossary(raw: str, term: str) -> bool:
    rx = _term_regex(term)
    for a, b in _glossary_spans(raw):
        block = raw[a:b]
        for line in block.split("\n"):
            head = re.sub(r"^[\s\-*+]*(?:\*\*|__|<dt[^>]*>|<b>|<strong>)?\s*", "", line)
            m = rx.match(head)
            if m:
                return True
    return False


def _explained(text: str, start: int, end: int) -> bool:
    after = text[end:end + 4].replace(BOUNDARY, " ").lstrip(" \t")
    if after.startswith(("(", "—", "–", "- ", "-\n")):
        return True
    before = text[:start].rstrip(" \t")
    return before.endswith("(") and text[end:].lstrip(" \t").startswith(")")


def check_text(raw: str, file: str, lang: str, jargon: dict[str, list[str]], *, line_offset: int = 0,
               seen: Optional[set] = None, glossary_text: Optional[str] = None, max_words: int = MAX_WORDS) -> list[Finding]:
    """Findings for one text (a template, or one translated message of it)."""
    text = clean(raw)
    out: list[Finding] = []
    for line, sentence in sentences(text):
        n = word_count(sentence)
        if n > max_words:
            out.append(Finding(file, line + line_offset, "long-sentence",
                               f"a sentence of {n} words (more than {max_words}): split it", words=n))
    seen = set() if seen is None else seen
    glossary_source = raw if glossary_text is None else glossary_text
    for term in jargon.get(lang, []):
        if term in seen:
            continue
        m = _term_regex(term).search(text)
        if not m:
            continue
        seen.add(term)
        if _explained(text, m.start(), m.end()) or _defined_in_glossary(glossary_source, term):
            continue
        line = text.count("\n", 0, m.start()) + 1 + line_offset
        out.append(Finding(file, line, "jargon-unexplained",
                           f"“{term}” is not explained where it first appears: add a short gloss in parentheses "
                           f"or after a dash, or define it in a glossary", term=term))
    return out


# ------------------------------------------------------------------ templates

def template_files(folder: Path, lang: str) -> list[Path]:
    """English: templates directly in ``folder`` (and its non-language subfolders); other languages: ``folder/<lang>/``."""
    from .i18n import LANGUAGES

    if lang == "en":
        files = [p for p in folder.rglob("*") if p.is_file()
                 and not (p.relative_to(folder).parts[0] in LANGUAGES and len(p.relative_to(folder).parts) > 1)]
    else:
        sub = folder / lang
        files = [p for p in sub.rglob("*") if p.is_file()] if sub.is_dir() else []
    return sorted(p for p in files if p.name.endswith(TEMPLATE_SUFFIXES))


def check_templates(folder: Path, languages: Iterable[str] = CHECKED_LANGUAGES, *, catalogue: Optional[Path] = None,
                    jargon: Optional[dict[str, list[str]]] = None, display_root: Optional[Path] = None) -> list[Finding]:
    """Check every person-facing template of ``folder`` in ``languages``; sorted findings.

    ``catalogue`` is a locale folder holding ``<lang>/LC_MESSAGES/documents.po``:
    its translations are checked per template, in template line order, since a
    one-source template is only Spanish through its catalogue.
    """
    jargon = load_jargon() if jargon is None else jargon
    root = display_root or folder
    out: list[Finding] = []
    for lang in languages:
        for path in template_files(folder, lang):
            raw = path.read_text(encoding="utf-8", errors="replace")
            out += check_text(raw, _show(path, root), lang, jargon)
        if lang != "en" and catalogue is not None:
            out += _check_catalogue(catalogue / lang / "LC_MESSAGES" / "documents.po", lang, jargon, root)
    return sorted(set(out))


def _check_catalogue(po: Path, lang: str, jargon, root: Path) -> list[Finding]:
    if not po.is_file():
        return []
    from .i18n import read_catalogue

    cat, _rev = read_catalogue(po, lang, "documents")
    by_template: dict[str, list] = {}
    for m in cat:
        if not m.id or m.fuzzy:
            continue
        for loc in (m.locations or [("?", 0)])[:1]:
            by_template.setdefault(loc[0], []).append((loc[1] or 0, m))
    out = []
    for _tpl, items in sorted(by_template.items()):
        seen: set = set()
        strings = [(m.string if isinstance(m.string, str) else " ".join(m.string)) for _l, m in sorted(items, key=lambda x: x[0])]
        whole = "\n".join(strings)
        for (_l, m), text in zip(sorted(items, key=lambda x: x[0]), strings):
            if text:
                out += check_text(text, _show(po, root), lang, jargon, line_offset=(m.lineno or 1) - 1,
                                  seen=seen, glossary_text=whole)
    return out


def _show(path: Path, root: Path) -> str:
    import os

    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)

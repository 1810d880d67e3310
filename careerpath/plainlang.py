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
    after its long form (``Individualized Plan for Employment (IPE)``, also
    ``(Client Assistance Program, CAP)`` after a translated long form), or the
    document has a glossary block that defines it (a heading named Glossary /
    Words we use / Glosario / Palabras que usamos, or ``<dl class="glossary">``,
    with the term at the start of one of its lines or in a ``<dt>``).

Only person-facing templates are checked: partials (``_*.j2``, part of every
document) and kind templates whose opening comment says ``Person-facing``
(``--all`` checks every template). English text is the template's literal
prose plus its gettext messages (Babel's Jinja extractor); Spanish is those
messages as ``es/LC_MESSAGES/documents.po`` translates them (reported at the
catalogue line a translator edits), plus whole-document overrides under
``<dir>/es/``. ``%(name)s`` and ``{{ value }}`` count as one word.
Findings are values; the CLI prints them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

MAX_WORDS = 20
# The same sentence takes more words in some languages than in others: Vietnamese and Hmong write each
# syllable as a word, Russian and Armenian fold articles and prepositions into endings. Each limit is 20
# English words times the median ratio of words per message, this language's documents.po to English,
# over the messages of six English words or more (measured on the shipped catalogues: es 1.06,
# vi 1.41, hy 0.88, hmn 1.57, ru 0.88), rounded.
MAX_WORDS_BY_LANGUAGE = {"en": 20, "es": 21, "vi": 28, "hy": 18, "hmn": 31, "ru": 18}
CHECKED_LANGUAGES = ("en", "es", "vi", "hy", "hmn", "ru")
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".md", ".html", ".txt")
JARGON_FILE = Path(__file__).resolve().parent / "locale" / "jargon.yaml"
GLOSSARY_HEADINGS = re.compile(r"glossary|words we use|words used|glosario|palabras que usamos|t[eé]rminos", re.I)
BOUNDARY = "\x1e"  # a sentence boundary that takes no room and no line
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "No.", "U.S.", "Mr.", "Ms.", "Mrs.", "Dr.", "p. ej.", "Sr.", "Sra.", "núm.",
                  "т. е.", "т. д.", "т. п.", "и др.", "см.", "ст.", "г.", "тел.")
_BLOCK_TAGS = r"p|div|li|ul|ol|h[1-6]|tr|td|th|table|dt|dd|dl|br|section|header|footer|blockquote|title"


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    line: int
    code: str  # long-sentence | jargon-unexplained
    message: str
    term: str = ""
    words: int = 0
    limit: int = 0   # long-sentence: the language's limit

    def format(self) -> str:
        return f"{self.file}:{self.line}: {self.code}: {self.message}"

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "code": self.code, "message": self.message,
                "term": self.term or None, "words": self.words or None, "limit": self.limit or None}


def max_words(lang: str) -> int:
    """The longest sentence, in words, that a reader of ``lang`` gets (MAX_WORDS_BY_LANGUAGE)."""
    return MAX_WORDS_BY_LANGUAGE.get(lang, MAX_WORDS)


def load_jargon(path: Path = JARGON_FILE) -> dict[str, list[str]]:
    """Jargon per language: jargon.yaml's lists, and for each English term the glossary's rendering.

    English (and any language listed there) comes from ``locale/jargon.yaml``.
    Every other language also gets each English term's rendering from its
    glossary (``locale/glossary/<lang>.yaml``: the term and its accepted forms,
    without a parenthesised abbreviation): vi «trung tâm khu vực» for "regional
    center". An all-capital term (IPE, DOR) is the same in every language.
    """
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = {str(lang): [str(t) for t in terms or []] for lang, terms in data.items()}
    english = out.get("en", [])
    for lang in CHECKED_LANGUAGES:
        if lang == "en":
            continue
        terms = list(out.get(lang, []))
        for term in _glossary_renderings(english, lang):
            if term not in terms:
                terms.append(term)
        out[lang] = terms
    return out


def _glossary_renderings(english: list[str], lang: str) -> list[str]:
    """The glossary renderings in ``lang`` of the English jargon terms.

    A phrase gives its term and the accepted forms of as many words (inflections,
    not stems), without a parenthesised abbreviation; an abbreviation stays as it
    is and also gives the language's own (ИПРА for IPRA).
    """
    from . import glossary

    try:
        en, other = glossary.load("en"), glossary.load(lang)
    except (OSError, glossary.GlossaryError):
        return [t for t in english if t.isupper()]
    out: list[str] = []

    def add(term: str) -> None:
        if term and term not in out:
            out.append(term)

    for word in english:
        match = next((tid for tid, t in en.terms.items() if tid in other.terms
                      and word.lower() in {f.lower() for f in (t.term, *t.forms)}), None)
        if word.isupper():
            add(word)
            if match:
                for token in re.findall(r"\b[^\W\d_]{2,}\b", other.terms[match].term):
                    if token.isupper() and token != word:
                        add(token)
            continue
        if match is None:
            continue
        theirs = other.terms[match]
        bare_term = re.sub(r"\s*\([^()]*\)", "", theirs.term).strip()
        add(bare_term)
        for form in theirs.forms:
            bare = re.sub(r"\s*\([^()]*\)", "", form).strip()
            if len(bare.split()) == len(bare_term.split()) and len(bare) >= len(bare_term) - 2:
                add(bare)
    return out


def _bare(form: str) -> str:
    return re.sub(r"\s*\([^()]*\)", "", form).strip()


@functools.lru_cache(maxsize=None)
def role_names(lang: str) -> tuple[str, ...]:
    """Glossary names (of roles, programs…) that contain a jargon term without being it.

    "Customized Employment Specialist" names a person, whose work the reader
    meets in person: the "customized employment" inside it is not the first
    use of that jargon (vi «Chuyên gia Việc làm Tùy chỉnh» likewise). The
    jargon check blanks these names before it looks.
    """
    from . import glossary

    try:
        gl = glossary.load(lang)
    except (OSError, glossary.GlossaryError):
        return ()
    jargon = load_jargon().get(lang, [])
    lowered = {j.lower() for j in jargon}
    out = []
    for term in gl.terms.values():
        forms = {_bare(f) for f in (term.term, *term.forms)}
        if any(f.lower() in lowered for f in forms):
            continue  # the jargon term itself
        for form in forms:
            if any(_term_regex(j).search(form) and j.lower() != form.lower() for j in jargon):
                out.append(form)
    return tuple(sorted(set(out), key=len, reverse=True))


def _without_names(text: str, lang: str) -> str:
    """``text`` with :func:`role_names` blanked (same length: positions and lines hold)."""
    for name in role_names(lang):
        text = re.sub(re.escape(name), lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.I)
    return text


# ------------------------------------------------------------- cleaning text

def _blank(m: re.Match) -> str:
    """Replace a match by spaces, keeping its newlines (so line numbers hold)."""
    return re.sub(r"[^\n]", " ", m.group(0))


def _expression(m: re.Match) -> str:
    """Any ``{{ value }}`` -> one word (its newlines kept); its _() strings are checked as messages."""
    return "X" + "\n" * m.group(0).count("\n")


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
    for abbr in _ABBREVIATIONS:  # whole words only ("услуг." is not "г."); same length, so positions hold
        protected = re.sub(rf"(?<!\w){re.escape(abbr)}", lambda m: m.group(0).replace(".", "\x1f"), protected)
    pos = 0
    # Armenian ends a sentence with «։» (verjaket), not a full stop
    for m in re.finditer(rf"[.!?։…](?=[\s{BOUNDARY}]|$)|{BOUNDARY}", protected):
        yield from _chunk(protected, pos, m.end())
        pos = m.end()
    yield from _chunk(protected, pos, len(protected))


def _chunk(text: str, a: int, b: int) -> Iterable[tuple[int, str]]:
    chunk = text[a:b].replace("\x1f", ".")
    w = _WORD.search(chunk)
    if w:
        yield text.count("\n", 0, a + w.start()) + 1, chunk[w.start():]


def word_count(sentence: str) -> int:
    return len(_WORD.findall(sentence))


# --------------------------------------------------------------------- jargon

def _term_regex(term: str) -> re.Pattern:
    body = r"\s+".join(re.escape(w) for w in term.split())
    flags = 0 if term.isupper() else re.I
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", flags)


def _glossary_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    heading = (r"^[ \t]*(?:#{1,6}[ \t]+(.*)|<h[1-6][^>]*>(.*?)</h[1-6]>"
               r"|\{\{-?\s*[\w.]*h[1-6]\(\s*_\(\s*[\"']([^\"']*))")  # Markdown, HTML, or a macro h2(_("…"))
    for m in re.finditer(heading, text, re.M | re.I):
        title = m.group(1) or m.group(2) or m.group(3) or ""
        if GLOSSARY_HEADINGS.search(title):
            nxt = re.compile(r"^[ \t]*(?:#{1,6}[ \t]|<h[1-6]|\{\{-?\s*[\w.]*h[1-6]\()", re.M | re.I).search(text, m.end())
            spans.append((m.end(), nxt.start() if nxt else len(text)))
    for m in re.finditer(r"<dl[^>]*class=\"[^\"]*glossary[^\"]*\"[^>]*>.*?</dl>", text, re.S | re.I):
        spans.append((m.start(), m.end()))
    return spans


def _defined_in_glossary(raw: str, term: str) -> bool:
    rx = _term_regex(term)
    for a, b in _glossary_spans(raw):
        block = raw[a:b]
        for line in block.split("\n"):
            head = re.sub(r"^[\s\-*+]*(?:\{\{-?\s*)?(?:[\w.]+\(\s*)?\[*\s*(?:_\(\s*)?[\"']?"
                          r"(?:\*\*|__|<dt[^>]*>|<b>|<strong>)?\s*", "", line)
            m = rx.match(head)
            if m:
                return True
    return False


def _explained(text: str, start: int, end: int) -> bool:
    after = text[end:end + 4].replace(BOUNDARY, " ").lstrip(" \t")
    if after.startswith(("(", "—", "–", "- ", "-\n")):
        return True
    before = text[:start].rstrip(" \t")
    if not text[end:].lstrip(" \t").startswith(")"):
        return False
    return before.endswith("(") or _closes_its_long_form(text[:start], text[start:end])


def _closes_its_long_form(before: str, term: str) -> bool:
    """An abbreviation that ends a parenthesis opening with its long form: ``(Client Assistance Program, CAP)``.

    A translation that keeps the English name beside the abbreviation (the hy
    glossary's «Հաճախորդներին աջակցության ծրագիր (Client Assistance Program,
    CAP)») explains it as ``(CAP)`` does. Only when the words before the comma
    spell the abbreviation (initials of every word, or of the capitalised ones):
    ``(see also, CAP)`` is no explanation.
    """
    m = re.search(r"\(([^()\n]*?),[ \t]*$", before)
    if not term.isupper() or not m:
        return False
    words = re.findall(r"[^\W\d_]+", m.group(1))
    every = "".join(w[0] for w in words).upper()
    capitalised = "".join(w[0] for w in words if w[0].isupper())
    return term in (every, capitalised)


def check_text(raw: str, file: str, lang: str, jargon: dict[str, list[str]], *, line_offset: int = 0,
               seen: Optional[set] = None, glossary_text: Optional[str] = None, limit: Optional[int] = None) -> list[Finding]:
    """Findings for one text (a template, or one translated message of it)."""
    text = clean(raw)
    limit = max_words(lang) if limit is None else limit
    out: list[Finding] = []
    for line, sentence in sentences(text):
        n = word_count(sentence)
        if n > limit:
            out.append(Finding(file, line + line_offset, "long-sentence",
                               f"a sentence of {n} words (more than {limit}): split it", words=n, limit=limit))
    seen = set() if seen is None else seen
    glossary_source = raw if glossary_text is None else glossary_text
    for term in jargon.get(lang, []):
        if term in seen:
            continue
        m = _term_regex(term).search(_without_names(text, lang))
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

PERSON_FACING_MARK = re.compile(r"\{#-?[^#]*person-facing", re.I)
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\w+\}")


def is_person_facing(path: Path, source: str, person_facing: frozenset = frozenset()) -> bool:
    """Partials (``_*.j2``) are in every document; a kind template is person-facing when its kind's audience
    is ``person`` or ``both`` (``person_facing``: their template names) or its opening comment says so."""
    return (path.name.startswith("_") or path.name in person_facing
            or bool(PERSON_FACING_MARK.search(source[:500])))


def _source(path: Path) -> str:
    """A template's text through the safe reader (a caseload's templates are someone else's): '' when refused."""
    from .fsio import ReadRefused, read_regular

    try:
        return read_regular(path, root=path.parent).decode("utf-8", errors="replace")
    except ReadRefused:
        return ""


def template_messages(path: Path, source: Optional[str] = None) -> list[tuple[int, str]]:
    """(line, English msgid) of every gettext string of a template, parsed by the documents' one
    (sandboxed) Jinja environment, so the check reads templates exactly as ``render`` does."""
    from .documents.engine import make_environment

    text = source if source is not None else _source(path)
    out = []
    try:
        from .documents.engine import message_keys

        for line, func, message in make_environment(()).extract_translations(text):
            for key in message_keys(func, message):  # a pgettext's context is not prose
                out.append((line, key[1] if isinstance(key, tuple) else key))
    except Exception:  # a template Jinja cannot parse: its literal prose is still checked
        return []
    return out


def _readable(message: str) -> str:
    return _PLACEHOLDER.sub("X", message)


def check_template(path: Path, lang: str, jargon: dict[str, list[str]], *, show: str,
                   translate=None, catalogue_show: Optional[str] = None, lines_of=None) -> list[Finding]:
    """One template in one language: its literal prose and its gettext messages (translated when ``translate``).

    The jargon rule looks at the template as the reader meets it: the first use
    of a term, by template line, across prose and messages.
    """
    source = _source(path)
    units: list[tuple[int, str, str, int]] = []  # (order line, text, file shown, line shown)
    if translate is None:  # the literal prose is English: read once, under English (a translation has no prose)
        for line, sentence in sentences(clean(source)):
            units.append((line, sentence, show, line))
    for line, msgid in template_messages(path, source):
        if translate is None:
            units.append((line, _readable(msgid), show, line))
        else:
            text = translate(msgid)
            if text:
                where = lines_of(msgid) if lines_of else None
                units.append((line, _readable(text), catalogue_show or show, where or line))
    units.sort(key=lambda u: u[0])
    if translate is None:
        glossary = source
    else:  # the glossary block is found in the source; its entries are read in their translation
        spans = [(source.count("\n", 0, a) + 1, source.count("\n", 0, b) + 1) for a, b in _glossary_spans(source)]
        entries = [translate(msgid) or msgid for line, msgid in template_messages(path, source)
                   if any(lo <= line <= hi for lo, hi in spans)]
        glossary = "## Glossary\n" + "\n".join(entries)
    out: list[Finding] = []
    limit = max_words(lang)
    for _order, text, file, line in units:
        for sline, sentence in sentences(clean(text)):
            n = word_count(sentence)
            if n > limit:
                out.append(Finding(file, line + sline - 1, "long-sentence",
                                   f"a sentence of {n} words (more than {limit}): split it", words=n, limit=limit))
    for term in jargon.get(lang, []):
        rx = _term_regex(term)
        for _order, text, file, line in units:
            cleaned = clean(text)
            m = rx.search(_without_names(cleaned, lang))
            if not m:
                continue
            if not (_explained(cleaned, m.start(), m.end()) or _defined_in_glossary(glossary, term)):
                out.append(Finding(file, line + cleaned.count("\n", 0, m.start()), "jargon-unexplained",
                                   f"“{term}” is not explained where it first appears: add a short gloss in "
                                   f"parentheses or after a dash, or define it in a glossary", term=term))
            break
    return out


def template_files(folder: Path, lang: str, *, everything: bool = False, person_facing: frozenset = frozenset()) -> list[Path]:
    """English: the templates directly in ``folder``; another language: ``folder/<lang>/`` (whole-document overrides)."""
    base = folder if lang == "en" else folder / lang
    if not base.is_dir():
        return []
    files = sorted(p for p in base.iterdir() if p.is_file() and p.name.endswith(TEMPLATE_SUFFIXES))
    if everything:
        return files
    return [p for p in files if is_person_facing(p, _source(p)[:500], person_facing)]


def check_templates(folder: Path, languages: Iterable[str] = CHECKED_LANGUAGES, *, catalogue: Optional[Path] = None,
                    jargon: Optional[dict[str, list[str]]] = None, everything: bool = False,
                    person_facing: Optional[frozenset] = None) -> list[Finding]:
    """Check the person-facing templates of ``folder`` in ``languages``; sorted findings.

    English is the template source. Spanish is the template's messages as the
    ``documents`` catalogue of ``catalogue`` (a locale folder) translates them,
    reported at the catalogue entry's line, plus any whole-document override
    in ``folder/es/``.
    """
    jargon = load_jargon() if jargon is None else jargon
    facing = person_facing_templates() if person_facing is None else person_facing
    out: list[Finding] = []
    for lang in languages:
        for path in template_files(folder, lang, everything=everything, person_facing=facing):
            out += check_template(path, lang, jargon, show=_show(path))
        if lang == "en" or catalogue is None:
            continue
        po = catalogue / lang / "LC_MESSAGES" / "documents.po"
        if not po.is_file():
            continue
        translate, lines_of = _catalogue_lookup(po, lang)
        overridden = {p.name for p in template_files(folder, lang, everything=True)}
        for path in template_files(folder, "en", everything=everything, person_facing=facing):
            if path.name not in overridden:
                out += check_template(path, lang, jargon, show=_show(path), translate=translate,
                                      catalogue_show=_show(po), lines_of=lines_of)
    return sorted(set(out))


def person_facing_templates(root: Optional[Path] = None) -> frozenset:
    """Template file names of the kinds a person reads: audience ``person`` or ``both`` (documents.yaml)."""
    from .documents.kinds import kinds_of
    from .programs import load_programs

    return frozenset(k.template for k in kinds_of(load_programs(root)).values() if k.audience in ("person", "both"))


def _catalogue_lookup(po: Path, lang: str):
    from .i18n import read_catalogue

    cat, _rev = read_catalogue(po, lang, "documents")
    strings, lines = {}, {}
    for m in cat:
        if not m.id or m.fuzzy:
            continue
        ids = m.id if isinstance(m.id, (tuple, list)) else (m.id,)
        texts = m.string if isinstance(m.string, (tuple, list)) else (m.string,)
        for i, mid in enumerate(ids):
            if mid and i < len(texts) and texts[i]:
                strings[mid] = texts[i]
                lines[mid] = m.lineno
    return strings.get, lines.get


def _show(path: Path) -> str:
    import os

    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)

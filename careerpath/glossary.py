"""Per-language glossaries taken from the seeds, a drift check, and a translation memory.

Three pieces of data under ``careerpath/locale/``, kept apart from the
``.po`` catalogues so they survive the catalogues being regenerated, split or
re-keyed:

- ``glossary/<lang>.yaml``: term id -> this language's rendering, the seed
  file and line it comes from (or why no seed has it), the accepted ``forms``
  and the renderings to ``avoid``. The English file's forms are the words that
  make a source string "use" the term.
- ``memory/<lang>.yaml``: msgid (+ msgctxt) -> msgstr, machine-drafted and not
  reviewed: every string the catalogues lacked when it was written, plus
  corrections of existing translations that drifted from the glossary.
  :func:`apply_memory` writes it into the ``.po`` files; a memory entry wins
  over what a catalogue says, unless a native speaker reviewed that catalogue.

:func:`check` is the drift check: pure, over ``(context, msgid, msgstr)``
triples, returning findings as values. ``python -m careerpath.glossary``
runs it and the memory over the installed catalogues (docs/i18n.md).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from . import i18n
from .yamlfile import read_file

GLOSSARY_DIR = i18n.LOCALE_DIR / "glossary"
MEMORY_DIR = i18n.LOCALE_DIR / "memory"
SEED_SOURCES = ("no seed term", "common usage, not from a seed", "source language")
#: The translator comment apply_memory puts on every entry it writes.
DRAFT_MARK = "machine-drafted, not reviewed (careerpath/locale/memory/{lang}.yaml)"


class GlossaryError(ValueError):
    """A glossary or memory file that cannot be used: unreadable YAML or a wrong shape."""


# ------------------------------------------------------------------ glossary

@dataclass(frozen=True)
class Term:
    """One language's rendering of one term."""

    id: str
    term: str
    forms: tuple[str, ...]
    avoid: tuple[str, ...] = ()
    seed: Optional[str] = None
    line: Optional[int] = None
    line_end: Optional[int] = None
    quote: Optional[str] = None
    source: Optional[str] = None  # "no seed term" / "common usage, not from a seed" when no seed is cited
    reason: Optional[str] = None
    whole: bool = False  # English only: the term is the whole msgid ("I agree"), not a word in it


@dataclass(frozen=True)
class Register:
    """The polite register of a language, where a seed shows it, and pronouns to avoid."""

    note: str
    seed: Optional[str] = None
    line: Optional[int] = None
    quote: Optional[str] = None
    avoid: tuple[str, ...] = ()


@dataclass(frozen=True)
class Glossary:
    lang: str
    terms: dict[str, Term]
    register: Optional[Register]
    file: str = ""


def _strings(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise GlossaryError(f"{where}: expected a list of texts")


def _int(value, where: str) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise GlossaryError(f"{where}: expected a line number")
    return value


def parse_glossary(data, file: str) -> Glossary:
    """A glossary from the plain data of its YAML file (shape errors raise GlossaryError)."""
    if not isinstance(data, dict) or not isinstance(data.get("terms"), dict) or not isinstance(data.get("language"), str):
        raise GlossaryError(f"{file}: needs `language:` and a `terms:` mapping")
    terms = {}
    for tid, t in data["terms"].items():
        where = f"{file}: terms.{tid}"
        if not isinstance(t, dict) or not isinstance(t.get("term"), str) or not t["term"]:
            raise GlossaryError(f"{where}: needs `term:`")
        if (t.get("seed") is None) == (t.get("source") is None):
            raise GlossaryError(f"{where}: give either `seed:` and `line:`, or `source:` and `reason:`")
        if t.get("seed") is not None and _int(t.get("line"), where + ".line") is None:
            raise GlossaryError(f"{where}: a seed citation needs `line:`")
        if t.get("source") is not None and (t["source"] not in SEED_SOURCES or not t.get("reason")):
            raise GlossaryError(f"{where}: `source:` is one of {', '.join(SEED_SOURCES)} and needs `reason:`")
        terms[str(tid)] = Term(
            id=str(tid), term=t["term"], forms=_strings(t.get("forms"), where + ".forms") or (t["term"],),
            avoid=_strings(t.get("avoid"), where + ".avoid"), seed=t.get("seed"), line=_int(t.get("line"), where),
            line_end=_int(t.get("line_end"), where), quote=t.get("quote"), source=t.get("source"),
            reason=t.get("reason"), whole=bool(t.get("whole", False)))
    reg = data.get("register")
    register = None
    if isinstance(reg, dict) and isinstance(reg.get("note"), str):
        register = Register(note=reg["note"], seed=reg.get("seed"), line=_int(reg.get("line"), file + ": register"),
                            quote=reg.get("quote"), avoid=_strings(reg.get("avoid"), file + ": register.avoid"))
    return Glossary(data["language"], terms, register, file)


@functools.lru_cache(maxsize=None)
def _load_cached(path: Path) -> Glossary:
    parsed = read_file(path, str(path))
    errors = [d for d in parsed.diagnostics if d.severity == "error"]
    if errors or parsed.data is None:
        first = errors[0] if errors else None
        raise GlossaryError(f"{path}: " + (f"{first.line}:{first.column}: {first.message}" if first else "empty"))
    return parse_glossary(parsed.data, str(path))


def load(lang: str, folder: Path = GLOSSARY_DIR) -> Glossary:
    """The glossary of ``lang`` (read with the project's hardened YAML reader, cached)."""
    return _load_cached(Path(folder) / f"{lang}.yaml")


def citations(glossary: Glossary) -> list[tuple[str, str, int, int, str]]:
    """(term id, seed file, first line, last line, quoted text) for every seed citation, register included."""
    out = []
    for t in glossary.terms.values():
        if t.seed:
            out.append((t.id, t.seed, t.line, t.line_end or t.line, t.quote or t.term))
    r = glossary.register
    if r and r.seed:
        out.append(("register", r.seed, r.line, r.line, r.quote or ""))
    return out


# ------------------------------------------------------------------- check

@dataclass(frozen=True)
class Finding:
    """One drift: a catalogue entry that uses a glossary term another way (or breaks the register)."""

    lang: str
    code: str  # glossary-missing | glossary-avoid | glossary-register
    term: str  # term id, or "register"
    msgid: str
    context: Optional[str]
    found: str = ""  # the avoided text seen in the translation
    expected: str = ""  # the glossary's rendering
    file: str = ""

    @property
    def message(self) -> str:
        if self.code == "glossary-missing":
            return f"the source says {self.term!s} but the translation lacks «{self.expected}»"
        if self.code == "glossary-register":
            return f"«{self.found}» breaks the register: {self.expected}"
        return f"«{self.found}» is not the glossary's rendering of {self.term}: use «{self.expected}»"

    def to_dict(self) -> dict:
        return {"lang": self.lang, "code": self.code, "term": self.term, "msgid": self.msgid,
                "context": self.context, "found": self.found, "expected": self.expected, "file": self.file,
                "message": self.message}


Msg = Union[str, Sequence[str]]
#: Parts of a message that are code, not language: placeholders, `backquoted` names,
#: --options, dotted field paths, program ids (ca-dor-vr) and example command lines.
#: They are never matched.
_CODE = re.compile(r"`[^`]*`|\{[^{}]*\}|%\([^)]*\)[sd]|--?[A-Za-z][\w-]*|\b[\w-]+(?:\.[\w-]+)+|\b(?:ca|ru)-[a-z-]+"
                   r"|\bcareerpath [^\n]*")  # an example command line, to its end


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", _CODE.sub(" ", text))


def _caps(form: str) -> bool:
    return form.isupper() and " " not in form


@functools.lru_cache(maxsize=4096)
def _rx(form: str, whole_word: bool, plural: bool = False) -> re.Pattern:
    """A form as a pattern: from the start of a word (a stem accepts its endings); ALL-CAPS forms exactly."""
    body = re.escape(unicodedata.normalize("NFC", form))
    if _caps(form):
        return re.compile(rf"(?<!\w){body}(?!\w)")
    tail = r"(?:s|es)?(?!\w)" if plural else (r"(?!\w)" if whole_word else "")
    lead = r"(?<!\w)" if form[:1].isalnum() else ""
    return re.compile(lead + body + tail, re.IGNORECASE)


def _has(text: str, forms: Iterable[str], whole_word: bool = False, plural: bool = False) -> bool:
    return any(_rx(f, whole_word, plural).search(text) for f in forms)


def _strip(text: str, forms: Iterable[str]) -> str:
    """``text`` with every accepted form blanked out, longest first (so "navegador(a)" hides "navegador")."""
    for f in sorted(set(forms), key=len, reverse=True):
        text = _rx(f, False).sub(" ", text)
    return text


def _texts(value: Msg) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else [v for v in value if v]


def _source_uses(source: str, term: Term) -> bool:
    if term.whole:
        bare = source.strip().rstrip(".!").strip().casefold()
        return bare in {f.casefold() for f in term.forms}
    return _has(source, term.forms, whole_word=True, plural=True)


def check(messages: Iterable[tuple[Optional[str], Msg, Msg]], lang: str,
          glossaries: Optional[dict[str, Glossary]] = None, file: str = "") -> list[Finding]:
    """Glossary drift in ``messages``: ``(context, msgid, msgstr)`` triples of one language.

    A finding is raised when a translation
    - uses a term's English form in its msgid but none of the language's ``forms`` (glossary-missing);
    - contains an ``avoid`` rendering of any term, once every accepted form of every term is
      blanked out (glossary-avoid: "navegador" is flagged, "navegador(a)" is not);
    - contains a pronoun the language's register avoids, as a whole word (glossary-register).
    Untranslated entries are skipped: coverage is ``i18n status``'s business.
    ``glossaries`` maps "en" and ``lang`` to their Glossary (default: the packaged files).
    """
    if lang == i18n.SOURCE_LANGUAGE:
        return []
    glossaries = glossaries or {"en": load("en"), lang: load(lang)}
    en, target = glossaries["en"], glossaries[lang]
    all_forms = [f for t in target.terms.values() for f in t.forms]
    register_avoid = target.register.avoid if target.register else ()
    out: list[Finding] = []
    for context, msgid, msgstr in messages:
        strings = [_norm(s) for s in _texts(msgstr)]
        if not strings:
            continue
        ids = _texts(msgid)
        source = _norm(" ".join(ids))
        key = ids[0] if ids else ""

        def add(code, term, found="", expected=""):
            out.append(Finding(lang, code, term, key, context, found, expected, file))

        for tid, en_term in en.terms.items():
            t = target.terms.get(tid)
            if t is None or not _source_uses(source, en_term):
                continue
            if any(not _has(s, t.forms) for s in strings):
                add("glossary-missing", tid, expected=t.term)
        for s in strings:
            rest = _strip(s, all_forms)
            for t in target.terms.values():
                for bad in t.avoid:
                    m = _rx(bad, False).search(rest)
                    if m:
                        add("glossary-avoid", t.id, m.group(0), t.term)
            for word in register_avoid:
                m = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", s)
                if m:
                    add("glossary-register", "register", m.group(0), target.register.note.split(";")[0].strip())
    return _dedupe(out)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        k = (f.code, f.term, f.msgid, f.context, f.found)
        if k not in seen:
            seen.add(k)
            out.append(f)
    return out


def catalogue_messages(path: Path) -> list[tuple[Optional[str], Msg, Msg]]:
    """``(context, msgid, msgstr)`` of every translated, non-fuzzy entry of a .po file."""
    cat, _ = i18n.read_catalogue(path, "", path.stem)
    return [(m.context, m.id, m.string) for m in cat if m.id and not m.fuzzy]


def check_catalogues(locale_dir: Path = i18n.LOCALE_DIR, languages: Sequence[str] = i18n.LANGUAGES,
                     glossary_dir: Path = GLOSSARY_DIR) -> list[Finding]:
    """:func:`check` over every ``<lang>/LC_MESSAGES/*.po`` under ``locale_dir``."""
    out: list[Finding] = []
    en = load("en", glossary_dir)
    for lang in languages:
        if lang == i18n.SOURCE_LANGUAGE:
            continue
        gl = {"en": en, lang: load(lang, glossary_dir)}
        for path in sorted((Path(locale_dir) / lang / "LC_MESSAGES").glob("*.po")):
            out += check(catalogue_messages(path), lang, gl, file=_rel(path))
    return out


def title_messages(data, lang: str) -> list[tuple[None, str, str]]:
    """``(None, English, translation)`` for every ``{en: …, <lang>: …}`` mapping in a rule file's data.

    Program names and rule titles are kept that way (``names:``, ``titles:``), so
    :func:`check` reads them like catalogue entries.
    """
    out: list[tuple[None, str, str]] = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("en"), str) and isinstance(node.get(lang), str):
                out.append((None, node["en"], node[lang]))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


def check_rule_titles(rules_dir: Path, languages: Sequence[str] = i18n.LANGUAGES,
                      glossary_dir: Path = GLOSSARY_DIR) -> list[Finding]:
    """:func:`check` over the program names and rule titles of every ``*.yaml`` rule file under ``rules_dir``."""
    out: list[Finding] = []
    en = load("en", glossary_dir)
    for path in sorted(Path(rules_dir).rglob("*.yaml")):
        parsed = read_file(path, str(path))
        if parsed.data is None:
            continue
        for lang in languages:
            if lang != i18n.SOURCE_LANGUAGE:
                out += check(title_messages(parsed.data, lang), lang, {"en": en, lang: load(lang, glossary_dir)},
                             file=_rel(path))
    return out


def check_builtin_titles(languages: Sequence[str] = i18n.LANGUAGES) -> list[Finding]:
    """:func:`check_rule_titles` over the built-in program folders (program.yaml names, rules.yaml
    titles) and the case-wide rules of ``careerpath/rules/``: rule titles use the glossary too."""
    package = i18n.LOCALE_DIR.parent
    return check_rule_titles(package / "programs", languages) + check_rule_titles(package / "rules", languages)


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(i18n.LOCALE_DIR.parent.parent).as_posix()
    except ValueError:
        return str(path)


# ------------------------------------------------------------------- memory

@dataclass(frozen=True)
class MemoryEntry:
    catalogue: str  # "cli" or "documents" (also matches documents-<part>.po after a split)
    context: Optional[str]
    msgid: str
    msgstr: Msg
    msgid_plural: Optional[str] = None
    why: str = ""


@dataclass(frozen=True)
class Memory:
    lang: str
    entries: tuple[MemoryEntry, ...]
    reviewed_by: Optional[str] = None
    file: str = ""


def parse_memory(data, file: str) -> Memory:
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list) or not isinstance(data.get("language"), str):
        raise GlossaryError(f"{file}: needs `language:` and an `entries:` list")
    out = []
    for i, e in enumerate(data["entries"]):
        where = f"{file}: entries.{i}"
        if not isinstance(e, dict) or not isinstance(e.get("msgid"), str) or not isinstance(e.get("catalogue"), str):
            raise GlossaryError(f"{where}: needs `catalogue:` and `msgid:`")
        s = e.get("msgstr")
        if e.get("msgid_plural") is not None:
            if not (isinstance(s, list) and s and all(isinstance(x, str) and x for x in s)):
                raise GlossaryError(f"{where}: a plural entry needs `msgstr:` as a list of forms")
            s = tuple(s)
        elif not isinstance(s, str) or not s:
            raise GlossaryError(f"{where}: needs a non-empty `msgstr:`")
        ctx = e.get("context")
        out.append(MemoryEntry(e["catalogue"], ctx if isinstance(ctx, str) else None, e["msgid"], s,
                               e.get("msgid_plural"), str(e.get("why") or "")))
    return Memory(data["language"], tuple(out), data.get("reviewed_by"), file)


def load_memory(lang: str, folder: Path = MEMORY_DIR) -> Optional[Memory]:
    """The memory of ``lang``, or None when there is no file."""
    path = Path(folder) / f"{lang}.yaml"
    if not path.is_file():
        return None
    parsed = read_file(path, str(path))
    errors = [d for d in parsed.diagnostics if d.severity == "error"]
    if errors or parsed.data is None:
        first = errors[0] if errors else None
        raise GlossaryError(f"{path}: " + (f"{first.line}:{first.column}: {first.message}" if first else "empty"))
    return parse_memory(parsed.data, str(path))


def catalogue_matches(entry_catalogue: str, po_stem: str) -> bool:
    """``documents`` entries fit ``documents.po`` and any ``documents-<part>.po`` / ``documents_<part>.po``."""
    return po_stem == entry_catalogue or po_stem.startswith((entry_catalogue + "-", entry_catalogue + "_"))


@dataclass
class ApplyReport:
    """What apply_memory did to one .po file."""

    file: str
    written: int = 0  # entries whose msgstr changed
    same: int = 0  # the catalogue already said what the memory says
    kept_reviewed: int = 0  # left alone: the catalogue or entry is reviewed
    skipped_plural: list[str] = field(default_factory=list)  # memory forms != the file's nplurals


def apply_memory(locale_dir: Path = i18n.LOCALE_DIR, memory_dir: Path = MEMORY_DIR,
                 languages: Sequence[str] = i18n.LANGUAGES, dry_run: bool = False) -> tuple[list[ApplyReport], dict]:
    """Write each language's memory into its .po files; returns per-file reports and the unused entries.

    Rules (docs/i18n.md): an entry is matched by catalogue, msgctxt and msgid; the
    memory wins over the catalogue's msgstr (that is how drift is corrected),
    except where a native speaker reviewed the catalogue (``X-Reviewed-By`` set:
    only empty entries are filled) or the entry (a translator comment with
    "reviewed by"). Written entries lose ``fuzzy`` and get the comment
    :data:`DRAFT_MARK`. Files are patched as text, entry by entry, so the rest
    of each file (headers, order, wrapping) stays byte-for-byte as it was.
    Unused entries (msgid no longer in any catalogue) are returned per language
    so a refactor that re-keys a string is noticed, not silently lost.
    """
    reports: list[ApplyReport] = []
    unused: dict[str, list[MemoryEntry]] = {}
    for lang in languages:
        memory = load_memory(lang, memory_dir)
        if memory is None:
            continue
        used: set[int] = set()
        for path in sorted((Path(locale_dir) / lang / "LC_MESSAGES").glob("*.po")):
            mine = [(i, e) for i, e in enumerate(memory.entries) if catalogue_matches(e.catalogue, path.stem)]
            if not mine:
                continue
            report, hit = _apply_file(path, lang, mine, dry_run)
            used |= hit
            reports.append(report)
        left = [e for i, e in enumerate(memory.entries) if i not in used]
        if left:
            unused[lang] = left
    return reports, unused


# A .po file as text: entries are blocks separated by blank lines.
_KEYWORD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')
_NPLURALS = re.compile(r"nplurals\s*=\s*(\d+)")


def _unquote(parts: list[str]) -> str:
    from babel.messages.pofile import unescape

    return "".join(unescape(p) for p in parts)


def message_blocks(blocks: list[str]):
    """``(index, lines, fields)`` of each message block among ``blocks`` (a .po text split on blank lines,
    separators kept, so a caller rebuilds untouched text exactly); headers and comment-only blocks are skipped."""
    for b, block in enumerate(blocks):
        if not block.strip() or block.startswith("\n"):
            continue
        lines = block.split("\n")
        fields = _parse_block(lines)
        if fields.get("msgid") and fields["first_msgstr"] is not None:
            yield b, lines, fields


def _parse_block(lines: list[str]) -> dict:
    """Fields of one entry: {'comments': [...], 'msgctxt': str, 'msgid': str, 'msgid_plural': str,
    'msgstr': {index: str}, 'first_msgstr': line index}."""
    out: dict = {"comments": [], "msgstr": {}, "first_msgstr": None}
    current = None
    for i, line in enumerate(lines):
        if line.startswith("#"):
            out["comments"].append(line)
            continue
        m = _KEYWORD.match(line)
        if m:
            kw, idx, quoted = m.group(1), m.group(2), m.group(3)
            if kw.startswith("msgstr"):
                if out["first_msgstr"] is None:
                    out["first_msgstr"] = i
                current = ("msgstr", int(idx) if idx is not None else 0)
                out["msgstr"][current[1]] = [quoted]
            else:
                current = (kw, None)
                out[kw] = [quoted]
        elif line.startswith('"') and current is not None:
            (out["msgstr"][current[1]] if current[0] == "msgstr" else out[current[0]]).append(line)
    for k in ("msgctxt", "msgid", "msgid_plural"):
        if k in out:
            out[k] = _unquote(out[k])
    out["msgstr"] = {k: _unquote(v) for k, v in out["msgstr"].items()}
    return out


def _format_msgstr(value: Msg, plural: bool, width: int) -> list[str]:
    """msgstr lines the way Babel writes them (``width`` 0: one line, as hand-written catalogues are)."""
    from babel.messages.pofile import normalize

    values = list(value) if isinstance(value, (tuple, list)) else [value]
    out = []
    for i, v in enumerate(values):
        prefix = f"msgstr[{i}] " if plural else "msgstr "
        out += (prefix + normalize(v, prefix="", width=width)).split("\n") if width else [prefix + _quote(v)]
    return out


def _quote(text: str) -> str:
    from babel.messages.pofile import escape

    return escape(text)


def _apply_file(path: Path, lang: str, entries: list[tuple[int, MemoryEntry]], dry_run: bool):
    text = path.read_text(encoding="utf-8")
    reviewed = i18n.reviewed_by(text) is not None
    babel_style = "Generated-By: Babel" in text
    width = 100 if babel_style else 0  # catalogs.write_po writes cli.po at width 100; documents.po is unwrapped
    m = _NPLURALS.search(text)
    nplurals = int(m.group(1)) if m else 2
    index = {(e.context, e.msgid): (i, e) for i, e in entries}
    report = ApplyReport(_rel(path))
    hit: set[int] = set()
    blocks = re.split(r"(\n\s*\n)", text)  # keep the separators, so untouched text is rebuilt exactly
    for b, lines, fields in message_blocks(blocks):
        found = index.get((fields.get("msgctxt"), fields["msgid"]))
        if found is None:
            continue
        i, entry = found
        hit.add(i)
        plural = "msgid_plural" in fields
        current = tuple(fields["msgstr"][k] for k in sorted(fields["msgstr"])) if plural else fields["msgstr"].get(0, "")
        has_text = any(current) if plural else bool(current)
        entry_reviewed = any("reviewed by" in c.lower() for c in fields["comments"] if c.startswith("# "))
        if entry_reviewed or (reviewed and has_text):
            report.kept_reviewed += 1
            continue
        wanted = tuple(entry.msgstr) if plural else entry.msgstr
        if plural and (not isinstance(entry.msgstr, tuple) or len(entry.msgstr) != nplurals):
            report.skipped_plural.append(entry.msgid)
            continue
        if not plural and not isinstance(entry.msgstr, str):
            report.skipped_plural.append(entry.msgid)
            continue
        fuzzy = any(c.startswith("#,") and "fuzzy" in c for c in fields["comments"])
        if current == wanted and not fuzzy:
            report.same += 1
            continue
        report.written += 1
        blocks[b] = "\n".join(_patched(lines, fields, wanted, plural, width, lang))
    if report.written and not dry_run:
        tmp = path.with_suffix(".po.tmp")
        tmp.write_text("".join(blocks), encoding="utf-8")
        tmp.replace(path)
    return report, hit


def _patched(lines: list[str], fields: dict, wanted: Msg, plural: bool, width: int, lang: str) -> list[str]:
    head = lines[:fields["first_msgstr"]]
    comments = [c for c in head if c.startswith("#")]
    rest = [c for c in head if not c.startswith("#")]
    mark = "# " + DRAFT_MARK.format(lang=lang)
    user = [c for c in comments if c.startswith("# ") or c == "#"]
    other = [c for c in comments if not (c.startswith("# ") or c == "#")]
    if mark not in user:
        user = [mark] + user
    new_other = []
    for c in other:
        if c.startswith("#,"):
            flags = [f.strip() for f in c[2:].split(",") if f.strip() and f.strip() != "fuzzy"]
            if not flags:
                continue
            c = "#, " + ", ".join(flags)
        new_other.append(c)
    return user + new_other + rest + _format_msgstr(wanted, plural, width)


# ---------------------------------------------------------------- commands

def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m careerpath.glossary check [--rules DIR] | apply-memory [--dry-run]`` (developer tool, English only)."""
    import argparse
    import sys

    ap = argparse.ArgumentParser(prog="python -m careerpath.glossary")
    sub = ap.add_subparsers(dest="command", required=True)
    for name in ("check", "apply-memory"):
        p = sub.add_parser(name)
        p.add_argument("--lang", action="append", choices=i18n.LANGUAGES)
        p.add_argument("--locale-dir", type=Path, default=i18n.LOCALE_DIR)
        if name == "apply-memory":
            p.add_argument("--memory-dir", type=Path, default=MEMORY_DIR)
            p.add_argument("--dry-run", action="store_true")
            p.add_argument("--prune", action="store_true",
                           help="remove memory entries that match no catalogue entry any more (after a re-key)")
        else:
            p.add_argument("--rules", type=Path, metavar="DIR", help="also check program names and rule titles there")
    args = ap.parse_args(argv)
    langs = tuple(args.lang or i18n.LANGUAGES)
    try:
        if args.command == "check":
            findings = check_catalogues(args.locale_dir, langs)
            # program names and rule titles carry their translations in the rule files: the built-in
            # program folders and careerpath/rules/ are always checked, --rules DIR adds another folder
            findings += check_builtin_titles(langs)
            if args.rules:
                findings += check_rule_titles(args.rules, langs)
            for f in findings:
                ctx = f" [{f.context}]" if f.context else ""
                print(f"{f.file}: {f.code} {f.term}: {f.message} — msgid{ctx} {f.msgid[:70]!r}")
            print(f"{len(findings)} glossary findings" if findings else "no glossary findings", file=sys.stderr)
            return 1 if findings else 0
        reports, unused = apply_memory(args.locale_dir, args.memory_dir, langs, args.dry_run)
    except GlossaryError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for r in reports:
        extra = f", {len(r.skipped_plural)} plural entries skipped (forms != nplurals)" if r.skipped_plural else ""
        print(f"{r.file}: {r.written} written, {r.same} already so, {r.kept_reviewed} kept (reviewed){extra}")
    for lang, left in unused.items():
        if args.prune and not args.dry_run:
            prune_memory(args.memory_dir / f"{lang}.yaml", left)
            print(f"memory/{lang}.yaml: removed {len(left)} entries that match no catalogue entry", file=sys.stderr)
            continue
        print(f"memory/{lang}.yaml: {len(left)} entries match no catalogue entry (re-keyed or removed?)", file=sys.stderr)
        for e in left[:10]:
            print(f"  {e.catalogue} [{e.context or ''}] {e.msgid[:70]!r}", file=sys.stderr)
    return 0


def prune_memory(path: Path, unused: Sequence[MemoryEntry]) -> int:
    """Remove ``unused`` entries from a memory file, keeping its comments and layout; returns how many."""
    from .edit import round_trip_yaml

    yaml = round_trip_yaml((2, 2, 0))  # the memory files' layout: `- ` at the key's column
    data = yaml.load(path.read_text(encoding="utf-8"))
    from collections import Counter

    gone = Counter((e.catalogue, e.context, e.msgid) for e in unused)
    entries = data["entries"]
    before = len(entries)
    for i in range(len(entries) - 1, -1, -1):  # from the end: of two copies the first one is the used one
        e = entries[i]
        key = (e.get("catalogue"), e.get("context"), e.get("msgid"))
        if gone[key] > 0:
            gone[key] -= 1
            del entries[i]
    import io

    buf = io.StringIO()
    yaml.dump(data, buf)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return before - len(entries)


if __name__ == "__main__":
    raise SystemExit(main())

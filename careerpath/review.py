"""The review workflow: a translator's file out of a catalogue, a native speaker's review back in.

``export_po(lang, domain)`` writes what a reviewer needs as one PO file (any
PO editor opens it): every entry with its context, the English source, the
current draft, whether it is a machine draft, and the glossary terms its
source uses with this language's rendering (``#. glossary: regional center →
trung tâm khu vực``). Its header names the catalogue it came from.

``import_review(path, reviewer)`` writes the reviewed translations back into
that catalogue, as text (the rest of the file stays byte for byte), and
records the review in the catalogue itself: each imported entry loses its
"machine-drafted" comment and gets ``# reviewed by NAME`` (the translation
memory never overwrites such an entry), and once every translated entry of
the catalogue carries a review, the header's ``X-Reviewed-By`` is set to
NAME. A document whose strings are all reviewed drops its "not reviewed"
mark (:meth:`careerpath.i18n.Translations.reviews`). A translation whose
placeholders differ from its msgid's is refused, never written.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import i18n
from .i18n.messages import Message

CATALOGUE_HEADER = "X-Careerpath-Catalogue"
REVIEW_MARK = "reviewed by {name}"
_HEADER = re.compile(r'^"' + CATALOGUE_HEADER + r':[ \t]*(.*?)\\n"\s*$', re.M)
_LANGUAGE = re.compile(r'^"Language:[ \t]*(.*?)\\n"\s*$', re.M)


class ReviewError(Exception):
    """The file cannot be exported or imported; the message says why."""


@dataclass
class ImportReport:
    catalogue: str                          # the .po file written, relative to the locale folder's parent
    written: int = 0                        # entries whose translation or review mark changed
    unchanged: int = 0                      # already so, and already marked reviewed by this reviewer
    refused: list[str] = field(default_factory=list)   # msgids whose placeholders differ from the source's
    unknown: int = 0                        # entries the catalogue does not have (a stale export)
    whole: bool = False                     # every translated entry is now reviewed: X-Reviewed-By is set


def _po_path(locale_dir: Path, lang: str, domain: str) -> Path:
    path = Path(locale_dir) / lang / "LC_MESSAGES" / f"{domain}.po"
    if lang not in i18n.LANGUAGES or lang == i18n.SOURCE_LANGUAGE or not path.is_file():
        raise ReviewError(Message("no `{domain}` catalogue for language '{lang}'", domain=domain, lang=lang))
    return path


def glossary_notes(msgid: str, lang: str) -> list[str]:
    """``glossary: <English term> → <this language's term>`` for each glossary term ``msgid`` uses."""
    from . import glossary

    try:
        en, target = glossary.load("en"), glossary.load(lang)
    except glossary.GlossaryError:
        return []
    source = glossary._norm(msgid)
    out = []
    for tid, en_term in en.terms.items():
        t = target.terms.get(tid)
        if t is not None and glossary._source_uses(source, en_term):
            out.append(f"glossary: {en_term.term} → {t.term}")
    return out


def export_po(lang: str, domain: str = "documents", locale_dir: Path = i18n.LOCALE_DIR) -> str:
    """The PO file a reviewer of ``lang``'s ``domain`` catalogue works on (see the module's docstring)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    path = _po_path(locale_dir, lang, domain)
    cat, reviewer = i18n.read_catalogue(path, lang, domain)
    out = Catalog(locale=None, domain=domain, project="careerpath", fuzzy=False,
                  header_comment=f"# careerpath {domain} catalogue in {lang}, for review.\n"
                                 f"# Correct msgstr only; keep every {{name}} and %(name)s part and `backquoted` names.\n"
                                 f"# Then: careerpath i18n import THIS_FILE --reviewed-by \"Your Name\"\n#")
    from datetime import datetime, timezone

    # the same catalogue exports the same bytes
    out.creation_date = out.revision_date = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for m in cat:
        if not m.id:
            continue
        source = m.id[0] if isinstance(m.id, (tuple, list)) else m.id
        notes = []
        if any("machine-drafted" in c for c in m.user_comments):
            notes.append("draft: machine-drafted, not reviewed")
        elif any("reviewed by" in c.lower() for c in m.user_comments) or reviewer:
            notes.append("already reviewed")
        notes += glossary_notes(source, lang)
        out.add(m.id, m.string, context=m.context, auto_comments=list(m.auto_comments) + notes,
                flags=m.flags)
    buf = io.BytesIO()
    write_po(buf, out, width=100, omit_header=False)
    text = buf.getvalue().decode("utf-8")
    extra = f'"Language: {lang}\\n"\n"{CATALOGUE_HEADER}: {domain}\\n"\n'
    return re.sub(r'("Generated-By: [^"]*\\n"\n)', lambda mt: mt.group(1) + extra, text, count=1)


def import_review(file: Path, reviewer: str, locale_dir: Path = i18n.LOCALE_DIR) -> ImportReport:
    """Write the reviewed translations of ``file`` (made by :func:`export_po`) into their catalogue."""
    from babel.messages.pofile import read_po

    from .glossary import _format_msgstr, message_blocks

    reviewer = " ".join(str(reviewer).replace('"', "").replace("\\", "").split())
    if not reviewer:
        raise ReviewError(Message("--reviewed-by needs the reviewer's name"))
    try:
        raw = Path(file).read_text(encoding="utf-8")
        reviewed = read_po(io.StringIO(raw))
    except (OSError, UnicodeDecodeError) as e:
        raise ReviewError(Message("cannot read {file}: {error}", file=str(file), error=type(e).__name__)) from None
    except Exception:  # noqa: BLE001 - whatever Babel raises on a broken file
        raise ReviewError(Message("{file} is not a PO file careerpath can read", file=str(file))) from None
    domain, lang = _HEADER.search(raw), _LANGUAGE.search(raw)
    if domain is None or lang is None:
        raise ReviewError(Message("{file} does not say which catalogue it is from (make it with "
                                  "`careerpath i18n export`)", file=str(file)))
    domain, lang = domain.group(1).strip(), lang.group(1).strip()
    if domain not in ("cli", "documents"):
        raise ReviewError(Message("{file} names an unknown catalogue", file=str(file)))
    path = _po_path(locale_dir, lang, domain)
    wanted = {}
    for m in reviewed:
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, (tuple, list)) else m.string):
            key = (m.context, m.id[0] if isinstance(m.id, (tuple, list)) else m.id)
            wanted[key] = (m.id, m.string)
    report = ImportReport(path.relative_to(Path(locale_dir).parent).as_posix()
                          if path.is_relative_to(Path(locale_dir).parent) else str(path))
    text = path.read_text(encoding="utf-8")
    mark = "# " + REVIEW_MARK.format(name=reviewer)
    blocks = re.split(r"(\n\s*\n)", text)
    seen: set = set()
    translated = all_reviewed = 0
    for b, lines, fields in message_blocks(blocks):
        key = (fields.get("msgctxt"), fields["msgid"])
        was_reviewed = any("reviewed by" in c.lower() for c in fields["comments"] if c.startswith("# "))
        has_text = any(fields["msgstr"].values())
        if key in wanted:
            seen.add(key)
            ids, string = wanted[key]
            plural = "msgid_plural" in fields
            value = tuple(string) if plural else (string[0] if isinstance(string, (tuple, list)) else string)
            source = ids if isinstance(ids, (tuple, list)) else (ids,)
            want = i18n.catalogues.placeholders(source[-1])
            if any(i18n.catalogues.placeholders(v) != want for v in (value if plural else (value,)) if v):
                report.refused.append(fields["msgid"])
            else:
                head = lines[:fields["first_msgstr"]]
                comments = [c for c in head if c.startswith("# ") and "machine-drafted" not in c
                            and "reviewed by" not in c.lower()]
                flags = [c for c in head if c.startswith("#") and not c.startswith("# ") and c != "#"]
                flags = [re.sub(r",?\s*fuzzy", "", c) for c in flags]
                flags = [c for c in flags if c.strip(" ,#")]
                rest = [c for c in head if not c.startswith("#")]
                new = "\n".join([mark, *comments, *flags, *rest,
                                 *_format_msgstr(value, plural, 100 if "Generated-By: Babel" in text else 0)])
                if new == blocks[b]:
                    report.unchanged += 1
                else:
                    blocks[b] = new
                    report.written += 1
                was_reviewed, has_text = True, True
        if has_text:
            translated += 1
            all_reviewed += was_reviewed
    report.unknown = len(set(wanted) - seen)
    out = "".join(blocks)
    report.whole = translated > 0 and all_reviewed == translated
    if report.whole:
        out = re.sub(r'^"X-Reviewed-By:[^\n]*$', lambda _m: f'"X-Reviewed-By: {reviewer}\\n"', out, count=1, flags=re.M)
    if out != text:
        from .fsio import atomic_write

        atomic_write(path, out.encode("utf-8"), mode=0o644)
    return report

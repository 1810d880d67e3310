"""Message catalogues as files: extract the template from the code and update the translations.

The ``cli`` template (``careerpath/locale/cli.pot``) is made from the code and
the built-in program folders, never by hand: every ``_()``, ``ngettext()``,
``pgettext()`` and ``N_()`` call (Babel's Python extractor), every
``Message()`` the library makes (context ``diagnostic``), every help text of
the typer app, the display names of stored values (context ``status``,
``severity``), the code descriptions (context ``code``), and what the built-in
programs declare as text: their checks' ``message``/``hint``, their fields'
``order_message``/``order_hint``, their rules' ``note`` (context
``diagnostic``) and their codes' ``meaning`` (context ``code``). ``update`` merges it into each language's ``cli.po``
the gettext way (new strings empty, changed ones fuzzy) and fills the English
catalogue with the source text. Run::

    python -m careerpath.catalogs update
    python -m careerpath.catalogs program <caseload>/programs/<id>   # a caseload program's own template

This module sits above the CLI (it reads the typer app's help texts); how
complete each language is (``careerpath i18n status``) is
:mod:`careerpath.translations`, which the CLI imports.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Optional

from . import i18n

PACKAGE = Path(__file__).resolve().parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
HEADER_FIELD = "X-Reviewed-By"
HEADER_COMMENT = """\
# careerpath command-line messages: {name} ({lang}).
# Translate msgstr only. Keep {{name}} parts and `backquoted` field names as they are.
# Set X-Reviewed-By to the name of the native speaker who reviewed this file; null = not reviewed.
#"""


def template() -> "babel.messages.catalog.Catalog":  # noqa: F821
    """The ``cli`` template, built from the code as it is now."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    from .cli import app
    from .cli.localize import help_strings
    from .diagnostics import CODES
    from .i18n.messages import CONTEXT

    cat = Catalog(project="careerpath", domain="cli", fuzzy=False,
                  header_comment="# careerpath command-line messages: the template (python -m careerpath.catalogs update).\n#")
    cat.creation_date = cat.revision_date = _FIXED_DATE
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), method_map=[("documents/**.py", "ignore"), ("**.py", "python")], keywords=KEYWORDS,
            strip_comment_tags=True):  # documents/ feeds the documents catalogue, not this one
        cat.add(message, None, [(f"careerpath/{filename}", lineno)], auto_comments=comments, context=context)
    for text in help_strings(app):
        cat.add(text, None, [("careerpath/cli/", None)], context=None)
    for context, values in i18n.DISPLAY_VALUES.items():
        for value in values:
            cat.add(value, None, [("careerpath/i18n/translate.py", None)], context=context,
                    auto_comments=["A stored value shown on screen; files and JSON keep the English word."])
    # the library's messages as values: Message("...") calls, all in one msgctxt (documents/ too: its
    # errors and notes are shown by the CLI, while its _() words feed the documents catalogue)
    for filename, lineno, message, comments, _context in extract_from_dir(
            str(PACKAGE), method_map=[("**.py", "python")], keywords={"Message": None}, strip_comment_tags=True):
        _add_message(cat, message, f"careerpath/{filename}", lineno, CONTEXT, comments)
    for code, (_sev, text) in CODES.items():
        cat.add(text, None, [("careerpath/diagnostics.py", None)], context="code", auto_comments=[f"code {code}"])
    for text, context, where in program_texts():
        _add_message(cat, text, where, None, context, [])
    return cat


_KEEP = "Keep every {name} part; `backquoted` parts are field names: do not translate them."


def _add_message(cat, text: str, where: str, lineno, context: str, comments: list) -> None:
    found = cat.get(text, context=context)
    if found is not None:  # the same words made in two places: one entry, both places
        found.locations.append((where, lineno))
        return
    cat.add(text, None, [(where, lineno)], context=context,
            auto_comments=[*comments, _KEEP] if ("{" in text or "`" in text) else comments)


def program_texts(programs=None) -> list[tuple[str, str, str]]:
    """(text, msgctxt, file) of what program folders declare as words shown to people.

    Fields' ``label`` (context ``field``), checks' ``message``/``hint``, fields' ``order_message``/``order_hint``, closure
    conditions' ``message``/``hint`` and rules' date ``note`` are messages (context ``diagnostic``); codes' ``meaning``
    is a code description (context ``code``). Rule titles are not: they carry
    their own translations in the rule file. ``programs`` default to the
    built-in ones, with the case-wide rules of ``careerpath/rules/``.
    """
    from .i18n.messages import CONTEXT
    from .programs.fields import LABEL_CONTEXT
    from .programs.files import PROGRAM_FILE, RULES_FILE
    from .programs.registry import builtin_programs
    from .yamlfile import read_file

    builtin = programs is None
    out: list[tuple[str, str, str]] = []
    rule_files = []
    for program in builtin_programs()[0] if builtin else programs:
        where = _shown(program.folder / PROGRAM_FILE)
        for spec in program.checks:
            out += [(t, CONTEXT, where) for t in (spec.message, spec.hint) if t]
        for _path, spec in program.walk():
            out += [(t, CONTEXT, where) for t in (spec.order_message, spec.order_hint) if t]
            if spec.label:  # how `show` names the field (careerpath.programs.fields.label_of)
                out.append((spec.label, LABEL_CONTEXT, where))
        out += [(meaning, "code", where) for _sev, meaning in program.codes.values()]
        for c in program.closure_conditions:
            out += [(t, CONTEXT, where) for t in (c.message_text, c.hint_text) if t]
        if (program.folder / RULES_FILE).is_file():
            rule_files.append(program.folder / RULES_FILE)
    if builtin:
        rule_files += sorted((PACKAGE / "rules").glob("*.yaml"))
    for path in rule_files:
        where = _shown(path)
        out += [(note, CONTEXT, where) for note in _notes(read_file(path, where).data)]
    return out


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(PACKAGE.parent).as_posix()
    except ValueError:  # a caseload's folder: from the programs/ folder on
        return "/".join(path.parts[-3:])


def program_template(folder: Path):
    """The ``cli`` template of one program folder (a caseload's own): its declared words, for its translators.

    Raises ValueError naming the problems when the folder does not read as a program.
    """
    from babel.messages.catalog import Catalog

    from .programs.registry import read_program

    folder = Path(folder)
    program, diags = read_program(folder, builtin=False, shown=f"programs/{folder.name}")
    if program is None:
        raise ValueError("; ".join(d.format() for d in diags))
    cat = Catalog(project=program.id, domain="cli", fuzzy=False,
                  header_comment=f"# {program.id}: the words its folder declares "
                                 f"(python -m careerpath.catalogs program FOLDER).\n#")
    cat.creation_date = cat.revision_date = _FIXED_DATE
    for text, context, where in program_texts([program]):
        _add_message(cat, text, where, None, context, [])
    return cat


def _notes(data) -> list[str]:
    """Every ``note:`` text in a rule file (a date candidate's note), in file order."""
    if isinstance(data, dict):
        found = [data["note"]] if isinstance(data.get("note"), str) and data["note"] else []
        return found + [n for k, v in data.items() if k != "note" for n in _notes(v)]
    if isinstance(data, list):
        return [n for v in data for n in _notes(v)]
    return []


def _fixed_date():
    from datetime import datetime, timezone

    return datetime(2026, 1, 1, tzinfo=timezone.utc)


_FIXED_DATE = _fixed_date()  # keeps regenerated files identical (no churn in diffs)


def write_po(path: Path, cat, reviewed_by: Optional[str] = None) -> None:
    """Write a catalogue; Babel drops unknown headers, so X-Reviewed-By is put back here."""
    from babel.messages.pofile import write_po as babel_write

    buf = io.BytesIO()
    babel_write(buf, cat, width=100, sort_output=False, omit_header=False, include_previous=False)
    text = buf.getvalue().decode("utf-8")
    text = re.sub(r'("Generated-By: [^"]*\\n")', lambda m: m.group(1) + f'\n"{HEADER_FIELD}: {reviewed_by or "null"}\\n"',
                  text, count=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def update(locale_dir: Path = i18n.LOCALE_DIR, languages=i18n.LANGUAGES) -> list[Path]:
    """Regenerate cli.pot and merge it into every language's cli.po (created when absent)."""
    from babel.messages.catalog import Catalog

    tpl = template()
    written = [locale_dir / "cli.pot"]
    write_po(written[0], tpl)
    for lang in languages:
        path = locale_dir / lang / "LC_MESSAGES" / "cli.po"
        reviewer = None
        if path.is_file():
            cat, reviewer = i18n.read_catalogue(path, lang, "cli")
        else:
            cat = Catalog(locale=i18n.CLDR_LOCALES.get(lang), domain="cli", project="careerpath")
        if lang in i18n.PLURAL_FORMS:
            cat._num_plurals, cat._plural_expr = 1, "0"
        cat.project, cat.version = "careerpath", ""
        cat.update(tpl, no_fuzzy_matching=True)
        cat.obsolete.clear()
        cat.creation_date = cat.revision_date = _FIXED_DATE
        cat.last_translator = cat.language_team = ""
        cat.fuzzy = False
        cat.header_comment = HEADER_COMMENT.format(lang=lang, name=i18n.LANGUAGE_NAMES.get(lang, lang))
        if lang == i18n.SOURCE_LANGUAGE:  # the source text is its own translation
            reviewer = reviewer or "source text"
            for m in list(cat):
                if m.id:
                    cat.delete(m.id, context=m.context)  # drop, then add a fresh copy: update() shares objects with the template
                    cat.add(m.id, tuple(m.id) if isinstance(m.id, (tuple, list)) else m.id, m.locations,
                            auto_comments=m.auto_comments, context=m.context, flags=m.flags - {"fuzzy"})
        if lang in i18n.PLURAL_FORMS:  # Babel cannot set a locale it does not know (hmn): write the header by hand
            write_po(path, cat, reviewer)
            text = path.read_text(encoding="utf-8")
            if f'"Language: {lang}' not in text:
                text = text.replace('"Language-Team:', f'"Language: {lang}\\n"\n"Language-Team:', 1)
            if '"Plural-Forms:' not in text:
                text = text.replace('"MIME-Version:', f'"Plural-Forms: {i18n.PLURAL_FORMS[lang]}\\n"\n"MIME-Version:', 1)
            path.write_text(text, encoding="utf-8")
        else:
            write_po(path, cat, reviewer)
        written.append(path)
    return written


def merge_documents(locale_dir: Path = i18n.LOCALE_DIR, languages=i18n.LANGUAGES) -> list[Path]:
    """Merge ``documents.pot`` into every language's ``documents.po``, as text, keeping each file's format.

    ``pybabel update`` rewraps every line and drops the ``X-Reviewed-By``
    header; this keeps each existing entry byte for byte (translations,
    comments, review marks), adds the template's new entries (``msgctxt``
    included) with an empty ``msgstr`` (English: the msgid), drops entries the
    template no longer has, and orders entries as the template does. Run it
    after ``pybabel extract`` (docs/documents.md).
    """
    from babel.messages.pofile import escape, read_po

    from .glossary import _parse_block

    with open(locale_dir / "documents.pot", "rb") as fh:
        tpl = [m for m in read_po(fh) if m.id]
    written = []
    for lang in languages:
        path = locale_dir / lang / "LC_MESSAGES" / "documents.po"
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        blocks = [b for b in re.split(r"\n\s*\n", text.strip("\n")) if b.strip()]
        header, by_key = blocks[0], {}
        for block in blocks[1:]:
            fields = _parse_block(block.split("\n"))
            if fields.get("msgid"):
                by_key[(fields.get("msgctxt"), fields["msgid"])] = block
        out = [header]
        for m in tpl:
            msgid = m.id[0] if isinstance(m.id, (tuple, list)) else m.id
            found = by_key.get((m.context, msgid))
            if found is None:
                lines = ["#, " + ", ".join(sorted(m.flags))] if m.flags else []
                if m.context:
                    lines.append(f"msgctxt {escape(m.context)}")
                lines.append(f"msgid {escape(msgid)}")
                lines.append(f"msgstr {escape(msgid if lang == i18n.SOURCE_LANGUAGE else '')}")
                found = "\n".join(lines)
            out.append(found)
        new = "\n\n".join(out) + "\n"
        if new != text:
            path.write_text(new, encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["update"]:
        for p in update():
            print(f"wrote {p}")
    elif sys.argv[1:] == ["documents"]:
        for p in merge_documents():
            print(f"wrote {p}")
    elif len(sys.argv) == 3 and sys.argv[1] == "program":
        target = Path(sys.argv[2]) / "locale" / "cli.pot"
        try:
            write_po(target, program_template(Path(sys.argv[2])))
        except ValueError as e:
            print(f"careerpath: {e}", file=sys.stderr)
            sys.exit(1)
        print(f"wrote {target}")
    else:
        print("usage: python -m careerpath.catalogs update\n"
              "       python -m careerpath.catalogs documents   (merges documents.pot into every documents.po)\n"
              "       python -m careerpath.catalogs program PROGRAM_FOLDER   (writes PROGRAM_FOLDER/locale/cli.pot)",
              file=sys.stderr)
        sys.exit(2)

"""``careerpath i18n status`` and ``careerpath i18n check``: the state of translations and of plain language."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from ..i18n import _, ngettext
from .common import CliError, FormatOpt, app
from .output import TEXT_JSON, check_format, emit

i18n_app = typer.Typer(help="Translations of the tool and its documents: coverage, review, plain language.\n\n"
                       "Example:  careerpath i18n status --require en --require ru",
                       no_args_is_help=True, rich_markup_mode=None)
app.add_typer(i18n_app, name="i18n")


def _locale_dir(given: Optional[Path]) -> Path:
    from .. import i18n

    if given is not None:
        if not given.is_dir():
            raise CliError(_("the folder {path} does not exist").format(path=given), code=2)
        return given
    env = os.environ.get("CAREERPATH_LOCALE_DIR")
    return Path(env) if env else i18n.LOCALE_DIR


@i18n_app.command("status")
def status(
    require: List[str] = typer.Option([], "--require", metavar="LANG",
                                      help="Exit 1 unless every catalogue of LANG is complete; repeat for several."),
    locale_dir: Optional[Path] = typer.Option(None, "--locale-dir", metavar="DIR",
                                              help="Catalogues to measure (default: $CAREERPATH_LOCALE_DIR or the installed ones)."),
    format: FormatOpt = "text",
) -> int:
    """Show, per language, catalogue and template, how many strings are translated, fuzzy or missing.

    Catalogues: `cli` (this tool's messages and help) and `documents` (the
    document templates), as .po files under careerpath/locale/<lang>/LC_MESSAGES/.
    "reviewed by" is the X-Reviewed-By header: a native speaker's name, or
    empty until one has signed the translation off.

    Exit 1 with --require LANG when LANG has a fuzzy or missing string (CI runs
    `--require en --require ru`).

    Example:  careerpath i18n status --require en --require ru
    """
    from .. import i18n
    from ..translations import coverage

    check_format(format, TEXT_JSON)
    for lang in require:
        if lang not in i18n.LANGUAGES:
            raise CliError(_("--require: unknown language {lang} (known: {known})").format(
                lang=lang, known=", ".join(i18n.LANGUAGES)), code=2)
    rows = coverage(_locale_dir(locale_dir), template_folders=_default_template_folders())
    incomplete = [r for r in rows if r.template is None and r.lang in require and not r.complete]
    if format == "json":
        emit([r.to_dict() for r in rows], format)
    else:
        _print_table(rows)
    for r in incomplete:
        print("careerpath: " + _("{lang} is incomplete in the {catalogue} catalogue: {missing} missing, {fuzzy} fuzzy")
              .format(lang=r.lang, catalogue=r.catalogue, missing=r.missing, fuzzy=r.fuzzy), file=sys.stderr)
    return 1 if incomplete else 0


def _print_table(rows) -> None:
    header = [_("language"), _("catalogue"), _("template"), _("translated"), _("fuzzy"), _("missing"), "%",
              _("reviewed by")]
    body = [[r.lang, r.catalogue, r.template or "-", str(r.translated), str(r.fuzzy), str(r.missing),
             f"{r.percent:.0f}", r.reviewed_by or _("not reviewed")] for r in rows]
    widths = [max(len(x[i]) for x in [header, *body]) for i in range(len(header))]
    numeric = {3, 4, 5, 6}
    for line in [header, *body]:
        cells = [c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(line, widths))]
        print("  ".join(cells).rstrip())


def _default_template_folders() -> list[tuple[str, Path]]:
    """(name as shown, folder) of the installed templates: each program's folder, then the shared one."""
    from ..documents import builtin_template_folders

    # in a checkout careerpath/templates links to the top-level sources
    return [(shown, folder.resolve()) for shown, folder in builtin_template_folders() if folder.is_dir()]


@i18n_app.command("check")
def check(
    templates: Optional[Path] = typer.Option(None, "--templates", metavar="DIR",
                                             help="Template folder (default: the installed ones, each program's and the shared templates/). "
                                                  "English: files in DIR; another language: DIR/<lang>/ and that language's documents catalogue."),
    language: List[str] = typer.Option([], "--language", metavar="LANG",
                                       help="Check only this language (en, es, vi, hy, hmn, ru); repeat for several."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when there is any finding."),
    everything: bool = typer.Option(False, "--all", help="Check every template, not only the person-facing ones."),
    format: FormatOpt = "text",
) -> int:
    """Plain language in every language, and the glossary's terms in every catalogue.

    Person-facing templates (partials, kinds whose audience is the person or
    both, templates marked "Person-facing") are read as each language's reader
    gets them: English in the templates, other languages in their documents
    catalogue (at the line a translator edits). Codes: long-sentence (more
    words than the language's limit: en 20, es 21, vi 28, hy 18, hmn 31, ru 18),
    jargon-unexplained (a term of locale/jargon.yaml or its glossary rendering,
    first used with no gloss and no glossary entry), and glossary-missing,
    glossary-avoid, glossary-register (a catalogue, program name or rule title
    that drifts from locale/glossary/). Findings are advice: exit 0, or 1 with --strict.

    Example:  careerpath i18n check --strict
    """
    from .. import glossary, i18n
    from ..plainlang import CHECKED_LANGUAGES, Finding, check_templates

    check_format(format, TEXT_JSON)
    langs = language or list(CHECKED_LANGUAGES)
    for lang in langs:
        if lang not in CHECKED_LANGUAGES:
            raise CliError(_("--language: the check knows {known}").format(known=", ".join(CHECKED_LANGUAGES)), code=2)
    folders = [templates] if templates is not None else [f for _shown, f in _default_template_folders()]
    if not folders:
        raise CliError(_("no templates folder found"), code=2, hint=_("pass --templates DIR"))
    for folder in folders:
        if not folder.is_dir():
            raise CliError(_("the folder {path} does not exist").format(path=folder), code=2)
    catalogue = Path(os.environ["CAREERPATH_LOCALE_DIR"]) if os.environ.get("CAREERPATH_LOCALE_DIR") else i18n.LOCALE_DIR
    findings = sorted({f for folder in folders
                       for f in check_templates(folder, langs, catalogue=catalogue, everything=everything)})
    drifts = [g for g in glossary.check_catalogues(catalogue, [x for x in langs if x != "en"])
              + (glossary.check_builtin_titles([x for x in langs if x != "en"]) if templates is None else [])]
    findings += sorted({Finding(g.file, 0, g.code, g.message, g.term) for g in drifts})
    if format == "json":
        emit([f.to_dict() for f in findings], format)
    else:
        for f in findings:
            where = f"{f.file}:{f.line}" if f.line else f.file
            print(f"{where}: {f.code}: {_finding_message(f)}")
        files = len({f.file for f in findings})
        if findings:
            print(ngettext("{n} finding", "{n} findings", len(findings)).format(n=len(findings)) + " "
                  + ngettext("in {n} file", "in {n} files", files).format(n=files))
        else:
            print(_("no findings: short sentences, jargon explained, glossary terms kept"))
    return 1 if strict and findings else 0


def _finding_message(f) -> str:
    if f.code == "long-sentence":
        return _("a sentence of {n} words (more than {limit}): split it").format(n=f.words, limit=f.limit or 20)
    if f.code == "jargon-unexplained":
        return _("“{term}” is not explained where it first appears: add a short gloss in parentheses or after a dash, "
                 "or define it in a glossary").format(term=f.term)
    return f.message  # a glossary drift: its own words (English), naming the term and the catalogue entry


@i18n_app.command("export")
def export(
    lang: str = typer.Option(..., "--lang", metavar="LANG", help="The language to review (es, vi, hy, hmn, ru)."),
    catalogue: str = typer.Option("documents", "--catalogue", metavar="NAME", help="documents (the default) or cli."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", metavar="PATH",
                                       help="Write the file here instead of stdout."),
    locale_dir: Optional[Path] = typer.Option(None, "--locale-dir", metavar="DIR",
                                              help="Catalogues to export from (default: $CAREERPATH_LOCALE_DIR or the installed ones)."),
) -> int:
    """Write a PO file for a native speaker to review one language's catalogue.

    Each entry has its context, the English source, the current draft, whether
    it is a machine draft, and the glossary terms it uses with their rendering
    in this language. Any PO editor opens it; send it back with `i18n import`.

    Example:  careerpath i18n export --lang hy --out hy-documents.po
    """
    from ..fsio import WriteError, atomic_write
    from ..i18n import message_of
    from ..review import ReviewError, export_po

    if catalogue not in ("documents", "cli"):
        raise CliError(_("--catalogue must be documents or cli"), code=2)
    try:
        text = export_po(lang, catalogue, _locale_dir(locale_dir))
    except ReviewError as e:
        raise CliError(message_of(e), code=1) from None
    if out is None:
        sys.stdout.write(text)
        return 0
    try:
        atomic_write(out, text.encode("utf-8"), mode=0o644)
    except WriteError as e:
        raise CliError(message_of(e), code=1) from None
    print(_("wrote {path}").format(path=out), file=sys.stderr)
    return 0


@i18n_app.command("import")
def import_(
    file: Path = typer.Argument(..., metavar="FILE", help="A PO file made by `careerpath i18n export`, reviewed."),
    reviewed_by: str = typer.Option(..., "--reviewed-by", metavar="NAME", help="The native speaker who reviewed it."),
    locale_dir: Optional[Path] = typer.Option(None, "--locale-dir", metavar="DIR",
                                              help="Catalogues to write into (default: $CAREERPATH_LOCALE_DIR or the installed ones)."),
) -> int:
    """Write a reviewed PO file back into its catalogue and record who reviewed it.

    Each imported entry is marked "reviewed by NAME" in the catalogue; when
    every translated entry is reviewed, the catalogue's X-Reviewed-By header
    is set too. Documents whose strings are all reviewed lose their "not
    reviewed" mark. A translation that drops a {name} part is refused.

    Example:  careerpath i18n import hy-documents.po --reviewed-by "Anahit Sargsyan"
    """
    from ..i18n import message_of
    from ..review import ReviewError, import_review

    try:
        report = import_review(file, reviewed_by, _locale_dir(locale_dir))
    except ReviewError as e:
        raise CliError(message_of(e), code=1) from None
    print(_("{file}: {written} entries written, {same} already so, {refused} refused").format(
        file=report.catalogue, written=report.written, same=report.unchanged, refused=len(report.refused)))
    for msgid in report.refused:
        print("  " + _("refused (its placeholders differ from the source): {msgid}").format(msgid=msgid[:70]),
              file=sys.stderr)
    if report.whole:
        print(_("every translated entry is reviewed: X-Reviewed-By is set to {name}").format(name=reviewed_by))
    return 1 if report.refused else 0

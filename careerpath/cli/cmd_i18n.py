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
                                                  "English: files in DIR; Spanish: DIR/es/ and the es documents catalogue."),
    language: List[str] = typer.Option([], "--language", metavar="LANG", help="Check only this language (en, es); repeat for both."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when there is any finding."),
    everything: bool = typer.Option(False, "--all", help="Check every template, not only the person-facing ones."),
    format: FormatOpt = "text",
) -> int:
    """Plain-language check of person-facing templates: sentences over 20 words, unexplained jargon.

    Person-facing: partials (_*.j2) and templates whose opening comment says
    "Person-facing". English is checked in the templates, Spanish in the
    documents catalogue (at the line a translator edits) and in DIR/es/.
    Prints `file:line: code: message` for each finding, then a summary.
    Codes: long-sentence, jargon-unexplained (a term from locale/jargon.yaml
    whose first use has no gloss in parentheses or after a dash and no
    glossary entry). Findings are advice: exit 0, or 1 with --strict.

    Example:  careerpath i18n check --templates templates --strict
    """
    from .. import i18n
    from ..plainlang import CHECKED_LANGUAGES, check_templates

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
    if format == "json":
        emit([f.to_dict() for f in findings], format)
    else:
        for f in findings:
            print(f"{f.file}:{f.line}: {f.code}: {_finding_message(f)}")
        files = len({f.file for f in findings})
        if findings:
            print(ngettext("{n} finding", "{n} findings", len(findings)).format(n=len(findings)) + " "
                  + ngettext("in {n} file", "in {n} files", files).format(n=files))
        else:
            print(_("no findings: short sentences, jargon explained"))
    return 1 if strict and findings else 0


def _finding_message(f) -> str:
    if f.code == "long-sentence":
        return _("a sentence of {n} words (more than {limit}): split it").format(n=f.words, limit=20)
    return _("“{term}” is not explained where it first appears: add a short gloss in parentheses or after a dash, "
             "or define it in a glossary").format(term=f.term)

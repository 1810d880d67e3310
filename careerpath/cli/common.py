"""What every command shares: the app, the reusable options, and (from :mod:`careerpath.cli.base`) the error type.

``--caseload`` and ``--today`` are accepted before the command (``careerpath
--caseload X due``) and after it (``careerpath due --caseload X``); the value
given after the command wins. Heavy modules are imported inside the commands,
never here, so ``careerpath --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

# the commands' shared helpers, typer-free (cli/base.py), named here too: every command imports them from here
from .base import (EARLIEST, LATEST, CliError, Globals, Output, _globals, _typed, cache_of, caseload_folder,
                   caseload_of, display_prefix, err, folder_of, output_of, parse_date, rule_book, today_of)

__all__ = ["EARLIEST", "LATEST", "CliError", "Globals", "Output", "_globals", "_typed", "cache_of", "caseload_folder",
           "caseload_of", "display_prefix", "err", "folder_of", "output_of", "parse_date", "rule_book", "today_of",
           "app", "CaseloadOpt", "TodayOpt", "FormatOpt", "TableFormatOpt", "QuietOpt", "NoCacheOpt", "LangOpt",
           "ContentLangOpt", "CaseFilterOpt", "StaffFilterOpt", "ProgramFilterOpt", "StatusFilterOpt", "DateOpt",
           "ByOpt", "NoCommitOpt", "DryRunOpt", "RedactOpt", "RedactStaffOpt"]

app = typer.Typer(
    name="careerpath",
    help="Caseloads of employment services for adults with disabilities, kept as YAML files under git.\n\n"
    "Validate a caseload, see what is due, render documents. Start with:\n\n"
    "    careerpath validate --caseload sample-cases",
    no_args_is_help=True,
    add_completion=True,  # --install-completion, --show-completion (cli/completion.py completes values)
    pretty_exceptions_enable=False,  # locals may hold personal data; main() maps errors
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


CaseloadOpt = Annotated[
    Optional[Path],
    typer.Option("--caseload", "-C", metavar="PATH", show_default=False, envvar="CAREERPATH_CASELOAD",
                 help="The caseload folder. Default: the nearest folder upward holding careerpath.yaml."),
]
TodayOpt = Annotated[
    Optional[str],
    typer.Option("--today", metavar="YYYY-MM-DD", show_default=False, envvar="CAREERPATH_TODAY",
                 help="Compute as if today were this date (default: the real date)."),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text or json.")]
TableFormatOpt = Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text, json or csv.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Read every file again; neither read nor write the load cache.")]
#: The language of messages, help and dates. main() reads it from the command
#: line before typer runs (so help can be translated); a command that declares
#: it only makes `careerpath CMD --lang ru` legal; main() adds it to the others.
LangOpt = Annotated[
    Optional[str],
    typer.Option("--lang", metavar="LANG", show_default=False,
                 help="Language of messages, help and dates: en, es, vi, hy, hmn, ru. "
                      "Default: $CAREERPATH_LANG, then the locale, then English."),
]
#: Like --lang, for commands that print rule titles: those fall back to the caseload's language.
ContentLangOpt = Annotated[
    Optional[str],
    typer.Option("--lang", metavar="LANG", show_default=False,
                 help="Language of messages, dates and rule titles (en, es, vi, hy, hmn, ru). Default: "
                      "$CAREERPATH_LANG, then the locale; titles fall back to the caseload's default_language."),
]
# The filters `due` and `report` share (the obligations query and the report's case selection).
CaseFilterOpt = Annotated[Optional[list[str]], typer.Option(
    "--case", metavar="ID", help="Only this case. Repeatable.")]
StaffFilterOpt = Annotated[Optional[list[str]], typer.Option(
    "--staff", metavar="ID", help="Only obligations of this staff id. Repeatable.")]
ProgramFilterOpt = Annotated[Optional[list[str]], typer.Option(
    "--program", metavar="ID", help="Only this program (ca-dds-ccp, ca-dor-vr, ca-dor-se, ru-czn-disability, common). "
                                    "Repeatable.")]
StatusFilterOpt = Annotated[Optional[list[str]], typer.Option(
    "--status", metavar="STATUS", help="Only obligations with this status: invalid, overdue, partial, due-soon, "
                                       "upcoming, done. Repeatable.")]
# The recording commands' options (log, refer, set, close).
DateOpt = Annotated[Optional[str], typer.Option("--date", metavar="YYYY-MM-DD", show_default=False,
                                                help="When it happened (default: today).")]
ByOpt = Annotated[Optional[str], typer.Option("--by", metavar="STAFF", show_default=False,
                                              help="Staff id from careerpath.yaml (default: $CAREERPATH_STAFF, "
                                                   "then `git config careerpath.staff`).")]
NoCommitOpt = Annotated[bool, typer.Option("--no-commit", help="Write the file but do not commit it.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show the change as a diff; write nothing.")]
RedactOpt = Annotated[bool, typer.Option(
    "--redact", help="Replace names, birth dates, phones, addresses, e-mails, SSN, SNILS, UCI and case ids with "
                     "stable placeholders (Person A, PHONE-1, case-a): for funders and bug reports.")]
RedactStaffOpt = Annotated[bool, typer.Option(
    "--redact-staff", help="With --redact, replace staff names and e-mails too (Staff A).")]



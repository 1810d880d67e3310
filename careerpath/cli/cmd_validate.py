"""``careerpath validate``: every problem of a caseload in one run."""

from __future__ import annotations

import sys

import typer

from ..i18n import _, format_number, ngettext
from .common import (CaseloadOpt, NoCacheOpt, QuietOpt, RedactOpt, TableFormatOpt, TodayOpt, app, caseload_of, cache_of,
                     display_prefix, today_of)
from .output import TEXT_JSON_CSV, check_format, emit

#: ``validate --format csv``: one diagnostic a line.
COLUMNS = ("file", "line", "column", "severity", "code", "message", "hint")


@app.command()
def validate(
    ctx: typer.Context,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
    format: TableFormatOpt = "text",
    strict: bool = typer.Option(False, "--strict", help="Exit 1 on warnings too."),
    quiet: QuietOpt = False,
    redact: RedactOpt = False,
    no_cache: NoCacheOpt = False,
) -> int:
    """Check every file of a caseload against the format and the programs' rules.

    Prints each problem as `path:line:column: severity code: message` (the form
    editors jump to), then a one-line summary. Never writes a case file; its
    load cache goes to .careerpath/ (ignored by git), or nowhere with --no-cache.

    Exit 0 when clean, 1 on errors (or warnings with --strict), 2 on usage errors.

    Example:  careerpath validate --caseload sample-cases --format json
    """
    check_format(format, TEXT_JSON_CSV)
    root = caseload_of(ctx, caseload)
    day = today_of(ctx, today)
    from ..diagnostics import summarize
    from ..pipeline import results

    cache = cache_of(ctx, no_cache)
    found = results(root, day, cache=cache, obligations=False)
    warn_tracked(root, cache)
    from ..diagnostics import sort_key
    from ..pipeline import evidence

    # the scans are read every time: the load cache keys on the YAML files, not on documents/
    diags = sorted(found.diagnostics + evidence(root, cache=cache), key=sort_key)
    if redact:  # messages hold no values; paths hold case ids, which are usually names (for bug reports)
        import dataclasses

        from .redaction import redactor_for

        red = redactor_for(root, True, cache=cache_of(ctx, no_cache))
        diags = [dataclasses.replace(d, file=red.path(d.file), message=_redacted(d.message, red.text),
                                     hint=_redacted(d.hint, red.text)) for d in diags]
    errors, warnings = summarize(diags)
    failed = errors > 0 or (strict and warnings > 0)
    if format != "text":
        emit([d.to_dict() for d in diags], format, columns=COLUMNS)
        return 1 if failed else 0
    from .localize import format_diagnostic

    prefix = display_prefix(root)
    for d in diags:
        if quiet and d.severity != "error":
            continue
        print(format_diagnostic(d, prefix))
    if not quiet or failed:
        print(summary(errors, warnings, len(found.cases), found.files), file=sys.stderr if quiet else sys.stdout)
    return 1 if failed else 0


def _redacted(message: str, redact) -> str:
    """A Message stays a Message (its text arguments redacted), so it can still be shown translated."""
    from ..i18n import Message

    return message.map_text(redact) if isinstance(message, Message) else redact(message)


def summary(errors: int, warnings: int, cases: int, files: int) -> str:
    """The last line of validate: "clean in 3 cases (12 files)" or "1 error, 2 warnings in …"."""
    n = format_number
    in_cases = ngettext("{n} case", "{n} cases", cases).format(n=n(cases))
    in_files = ngettext("{n} file", "{n} files", files).format(n=n(files))
    if errors == 0 and warnings == 0:
        return _("clean in {cases} ({files})").format(cases=in_cases, files=in_files)
    return _("{errors}, {warnings} in {cases} ({files})").format(
        errors=ngettext("{n} error", "{n} errors", errors).format(n=n(errors)),
        warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=n(warnings)),
        cases=in_cases, files=in_files)


def warn_tracked(root, cache) -> None:
    """Say on stderr (even with --quiet: the pre-commit hook runs it) when git tracks files under `.careerpath/`.

    A tracked cache came from a commit, someone else's maybe; careerpath does not
    read it (careerpath/cache/trust.py), but it should leave the repository.
    """
    from ..cache.store import tracked_files

    tracked = tracked_files(root, cache.place(root) if cache is not None else None)
    if tracked:
        print(ngettext("warning: {n} file under `.careerpath/` is tracked by git ({files}); careerpath does not read "
                       "it. Stop tracking it: git rm -r --cached .careerpath",
                       "warning: {n} files under `.careerpath/` are tracked by git ({files}); careerpath does not read "
                       "them. Stop tracking them: git rm -r --cached .careerpath", len(tracked)).format(
                  n=format_number(len(tracked)), files=", ".join(tracked[:3]) + (" …" if len(tracked) > 3 else "")),
              file=sys.stderr)

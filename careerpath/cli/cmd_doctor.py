"""``careerpath doctor``: check the environment and the caseload folder, and say what to fix."""

from __future__ import annotations

import sys

import typer

from ..i18n import _, display, ngettext, text
from .common import CaseloadOpt, CliError, FormatOpt, app, cache_of, caseload_of
from .output import TEXT_JSON, check_format, emit


@app.command()
def doctor(
    ctx: typer.Context,
    caseload: CaseloadOpt = None,
    format: FormatOpt = "text",
) -> int:
    """Check Python, git, optional extras, locale data, the cache and the caseload folder's privacy.

    Each check prints ok, warn or fail with what to do. Reads no personal value:
    only versions, paths, modes and counts. Exit 1 when a check fails.

    Example:  careerpath doctor --caseload sample-cases
    """
    check_format(format, TEXT_JSON)
    try:
        root = caseload_of(ctx, caseload)
    except CliError:
        if caseload is not None:
            raise
        root = None
    from ..doctor import diagnose

    findings = diagnose(root, cache=cache_of(ctx))
    failed = any(f.status == "fail" for f in findings)
    if format == "json":
        emit([f.to_dict() for f in findings], format)
        return 1 if failed else 0
    labels = {f.check: display("doctor-check", f.check) for f in findings}
    width = max(len(label) for label in labels.values())
    statuses = {f.status: display("check-status", f.status) for f in findings}
    sw = max(5, *(len(s) for s in statuses.values()))
    for f in findings:
        print(f"{statuses[f.status]:<{sw}} {labels[f.check]:<{width}}  {text(f.detail)}")
        if f.fix and f.status != "ok":
            print(f"{'':<{sw}} {'':<{width}}  " + _("fix: {fix}").format(fix=text(f.fix)))
    warns = sum(f.status == "warn" for f in findings)
    fails = sum(f.status == "fail" for f in findings)
    ok = len(findings) - fails - warns
    print(", ".join((ngettext("{n} check failed", "{n} checks failed", fails).format(n=fails),
                     ngettext("{n} warning", "{n} warnings", warns).format(n=warns),
                     ngettext("{n} check ok", "{n} checks ok", ok).format(n=ok))), file=sys.stderr)
    return 1 if failed else 0

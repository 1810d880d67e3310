"""``careerpath edit CASE [FILE]``: a case file in $EDITOR, validated when it closes, then committed (the visudo way)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..i18n import _, message_of, text
from .common import ByOpt, CaseloadOpt, CliError, NoCommitOpt, TodayOpt, app, caseload_of, display_prefix, err, today_of
from .localize import format_diagnostic


def editor_command() -> list[str]:
    """$VISUAL, then $EDITOR, then nano or vi: as a command line (it may carry options, `code --wait`)."""
    for var in ("VISUAL", "EDITOR"):
        value = os.environ.get(var, "").strip()
        if value:
            return shlex.split(value)
    for name in ("nano", "vi"):
        if shutil.which(name):
            return [name]
    raise CliError(_("no editor: set $EDITOR (for example `export EDITOR=nano`)"), code=2)


# "no" in the six languages; any other answer (or just Enter) opens the file again
NO = ("n", "no", "н", "нет", "k", "không", "ո", "ոչ", "tsis")


def _again() -> bool:
    """Ask whether to open the file again: Enter or yes does; no, or no answer at all (stdin closed), does not."""
    err(_("Edit again? [Y/n] "))
    try:
        answer = sys.stdin.readline()
    except (OSError, ValueError):
        return False
    return answer != "" and answer.strip().lower() not in NO


@app.command()
def edit(
    ctx: typer.Context,
    case: Annotated[str, typer.Argument(metavar="CASE", help="The case id.")],
    file: Annotated[Optional[str], typer.Argument(metavar="FILE", help="`case.yaml` (default), `plan.yaml`, "
                                                                     "`events/NAME.yaml` or `referrals/NAME.yaml`.")] = None,
    by: ByOpt = None,
    no_commit: NoCommitOpt = False,
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
) -> int:
    """Open a case file in your editor; when it closes, check it, then write and commit exactly that file.

    The file is edited as a private copy under .careerpath/: the case file
    changes only when the copy validates (no error the file did not already
    have). On errors they are shown and you are asked whether to edit again;
    answering no leaves the file as it was. The commit is `CASE: edit FILE`
    with the acting staff member (--by). The editor is $VISUAL, else $EDITOR.

    Example:  careerpath edit marco-delgado plan.yaml --by mreyes
    """
    root = caseload_of(ctx, caseload)
    day = today_of(ctx, today)
    from ..fsio import WriteError, atomic_write, make_dirs
    from ..record import RecordBusy, RecordError, apply, case_file, check_change, plan_edit, read_case_bytes
    from .cmd_record import _staff_id

    who = _staff_id(root, by)
    prefix = display_prefix(root)
    try:
        path, rel, kind = case_file(root, case, file)
        before = read_case_bytes(path, f"cases/{case}/{rel}", root) if path.exists() or path.is_symlink() else None
        if before is None:
            from ..scaffold import plan_text

            start = plan_text("en").encode("utf-8")
        else:
            start = before
        plan_edit(root, case, rel, kind, start, by=who, before=before)  # a bad --by is refused before the editor opens
    except RecordError as e:
        raise CliError(e.message, 1, e.hint) from None
    except OSError as e:
        raise CliError(_("cannot read {path} ({reason})").format(path=rel, reason=e.strerror or type(e).__name__)) from None
    command = editor_command()
    work = root / ".careerpath" / "edit"
    try:
        make_dirs(work)
        copy = work / f"{case}-{rel.replace('/', '-')}"
        atomic_write(copy, start, mode=0o600)  # personal data: only the owner reads the copy
    except WriteError as e:
        raise CliError(message_of(e)) from None
    try:
        while True:
            try:
                done = subprocess.run([*command, str(copy)])
            except OSError as e:
                raise CliError(_("cannot run the editor {editor} ({reason})").format(
                    editor=command[0], reason=e.strerror or type(e).__name__), code=2) from None
            if done.returncode != 0:
                raise CliError(_("the editor exited with {code}; nothing was written").format(code=done.returncode))
            try:  # the editor's copy: still a regular file of ours, and no larger than a case file may be
                after = read_case_bytes(copy, f".careerpath/edit/{copy.name}", root)
            except RecordError as e:
                raise CliError(e.message, 1, e.hint) from None
            if before is not None and after == before:
                err("careerpath: " + _("nothing to change: the file already says that"))
                return 0
            try:
                change = plan_edit(root, case, rel, kind, after, by=who, before=before)
                problems = [d for d in check_change(change, day) if d.severity == "error"]
            except RecordError as e:
                raise CliError(e.message, 1, e.hint) from None
            if not problems:
                break
            for d in problems:
                err(format_diagnostic(d, prefix))
            if not _again():
                raise CliError(_("nothing was written: {path} is as it was").format(path=f"cases/{case}/{rel}"))
        try:
            result = apply(change, day, commit=not no_commit)
        except RecordBusy:
            raise CliError(_("another recording in this caseload is running; nothing was written"), 75,
                           _("run the command again")) from None
        except RecordError as e:
            for d in e.diagnostics:
                err(format_diagnostic(d, prefix))
            raise CliError(e.message, 1, e.hint) from None
    finally:
        copy.unlink(missing_ok=True)
    print(_("wrote {path}").format(path=os.path.join(prefix, f"cases/{case}/{rel}") if prefix else f"cases/{case}/{rel}"))
    if result.git == "committed":
        print(_("committed {commit} {subject}").format(commit=result.commit[:10], subject=result.message.splitlines()[0]))
    elif result.git == "failed":
        raise CliError(_("the change was written but not committed: {notes}").format(
            notes="; ".join(text(n) for n in result.notes)), 1)
    return 0

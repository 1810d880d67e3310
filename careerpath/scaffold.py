"""``careerpath init`` and ``careerpath new``: start a caseload or a case, never overwriting."""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import models as m
from .diagnostics import Diagnostic
from .fsio import WriteError, atomic_write, make_dirs
from .loader import CONFIG_FILE, validate_data
from .schema import SCHEMA_DIR, file_name, modeline
from .yamlfile import parse_text


class ScaffoldError(Exception):
    """A request that cannot be carried out (exists already, missing data)."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


GITIGNORE = """\
# careerpath: caches, locks and generated output stay out of git
.careerpath/
out/
reports/
*.lock
*.tmp
"""

HOOK = """\
#!/bin/sh
# careerpath: refuse a commit while the caseload has validation errors.
top=$(git rev-parse --show-toplevel) || exit 1
if command -v careerpath >/dev/null 2>&1; then
  exec careerpath validate --quiet --caseload "$top"
fi
exec "{python}" -m careerpath validate --quiet --caseload "$top"
"""


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _config_text(agency: str, language: str) -> str:
    return modeline("careerpath", 0) + f"""\
agency: {q(agency)}
default_language: {language}         # documents fall back to this language
staff: []                            # - {{id: jsmith, name: Jordan Smith, role: navigator, languages: [en]}}
settings:
  warn_days: 30                      # an obligation is due-soon this many days ahead
  ccp_quarterly_report_days: 30      # needs-source: quarterly report due this many days after a quarter ends
  retention_checks: [30d, 6m, 12m]   # local choice: retention checks after each job start
  czn_ipra_report_before: 1m         # needs-source: IPRA execution report this long before the IPRA term ends
  czn_ipra_list_working_days: 3      # needs-source: list of IPRA measures drawn up within these working days
"""


def _git(args: list[str], cwd: Path) -> bool:
    if shutil.which("git") is None:
        return False
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@dataclass
class InitResult:
    root: Path
    written: list[Path] = field(default_factory=list)
    git: str = "absent"  # absent | created | existing


def init(root: Path, *, agency: str = "My Agency", language: str = "en") -> InitResult:
    """Make a new caseload folder with settings, schemas, .gitignore, git and a pre-commit hook."""
    root = Path(root)
    if (root / CONFIG_FILE).exists():
        raise ScaffoldError(f"{root / CONFIG_FILE} already exists; nothing was changed")
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{root} exists and is not a folder")
    result = InitResult(root)
    make_dirs(root / "cases")
    for kind in m.FILE_MODELS:
        target = root / "schemas" / file_name(kind)
        if not target.exists():
            atomic_write(target, (SCHEMA_DIR / file_name(kind)).read_bytes(), mode=0o644)
            result.written.append(target)
    if not (root / ".gitignore").exists():
        atomic_write(root / ".gitignore", GITIGNORE, mode=0o644)
        result.written.append(root / ".gitignore")
    atomic_write(root / CONFIG_FILE, _config_text(agency, language), exclusive=True)
    result.written.append(root / CONFIG_FILE)
    if shutil.which("git"):
        if _git(["rev-parse", "--is-inside-work-tree"], root):
            result.git = "existing"
        elif _git(["init", "-q"], root):
            result.git = "created"
        if result.git == "created":
            hook = root / ".git" / "hooks" / "pre-commit"
            if not hook.exists():
                atomic_write(hook, HOOK.format(python=sys.executable), mode=0o755)
                result.written.append(hook)
            from .team.setup import register_merge_driver  # case files merge field by field (docs/team.md)

            if register_merge_driver(root, commit=False).attributes_written:
                result.written.append(root / ".gitattributes")
    return result


# ---------------------------------------------------------------- new case

@dataclass
class NewCase:
    case_id: str
    name: str
    language: str
    programs: list[str] = field(default_factory=list)
    opened: date | None = None
    ccp_basis: str | None = None
    school_exit: date | None = None
    applied: date | None = None
    se_type: str | None = None
    extended_services_source: str | None = None
    registered: date | None = None


def _enrollment_lines(req: NewCase, opened: date) -> tuple[list[str], list[str]]:
    lines: list[str] = []
    missing: list[str] = []
    for program in req.programs:
        if program == "ca-dds-ccp":
            if not req.ccp_basis:
                missing.append("--ccp-basis (left-work-activity-program | left-subminimum-wage | exiting-secondary-education)")
            if req.ccp_basis == "exiting-secondary-education" and req.school_exit is None:
                missing.append("--school-exit for basis exiting-secondary-education")
            lines += ["  ca-dds-ccp:", f"    basis: {req.ccp_basis}"]
            if req.school_exit:
                lines.append(f"    school_exit: {req.school_exit.isoformat()}")
            lines += [f"    start: {opened.isoformat()}", "    authorized_until: null   # from the regional-center authorization",
                      "    subcodes: [NAV]"]
        elif program == "ca-dor-vr":
            if req.applied is None:
                missing.append("--applied (the date DOR received the application; it starts the 60-day clock)")
            lines += ["  ca-dor-vr:", f"    applied: {req.applied.isoformat() if req.applied else ''}",
                      "    eligibility: {status: pending}"]
        elif program == "ca-dor-se":
            if not req.se_type:
                missing.append("--se-type (individual | group)")
            if not req.extended_services_source:
                missing.append("--extended-services-source (9 CCR 7131.1(a)(3))")
            lines += ["  ca-dor-se:", f"    type: {req.se_type}", f"    start: {opened.isoformat()}",
                      f"    extended_services_source: {q(req.extended_services_source or '')}"]
            if req.se_type == "group":
                lines.append("    group_size: 3            # 3 to 8 consumers per job coach")
        elif program == "ru-czn-disability":
            lines += ["  ru-czn-disability:", f"    registered: {(req.registered or opened).isoformat()}"]
        else:
            # the value itself is not echoed: a mixed-up argument may be a name
            close = difflib.get_close_matches(program, m.PROGRAMS, n=1)
            missing.append(f"a known --program ({', '.join(m.PROGRAMS)})" + (f"; did you mean {close[0]}?" if close else ""))
    return lines, missing


def case_text(req: NewCase, today: date) -> str:
    opened = req.opened or today
    lines, missing = _enrollment_lines(req, opened)
    if missing:
        raise ScaffoldError("cannot scaffold the case; missing: " + "; ".join(missing))
    text = modeline("case", 2) + "\n".join([
        f"id: {req.case_id}",
        "status: active",
        f"opened: {opened.isoformat()}",
        "person:",
        f"  name: {q(req.name)}",
        f"  language: {req.language}",
        "  interpreter: false",
        "  plain_language: false",
        "staff: {}",
        "enrollments:" + ("" if lines else " {}"),
        *lines,
        "jobs: []",
    ]) + "\n"
    return text


def new_case(root: Path, req: NewCase, today: date) -> Path:
    """Write ``cases/<id>/case.yaml`` after validating it; refuses an existing case."""
    folder = Path(root) / "cases" / req.case_id
    if folder.exists():
        raise ScaffoldError(f"the case {req.case_id} already exists; nothing was changed")
    text = case_text(req, today)
    rel = f"cases/{req.case_id}/case.yaml"
    doc, diags = validate_data(rel, "case", parse_text(text, rel))
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        raise ScaffoldError("the new case would not validate; nothing was written", errors)
    made: list[Path] = []
    path = folder / "case.yaml"
    try:
        for sub in ("events", "referrals", "documents"):
            made += make_dirs(folder / sub)
        atomic_write(path, text, exclusive=True)
    except WriteError:
        for created in reversed(made):  # a failed write leaves no half-made case behind to block a retry
            try:
                created.rmdir()
            except OSError:
                pass
        raise
    return path

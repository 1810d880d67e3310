"""``careerpath init`` and ``careerpath new``: start a caseload or a case, never overwriting."""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from . import models as m
from .diagnostics import Diagnostic
from .fsio import WriteError, atomic_write, make_dirs
from .i18n.messages import Message, join
from .loader import CONFIG_FILE, validate_data
from .schema import SCHEMA_DIR, file_name, modeline
from .yamlfile import parse_text


class ScaffoldError(Exception):
    """A request that cannot be carried out (exists already, missing data)."""

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.message, self.diagnostics = message, diagnostics or []


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
# careerpath: refuse a commit that adds or changes files under .careerpath/ (careerpath's private
# folder: the load cache and locks), and a commit while the caseload has validation errors.
top=$(git rev-parse --show-toplevel) || exit 1
private=$(git diff --cached --name-only --diff-filter=d -- ':(glob)**/.careerpath' ':(glob)**/.careerpath/**')
if [ -n "$private" ]; then
  printf '%s\\n' {refuse} >&2
  printf '%s\\n' "$private" | sed 's/^/  /' >&2
  exit 1
fi
if command -v careerpath >/dev/null 2>&1; then
  exec careerpath validate --quiet --caseload "$top"
fi
exec "{python}" -m careerpath validate --quiet --caseload "$top"
"""


def hook_text() -> str:
    """The pre-commit hook ``init`` installs, its message in the current language."""
    from .i18n import _

    refuse = _("careerpath: this commit adds or changes files under `.careerpath/`, careerpath's private folder "
               "(its load cache and locks, which hold case data). They are never committed; unstage them with: "
               "git rm -r --cached .careerpath")
    return HOOK.format(python=sys.executable, refuse="'" + refuse.replace("'", "'\\''") + "'")


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

    def to_dict(self) -> dict:
        """What ``careerpath init --format json`` prints."""
        return {"folder": str(self.root), "written": [str(p) for p in self.written], "git": self.git}


def init(root: Path, *, agency: str = "My Agency", language: str = "en") -> InitResult:
    """Make a new caseload folder with settings, schemas, .gitignore, git and a pre-commit hook."""
    root = Path(root)
    if (root / CONFIG_FILE).exists():
        raise ScaffoldError(Message("{path} already exists; nothing was changed", path=root / CONFIG_FILE))
    if root.exists() and not root.is_dir():
        raise ScaffoldError(Message("{path} exists and is not a folder", path=root))
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
                atomic_write(hook, hook_text(), mode=0o755)
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
    # `--<option> VALUE` pairs for the enrollment fields the programs ask for (`ccp-basis`, `applied`…)
    options: dict[str, str] = field(default_factory=dict)


def _flow(value: Any, kind: str = "") -> str:
    """A value as one line of YAML (text quoted when it must be; a date field's value as it is)."""
    if kind == "date" and isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value.strip()):
        return value.strip()
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, date)):
        return str(value) if not isinstance(value, date) else value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    return q(str(value))


def _enrollment_lines(req: NewCase, opened: date, programs: Any) -> tuple[list[str], list]:
    """case.yaml lines of each enrollment asked for, from what its program declares under ``new:``."""
    from .programs.constraints import holds

    lines: list[str] = []
    missing: list = []
    for pid in req.programs:
        program = programs.get(pid)
        if program is None:
            # the value itself is not echoed: a mixed-up argument may be a name
            near = programs.nearest(pid)
            known = ", ".join(programs.ids())
            missing.append(Message("a known --program ({list}); did you mean {name}?", list=known, name=near) if near
                           else Message("a known --program ({list})", list=known))
            continue
        values: dict[str, Any] = {}
        for f in program.new:
            given = req.options.get(f.option) if f.option else None
            if given not in (None, ""):
                values[f.name] = given
            elif f.has_value:
                values[f.name] = opened if f.value == "{opened}" else f.value
        block = [f"  {pid}:"]
        for f in program.new:
            if f.required and values.get(f.name) in (None, "") or (
                    f.required_when and holds(f.required_when, values.get) and values.get(f.name) in (None, "")):
                missing.append(f"--{f.option}" + (f" ({f.help})" if f.help else ""))
            if f.name not in values or (f.when and not holds(f.when, values.get)):
                continue
            spec = program.field((f.name,))
            block.append(f"    {f.name}: {_flow(values[f.name], spec.type if spec else '')}"
                         + (f"   # {f.comment}" if f.comment else ""))
        lines += block if len(block) > 1 else [f"  {pid}: {{}}"]
    return lines, missing


def case_text(req: NewCase, today: date, programs: Any = None) -> str:
    from .programs import load_programs

    opened = req.opened or today
    lines, missing = _enrollment_lines(req, opened, programs if programs is not None else load_programs())
    if missing:
        raise ScaffoldError(Message("cannot scaffold the case; missing: {list}", list=join(missing, "; ")))
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
        raise ScaffoldError(Message("the case {name} already exists; nothing was changed", name=req.case_id))
    from .programs import load_programs

    programs = load_programs(root)
    text = case_text(req, today, programs)
    rel = f"cases/{req.case_id}/case.yaml"
    doc, diags = validate_data(rel, "case", parse_text(text, rel), programs)
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        raise ScaffoldError(Message("the new case would not validate; nothing was written"), errors)
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

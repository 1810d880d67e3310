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
from typing import Any, Optional

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
    committed: str = ""  # what committing the first files did (Committed.git); "" when no repository was made
    commit: str | None = None

    def to_dict(self) -> dict:
        """What ``careerpath init --format json`` prints."""
        return {"folder": str(self.root), "written": [str(p) for p in self.written], "git": self.git,
                "commit": self.commit}


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
    _git_repository(root, result)
    return result


def _git_repository(root: Path, result: InitResult) -> None:
    """Make ``root`` a git repository (unless it is inside one) with the pre-commit hook and the merge driver,
    and commit what was written as its first commit."""
    if not shutil.which("git"):
        return
    if _git(["rev-parse", "--is-inside-work-tree"], root):
        result.git = "existing"
    elif _git(["init", "-q"], root):
        result.git = "created"
    if result.git != "created":
        return
    hook = root / ".git" / "hooks" / "pre-commit"
    if not hook.exists():
        atomic_write(hook, hook_text(), mode=0o755)
        result.written.append(hook)
    from .team.setup import register_merge_driver  # case files merge field by field (docs/team.md)

    if register_merge_driver(root, commit=False).attributes_written:
        result.written.append(root / ".gitattributes")
    tracked = [p for p in result.written if ".git" not in p.relative_to(root).parts[:1]]
    done = commit_new_files(root, tracked, "careerpath init: a new caseload")
    result.commit = done.commit
    result.committed = done.git


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
    # role -> staff id (`--navigator mreyes`): case.yaml's `staff:`; the roles are those of models.CaseStaff
    staff: dict[str, str] = field(default_factory=dict)
    plan: bool = True     # write a starter plan.yaml in the person's language


def staff_roles() -> tuple[str, ...]:
    """The roles a case names its staff by (`navigator`, `ces`, `job-coach`…): case.yaml's ``staff:`` keys, from the model."""
    return tuple(f.alias or name for name, f in m.CaseStaff.model_fields.items())


def _check_staff(req: "NewCase", config: Any) -> None:
    """Every ``--ROLE STAFF`` names a staff member of careerpath.yaml (the value is not echoed: it may be a name)."""
    known = {s.id: s for s in (config.staff if config is not None else [])}
    roles = staff_roles()
    for role, sid in req.staff.items():
        if role not in roles:
            raise ScaffoldError(Message("--{role} is not a staff role ({list})", role=role, list=", ".join(roles)))
        if sid not in known:
            close = difflib.get_close_matches(sid, list(known), n=1)
            raise ScaffoldError(Message("--{role}: not a staff id in careerpath.yaml; did you mean {name}?", role=role,
                                        name=close[0]) if close else
                                Message("--{role}: not a staff id in careerpath.yaml (add the person under `staff:` first)",
                                        role=role))


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
        "staff: " + ("{" + ", ".join(f"{role}: {sid}" for role, sid in req.staff.items()) + "}" if req.staff else "{}"),
        "enrollments:" + ("" if lines else " {}"),
        *lines,
        "jobs: []",
    ]) + "\n"
    return text


def plan_text(language: str) -> str:
    """A starter plan.yaml whose comments are in ``language`` (English when careerpath does not speak it):
    empty lists to fill, with one commented example goal, so the file validates as written."""
    from .i18n import text

    def say(message: Message) -> str:
        return text(message, language)

    return modeline("plan", 2) + "\n".join([
        "# " + say(Message("The person-centered plan: in the person's own words first, then goals, objectives "
                           "and services.")),
        "# " + say(Message("Fill it in with the person; `careerpath plan CASE add-goal` adds a goal without an editor.")),
        "own_words: null            # " + say(Message("what the person wants from work, as they say it")),
        "strengths: []              # " + say(Message("what the person is good at")),
        "interests: []              # " + say(Message("what the person likes")),
        "barriers: []               # " + say(Message("what stands in the way")),
        "supports: []               # " + say(Message("people, tools and benefits that help")),
        "goals: []",
        "#  - id: g1",
        "#    area: employment      # employment | community | education | supports",
        "#    statement: " + say(Message("A part-time job in a garden center")),
        "#    objectives:",
        "#      - {id: g1.o1, text: " + say(Message("Visit two garden centers")) + ", due: YYYY-MM-DD, done: null}",
        "services: []               # " + say(Message("each: name, program, provider, start, due, done")),
    ]) + "\n"


def new_case(root: Path, req: NewCase, today: date) -> Path:
    """Write ``cases/<id>/case.yaml`` after validating it; refuses an existing case.

    See :func:`new_case_files` for the starter plan.yaml too (what ``careerpath new`` writes)."""
    return new_case_files(root, req, today)[0]


def new_case_files(root: Path, req: NewCase, today: date) -> list[Path]:
    """Write ``cases/<id>/case.yaml`` and (with ``req.plan``) a starter ``plan.yaml``, both validated first;
    refuses an existing case or a staff id careerpath.yaml does not know. Returns the files written."""
    folder = Path(root) / "cases" / req.case_id
    if folder.exists():
        raise ScaffoldError(Message("the case {name} already exists; nothing was changed", name=req.case_id))
    from .programs import load_programs

    programs = load_programs(root)
    if req.staff:
        from .loader import load_config

        _check_staff(req, load_config(Path(root), [], programs)[0])
    text = case_text(req, today, programs)
    rel = f"cases/{req.case_id}/case.yaml"
    doc, diags = validate_data(rel, "case", parse_text(text, rel), programs)
    plan = plan_text(req.language) if req.plan else None
    if plan is not None:
        prel = f"cases/{req.case_id}/plan.yaml"
        diags += validate_data(prel, "plan", parse_text(plan, prel), programs)[1]
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        raise ScaffoldError(Message("the new case would not validate; nothing was written"), errors)
    made: list[Path] = []
    path = folder / "case.yaml"
    written = [path]
    try:
        for sub in ("events", "referrals", "documents"):
            made += make_dirs(folder / sub)
        atomic_write(path, text, exclusive=True)
        if plan is not None:
            atomic_write(folder / "plan.yaml", plan, exclusive=True)
            written.append(folder / "plan.yaml")
    except WriteError:
        if path.exists():  # the plan failed: the case goes too (the folder was new), a retry starts clean
            path.unlink()
        for created in reversed(made):  # a failed write leaves no half-made case behind to block a retry
            try:
                created.rmdir()
            except OSError:
                pass
        raise
    return written


# ---------------------------------------------------------------- committing what was made

@dataclass
class Committed:
    """What committing new files did: ``git`` is committed | not-a-repository | no-git | failed | unchanged."""

    git: str
    commit: str | None = None
    note: Any = None      # why it failed (a Message)

    def to_dict(self) -> dict:
        return {"git": self.git, "commit": self.commit}


def commit_new_files(root: Path, paths: list[Path], subject: str, trailers: list[tuple[str, str]] = (),
                     staff: Any = None) -> Committed:
    """Commit exactly ``paths`` (new files) under the caseload's recording lock, with ``staff`` (a models.Staff or
    None) as the fallback identity when git has none; a missing git or repository is said, not an error."""
    from . import gitio

    if not gitio.available():
        return Committed("no-git")
    if gitio.toplevel(Path(root)) is None:
        return Committed("not-a-repository")
    from .record import recording_lock

    fallback = gitio.fallback_identity(staff.id if staff else None, staff.name if staff else None,
                                       staff.email if staff else None)
    sign = _signing_key(Path(root), staff)
    try:
        with recording_lock(Path(root)):
            made = gitio.commit_paths(Path(root), list(paths), gitio.format_message(subject, trailers), fallback=fallback,
                                      sign=sign)
    except gitio.GitError as e:
        return Committed("failed", note=e.message)
    return Committed("unchanged") if made is None else Committed("committed", made.sha)


def _signing_key(root: Path, staff: Any) -> Optional[str]:
    """The key to sign with when the caseload signs (``settings.sign_commits: ssh``) and one is known; else None
    (the files are written already: an unsigned commit is better than none, and ``audit --verify`` reports it)."""
    from .signing import key_file_missing, sign_mode, signing_key
    from .yamlfile import read_file

    data = read_file(root / CONFIG_FILE, CONFIG_FILE).data
    settings = data.get("settings") if isinstance(data, dict) else None
    if sign_mode(settings if isinstance(settings, dict) else {}) != "ssh":
        return None
    key = signing_key(root, staff)
    return key if key is not None and not key_file_missing(key) else None


SAMPLE_DIR = Path(__file__).resolve().parent / "sample-cases"   # a link to the checkout's sample-cases/ (copies in a wheel)


def init_sample(dest: Path) -> InitResult:
    """Copy the sample caseload into ``dest`` (new, or an empty folder) and make it a git repository of its own:
    the README's tour works on the copy and never touches the checkout or the installed package."""
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise ScaffoldError(Message("{path} exists and is not an empty folder; nothing was changed", path=dest))
    source = SAMPLE_DIR
    if not (source / CONFIG_FILE).is_file():
        raise ScaffoldError(Message("the sample caseload is not installed with careerpath ({path})", path=source))
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".careerpath", ".git", "*.lock", "*.tmp"),
                    dirs_exist_ok=True)
    result = InitResult(dest, written=sorted(p for p in dest.rglob("*") if p.is_file()))
    if not (dest / ".gitignore").exists():
        atomic_write(dest / ".gitignore", GITIGNORE, mode=0o644)
        result.written.append(dest / ".gitignore")
    _git_repository(dest, result)
    return result

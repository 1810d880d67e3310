"""A navigator's day (issue 18): `new` with staff, a starter plan and a commit; `init`'s first commit;
`init --sample` and the README's tour run on a copy, never touching the checkout."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE

CONFIG = """\
agency: Test Agency
default_language: en
staff:
  - {id: jsmith, name: Jordan Smith, role: navigator, languages: [en, vi]}
  - {id: reva, name: Роза Евдокимова, role: curator, languages: [ru]}
"""


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def made(cli, tmp_path, monkeypatch):
    """A caseload made by `careerpath init`, with two staff members committed."""
    monkeypatch.delenv("CAREERPATH_STAFF", raising=False)
    root = tmp_path / "caseload"
    r = cli("init", root, "--agency", "Test Agency")
    assert r.code == 0, r.err
    git(root, "config", "user.name", "Jordan Smith")
    git(root, "config", "user.email", "jordan@example.org")
    git(root, "config", "commit.gpgsign", "false")
    (root / "careerpath.yaml").write_text(CONFIG, encoding="utf-8")
    git(root, "commit", "-qam", "staff")
    return root


def test_init_makes_the_first_commit_of_what_it_wrote(cli, tmp_path):
    root = tmp_path / "fresh"
    r = cli("init", root, "--format", "json")
    assert r.code == 0, r.err
    import json

    data = json.loads(r.out)
    assert data["git"] == "created" and data["commit"]
    tracked = git(root, "ls-files").split()
    assert "careerpath.yaml" in tracked and ".gitignore" in tracked and "schemas/case.schema.json" in tracked
    assert git(root, "status", "--porcelain") == ""
    assert git(root, "rev-parse", "HEAD").strip() == data["commit"]


def test_new_with_staff_writes_case_and_plan_and_commits_exactly_them(cli, made):
    before = git(made, "rev-parse", "HEAD").strip()
    r = cli("new", "an-nguyen", "--name", "Nguyễn Văn An", "--language", "vi", "--navigator", "jsmith",
            "--caseload", made, "--today", "2026-11-22", "--by", "jsmith")
    assert r.code == 0, r.err
    case = (made / "cases/an-nguyen/case.yaml").read_text(encoding="utf-8")
    assert "staff: {navigator: jsmith}" in case
    plan = (made / "cases/an-nguyen/plan.yaml").read_text(encoding="utf-8")
    assert "goals: []" in plan
    assert git(made, "rev-parse", "HEAD~1").strip() == before
    assert sorted(git(made, "show", "--name-only", "--format=", "HEAD").split()) == \
        ["cases/an-nguyen/case.yaml", "cases/an-nguyen/plan.yaml"]
    message = git(made, "log", "-1", "--format=%B")
    assert message.startswith("an-nguyen: new case") and "Staff: jsmith" in message
    assert "Nguyễn" not in message  # a name never goes into a commit
    assert cli("validate", "--caseload", made, "--today", "2026-11-22").code == 0


def test_the_starter_plan_speaks_the_persons_language(cli, made):
    r = cli("new", "sergey", "--name", "Сергей", "--language", "ru", "--curator", "reva", "--caseload", made,
            "--no-commit")
    assert r.code == 0, r.err
    plan = (made / "cases/sergey/plan.yaml").read_text(encoding="utf-8")
    english = (made / "cases").parent  # noqa: F841
    assert re.search("[а-яё]{4,}", plan), plan  # the comments are Russian
    assert "what the person is good at" not in plan
    assert git(made, "status", "--porcelain").strip() == "?? cases/"


def test_new_refuses_a_staff_id_careerpath_yaml_does_not_know_and_writes_nothing(cli, made):
    r = cli("new", "b", "--name", "B", "--language", "en", "--navigator", "jsmtih", "--caseload", made)
    assert r.code == 1 and "jsmith" in r.err and "jsmtih" not in r.err.replace("--navigator", "")
    assert not (made / "cases" / "b").exists()
    r = cli("new", "b", "--name", "B", "--language", "en", "--navigatr", "jsmith", "--caseload", made)
    assert r.code == 2 and "--navigator" in r.err
    assert not (made / "cases" / "b").exists()


def test_new_no_plan_and_outside_git(cli, tmp_path):
    root = tmp_path / "plain"
    (root / "cases").mkdir(parents=True)
    (root / "careerpath.yaml").write_text(CONFIG, encoding="utf-8")
    r = cli("new", "b", "--name", "B", "--language", "en", "--no-plan", "--caseload", root, "--format", "json")
    assert r.code == 0, r.err
    import json

    assert json.loads(r.out)["git"] == "not-a-repository" and not (root / "cases/b/plan.yaml").exists()


def test_init_sample_copies_the_samples_into_a_repository_of_its_own(cli, tmp_path):
    dest = tmp_path / "tour"
    r = cli("init", "--sample", dest)
    assert r.code == 0, r.err
    assert sorted(p.name for p in (dest / "cases").iterdir()) == sorted(p.name for p in (SAMPLE / "cases").iterdir())
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=dest, capture_output=True, text=True).stdout.strip()
    assert Path(top).resolve() == dest.resolve()
    assert git(dest, "status", "--porcelain") == "" and len(git(dest, "log", "--oneline").splitlines()) == 1
    again = cli("init", "--sample", dest)
    assert again.code == 1 and "not an empty folder" in again.err


def _tour() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## A five-minute tour"):]
    return section[section.index("```sh\n") + 6:section.index("```\n", section.index("```sh\n") + 6)]


def test_the_readme_tour_runs_on_a_copy_and_never_touches_the_checkout(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    status = lambda: subprocess.run(["git", "status", "--porcelain", "--", "sample-cases"], cwd=ROOT,  # noqa: E731
                                    capture_output=True, text=True).stdout
    head = lambda: subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout  # noqa: E731
    before, before_head = status(), head()
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "CAREERPATH_"))}
    env.update(HOME=str(home), PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
               CAREERPATH_LANG="en", CAREERPATH_CACHE_DIR=str(tmp_path / "cache"), GIT_CONFIG_NOSYSTEM="1",
               PYTHONPATH=str(ROOT))
    script = "set -e\n" + _tour()
    proc = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    copy = home / "careerpath-tour"
    log = git(copy, "log", "--format=%s")
    assert "linh-tran: log monthly-review 2026-11-22" in log and "an-nguyen: new case" in log
    assert (copy / "plan.html").exists() and (home / "caseload.ics").exists()
    assert status() == before and head() == before_head


# ---------------------------------------------------------------- addresses by id, and `plan CASE …`

@pytest.fixture(scope="module")
def tour_made(tmp_path_factory):
    """`init --sample` once per module: the sample caseload in a git repository of its own, first commit and hook."""
    from careerpath.cli import main

    dest = tmp_path_factory.mktemp("tour-made") / "tour"
    with pytest.MonkeyPatch.context() as m, contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()) as err:
        m.delenv("CAREERPATH_STAFF", raising=False)
        m.setenv("CAREERPATH_TODAY", "2026-11-22")
        assert main(["init", "--sample", str(dest)]) == 0, err.getvalue()
    git(dest, "config", "user.name", "Marisol Reyes")
    git(dest, "config", "user.email", "mreyes@example.org")
    git(dest, "config", "commit.gpgsign", "false")
    return dest


@pytest.fixture
def tour(tour_made, tmp_path, monkeypatch):
    """The sample caseload in a git repository of its own (`init --sample`): a copy of the module's, per test."""
    monkeypatch.delenv("CAREERPATH_STAFF", raising=False)
    monkeypatch.setenv("CAREERPATH_TODAY", "2026-11-22")
    dest = tmp_path / "tour"
    shutil.copytree(tour_made, dest, symlinks=True)
    return dest


def changed_lines(root: Path) -> list[str]:
    diff = git(root, "show", "--format=", "--unified=0", "HEAD")
    return [l for l in diff.splitlines() if l[:1] in "+-" and not l.startswith(("+++", "---"))]


def test_set_by_ids_is_the_same_edit_as_by_positions(cli, tour):
    r = cli("set", "marco-delgado", "plan.goals.g1.objectives.g1.o3.done", "2026-11-21", "--by", "mreyes",
            "--caseload", tour)
    assert r.code == 0, r.err
    by_id = changed_lines(tour)
    es = (", translations: {es: {text: Conocer a tres gerentes de centros de jardinería con el especialista en empleo "
          "personalizado (CES)}}}")  # the plan's Spanish translation (docs/format.md) rides along, unchanged
    assert by_id == ["-      - {id: g1.o3, text: Meet three garden-center managers with the CES, due: 2026-11-20, done: null" + es,
                     "+      - {id: g1.o3, text: Meet three garden-center managers with the CES, due: 2026-11-20, done: 2026-11-21" + es]
    message = git(tour, "log", "-1", "--format=%B")
    assert "plan.goals.g1.objectives.g1.o3.done" in message and "Rule: plan.objective" in message
    git(tour, "reset", "-q", "--hard", "HEAD~1")
    assert cli("set", "marco-delgado", "plan.goals.0.objectives.2.done", "2026-11-21", "--by", "mreyes",
               "--caseload", tour).code == 0
    assert changed_lines(tour) == by_id


def test_set_by_employer_and_service_names(cli, tour):
    r = cli("set", "alsu-galieva", "jobs.ооо-кама-логистик.end", "2026-11-30", "--by", "gsafina", "--caseload", tour)
    assert r.code == 0, r.err
    assert changed_lines(tour) == ["-    end: null", "+    end: 2026-11-30"]
    r = cli("set", "marco-delgado", "plan.services.discovery.done", "2026-08-22", "--by", "mreyes", "--caseload", tour)
    assert r.code == 0, r.err
    assert "Discovery" in changed_lines(tour)[1] and "done: 2026-08-22" in changed_lines(tour)[1]


def test_an_unknown_id_is_refused_with_the_ids_there_are(cli, tour):
    head = git(tour, "rev-parse", "HEAD")
    r = cli("set", "marco-delgado", "plan.goals.g9.statement", "x", "--by", "mreyes", "--caseload", tour)
    assert r.code == 1 and "g9" in r.err and "g1, g2, g3" in r.err
    assert git(tour, "rev-parse", "HEAD") == head and git(tour, "status", "--porcelain") == ""


def test_plan_edits_each_make_one_commit_and_validate(cli, tour):
    head = git(tour, "rev-parse", "HEAD").strip()
    steps = [
        ("add-goal", "--area", "community", "--statement", "Ride the bus alone"),
        ("add-objective", "g4", "--text", "Two rides with the job coach", "--due", "2026-12-18"),
        ("done", "g4.o1", "--date", "2026-11-21"),
        ("add-service", "--name", "Travel training", "--program", "ca-dds-ccp", "--provider", "dortiz",
         "--due", "2027-01-29"),
        ("done", "travel-training"),
    ]
    for step in steps:
        r = cli("plan", "marco-delgado", *step, "--by", "mreyes", "--caseload", tour)
        assert r.code == 0, (step, r.err)
    subjects = git(tour, "log", "--format=%s", f"{head}..HEAD").splitlines()[::-1]
    assert subjects == ["marco-delgado: plan add goal g4", "marco-delgado: plan add objective g4.o1",
                        "marco-delgado: plan done g4.o1 2026-11-21", "marco-delgado: plan add service 4 ca-dds-ccp",
                        "marco-delgado: plan done travel-training 2026-11-22"]
    plan = (tour / "cases/marco-delgado/plan.yaml").read_text(encoding="utf-8")
    assert "- {id: g4.o1, text: Two rides with the job coach, due: 2026-12-18, done: 2026-11-21}" in plan
    assert "{name: Travel training, program: ca-dds-ccp, provider: dortiz, start: 2026-11-22, due: 2027-01-29, " \
           "done: 2026-11-22}" in plan
    assert cli("validate", "--caseload", tour).code == 0
    # already done, unknown item, bad area: refused, nothing written
    for bad, code in ((("done", "g4.o1"), 1), (("done", "g1.o9"), 1), (("add-goal", "--area", "x", "--statement", "y"), 2)):
        r = cli("plan", "marco-delgado", *bad, "--by", "mreyes", "--caseload", tour)
        assert r.code == code and r.out == "", (bad, r.err)
    assert git(tour, "status", "--porcelain") == ""


def test_plan_edits_in_json_and_dry_run(cli, tour):
    import json

    r = cli("plan", "linh-tran", "add-goal", "--statement", "Library card", "--by", "tnguyen", "--dry-run",
            "--format", "json", "--caseload", tour)
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["git"] == "dry-run" and "+  - id: g" in data["diff"]
    assert git(tour, "status", "--porcelain") == ""


# ---------------------------------------------------------------- `careerpath edit`

EDITOR = """\
#!/bin/sh
# first run: an invalid status; second run: a valid change (a counter file says which)
n=$(cat "{count}" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "{count}"
if [ $n -eq 1 ]; then sed -i 's/^status: active/status: bogus/' "$1"; else sed -i 's/^status: bogus/status: active/; s/^opened: .*/opened: 2026-05-01/' "$1"; fi
"""


def _edit(tour: Path, tmp_path: Path, answer: str, *args: str):
    script = tmp_path / "editor.sh"
    script.write_text(EDITOR.format(count=tmp_path / "count"), encoding="utf-8")
    script.chmod(0o755)
    env = {**os.environ, "EDITOR": str(script), "PYTHONPATH": str(ROOT), "CAREERPATH_TODAY": "2026-11-22",
           "CAREERPATH_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("VISUAL", None)
    return subprocess.run([sys.executable, "-m", "careerpath", "edit", "marco-delgado", *args, "--by", "mreyes",
                           "--caseload", str(tour)], input=answer, capture_output=True, text=True, env=env, timeout=120)


def test_edit_shows_errors_reopens_and_commits_exactly_that_file(tour, tmp_path):
    head = git(tour, "rev-parse", "HEAD").strip()
    proc = _edit(tour, tmp_path, "y\n")
    assert proc.returncode == 0, proc.stderr
    assert "status" in proc.stderr and "Edit again?" in proc.stderr  # the first, invalid try was shown
    assert (tmp_path / "count").read_text().strip() == "2"
    case = (tour / "cases/marco-delgado/case.yaml").read_text(encoding="utf-8")
    assert "status: active" in case and "opened: 2026-05-01" in case
    assert git(tour, "rev-parse", "HEAD~1").strip() == head
    assert git(tour, "show", "--name-only", "--format=", "HEAD").split() == ["cases/marco-delgado/case.yaml"]
    message = git(tour, "log", "-1", "--format=%B")
    assert message.startswith("marco-delgado: edit case.yaml") and "Staff: mreyes" in message
    assert not list((tour / ".careerpath" / "edit").iterdir())  # the private copy is gone


def test_edit_answered_no_writes_nothing(tour, tmp_path):
    before = (tour / "cases/marco-delgado/case.yaml").read_bytes()
    head = git(tour, "rev-parse", "HEAD")
    proc = _edit(tour, tmp_path, "n\n")
    assert proc.returncode == 1 and "nothing was written" in proc.stderr
    assert (tour / "cases/marco-delgado/case.yaml").read_bytes() == before
    assert git(tour, "rev-parse", "HEAD") == head and git(tour, "status", "--porcelain") == ""
    # no answer at all (stdin closed) is no, too
    (tmp_path / "count").unlink()
    assert _edit(tour, tmp_path, "").returncode == 1
    assert (tour / "cases/marco-delgado/case.yaml").read_bytes() == before


def test_edit_refuses_a_file_that_is_not_a_case_file(tour, tmp_path):
    proc = _edit(tour, tmp_path, "", "../../careerpath.yaml")
    assert proc.returncode == 1 and "FILE must be" in proc.stderr
    assert not (tmp_path / "count").exists()  # the editor never opened


# ---------------------------------------------------------------- shell completion

def _shell_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("_CAREERPATH", "CAREERPATH_CASELOAD"))}
    env.update(PATH=str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""), PYTHONPATH=str(ROOT),
               HOME=str(tmp_path), CAREERPATH_CACHE_DIR=str(tmp_path / "cache"))
    return env


BASH = """\
eval "$(careerpath --show-completion)"
complete_line() {{ COMP_WORDS=($1); COMP_CWORD=$2; COMPREPLY=(); _careerpath_completion careerpath; echo "${{COMPREPLY[*]}}"; }}
{lines}
"""


@pytest.mark.parametrize("line, cword, expected", [
    ("careerpath sh", 1, {"show"}),
    ("careerpath show ma", 2, {"marco-delgado"}),
    ("careerpath plan s", 2, {"sergey-morozov", "sofia-ramirez"}),
    ("careerpath log linh-tran month", 3, {"monthly-review"}),
    ("careerpath due --staff tn", 3, {"tnguyen"}),
    ("careerpath cases --program ca-dor", 3, {"ca-dor-vr", "ca-dor-se"}),
    ("careerpath render pc", 2, {"pccp"}),
    ("careerpath set marco-delgado plan.goa", 3, {"plan.goals"}),
    ("careerpath set marco-delgado enrollments.ca-dor-vr.eligibility.st", 3, {"enrollments.ca-dor-vr.eligibility.status"}),
    ("careerpath due --wi", 2, {"--within", "--wide"}),
])
def test_bash_completes_commands_options_and_caseload_values(tmp_path, line, cword, expected):
    script = BASH.format(lines=f'complete_line "{line}" {cword}')
    proc = subprocess.run(["bash", "-c", script], cwd=SAMPLE, env=_shell_env(tmp_path), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert set(proc.stdout.split()) == expected, (line, proc.stdout, proc.stderr)


def test_completion_reads_the_caseload_given_on_the_line(tmp_path):
    script = BASH.format(lines=f'complete_line "careerpath show --caseload {SAMPLE} qu" 4')
    proc = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=_shell_env(tmp_path), capture_output=True, text=True,
                          timeout=120)
    assert proc.stdout.split() == ["quang-le"], proc.stderr


def test_zsh_completes_through_its_script(tmp_path):
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed (.ci/run installs it)")
    # zsh's script hands the words to careerpath and evals what comes back (`_arguments ...`); compadd and
    # _arguments only work inside a completion widget, so the test replaces _arguments to print its spec
    script = """\
autoload -U compinit && compinit -u -d "$HOME/.zcompdump"
eval "$(careerpath --show-completion)"
_arguments() { print -r -- "$@"; }
words=(careerpath show ma); CURRENT=3
_careerpath_completion
"""
    proc = subprocess.run(["zsh", "-c", script], cwd=SAMPLE, env=_shell_env(tmp_path), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "marco-delgado" in proc.stdout and "linh-tran" not in proc.stdout, proc.stdout


def test_completion_of_case_ids_lists_a_folder_and_loads_nothing(tmp_path):
    """20,519 cases: the completer lists cases/ and reads no case file (no YAML parser is asked)."""
    from careerpath.cli import completion

    root = tmp_path / "big"
    (root / "cases").mkdir(parents=True)
    (root / "careerpath.yaml").write_text(CONFIG, encoding="utf-8")
    for n in range(20519):
        (root / "cases" / f"case-{n:05d}").mkdir()

    class Ctx:
        params = {"caseload": str(root)}
        parent = None

    found = completion.case_ids(Ctx(), "case-2051")
    assert found == [f"case-{n:05d}" for n in range(20510, 20519)]
    assert completion.staff_ids(Ctx(), "") == ["jsmith", "reva"]


def test_quick_completion_takes_the_commands_whose_first_argument_is_a_case_id():
    """completion.CASE_FIRST is what the click tree says, with attach()'s completers."""
    from careerpath.cli import completion, localize, tree

    command = localize.build_command(tree.app)
    completion.attach(command)
    found = set()
    for name, sub in command.commands.items():
        arguments = [p for p in sub.params if p.param_type_name == "argument"]
        complete = getattr(arguments[0], "_custom_shell_complete", None) if arguments else None
        if complete is not None and complete.__defaults__[0] is completion.case_ids:
            found.add(name)
    assert found == completion.CASE_FIRST


def _odd_caseload(tmp_path: Path) -> Path:
    """A caseload whose case folders hold what zsh's format escapes (a clone may name a folder anything)."""
    root = tmp_path / "odd"
    (root / "cases").mkdir(parents=True)
    (root / "careerpath.yaml").write_text(CONFIG, encoding="utf-8")
    for name in ("ma-one", "ma:two", "ma$three", "ma'four", 'ma"five', "ma`six", "zz-seven"):
        (root / "cases" / name).mkdir()
    (root / "cases" / "ma-file").write_text("not a folder", encoding="utf-8")
    return root


QUICK = [  # (shell, the words, bash's COMP_CWORD or zsh's and fish's trailing space, fish's action, taken quickly)
    ("bash", "careerpath show ma", 2, "", True),
    ("bash", "careerpath show", 2, "", True),
    ("bash", "careerpath --caseload {odd} show ma", 4, "", True),
    ("bash", "careerpath -C {odd} log ma", 4, "", True),
    ("bash", "careerpath --caseload={odd} amend zz", 3, "", True),
    ("bash", "careerpath show nobody", 2, "", True),
    ("bash", "careerpath --caseload /nonexistent show ma", 4, "", True),
    ("bash", "careerpath show ma c000008 --x", 2, "", True),
    ("bash", "careerpath show 'ma", 2, "", True),
    ("bash", "careerpath show --", 2, "", False),
    ("bash", "careerpath render pc", 2, "", False),
    ("bash", "careerpath --lang ru show ma", 4, "", False),
    ("bash", "careerpath show ma ", 3, "", False),
    ("zsh", "careerpath show ma", False, "", True),
    ("zsh", "careerpath --caseload {odd} show ma", False, "", True),
    ("zsh", "careerpath --caseload {odd} plan ", True, "", True),
    ("zsh", "careerpath plan nobody", False, "", True),
    ("zsh", "careerpath show ma ", True, "", False),
    ("fish", "careerpath --caseload {odd} show ma", False, "get-args", True),
    ("fish", "careerpath show nobody", False, "get-args", True),
    ("fish", "careerpath show ma", False, "is-args", True),
    ("fish", "careerpath show nobody", False, "is-args", True),
    ("fish", "careerpath show ma", False, "", True),
]


@pytest.mark.parametrize("shell, words, where, action, taken", QUICK)
def test_quick_completion_answers_as_typer_does(tmp_path, shell, words, where, action, taken):
    """The start-up path's completion (no typer) prints and exits as typer's own completion does."""
    from careerpath.cli import completion

    line = words.format(odd=_odd_caseload(tmp_path))
    env = {**_shell_env(tmp_path), "_CAREERPATH_COMPLETE": f"complete_{shell}", "_TYPER_COMPLETE_FISH_ACTION": action}
    if shell == "bash":
        env.update(COMP_WORDS=line, COMP_CWORD=str(where))
    else:
        env["_TYPER_COMPLETE_ARGS"] = line + (" " if where else "")
    assert (completion.quick([], env) is not None) == taken
    run = [[sys.executable, "-m", "careerpath"],
           [sys.executable, "-c", "import sys; from careerpath.cli import main; sys.exit(main())"]]  # typer's
    quick, typer = (subprocess.run(cmd, cwd=SAMPLE, env=env, capture_output=True, text=True, timeout=120)
                    for cmd in run)
    assert (quick.stdout, quick.returncode) == (typer.stdout, typer.returncode), (quick.stderr, typer.stderr)
    assert not quick.stderr


def test_completion_never_offers_a_name_the_terminal_would_obey_or_cannot_show(tmp_path):
    """A clone's case folder named with an escape sequence, a direction override or an undecodable byte is not
    offered: the shell would print it to the terminal as it is (and a strict stream could not encode it)."""
    root = _odd_caseload(tmp_path)
    for name in ("ma\x1b[2J", "ma\u202eevil"):
        (root / "cases" / name).mkdir()
    os.mkdir(os.fsencode(root / "cases") + b"/ma\xff")
    words = f"careerpath --caseload {root} show ma"
    for encoding in ("utf-8", "utf-8:strict"):
        env = {**_shell_env(tmp_path), "_CAREERPATH_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": "4",
               "PYTHONIOENCODING": encoding}
        for cmd in ([sys.executable, "-m", "careerpath"],
                    [sys.executable, "-c", "import sys; from careerpath.cli import main; sys.exit(main())"]):
            proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, timeout=120)
            assert proc.returncode == 0 and not proc.stderr, proc.stderr
            assert proc.stdout.split(b"\n")[:-1] == [b'ma"five', b"ma$three", b"ma'four", b"ma-one", b"ma:two",
                                                      b"ma`six"]


def test_quick_completion_imports_no_typer(tmp_path):
    env = {**_shell_env(tmp_path), "_CAREERPATH_COMPLETE": "complete_bash", "COMP_WORDS": "careerpath show ma",
           "COMP_CWORD": "2"}
    code = ("import sys\nfrom careerpath import start\nsys.stdout.write(str(start.main()))\n"
            "print(sorted(m for m in ('typer', 'pydantic', 'click') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=SAMPLE, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.stdout.split("\n")[:2] == ["marco-delgado", "0[]"], proc.stderr

"""A navigator's day (issue 18): `new` with staff, a starter plan and a commit; `init`'s first commit;
`init --sample` and the README's tour run on a copy, never touching the checkout."""

from __future__ import annotations

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

"""Issue 21, points 8-11: a cloned caseload's links, a shallow history, a read-only caseload, and the smaller items.

- ``templates/`` and ``.careerpath`` linked outside the caseload are refused
  like linked case files: a ``symlink-outside`` diagnostic, never followed
  (``programs/`` was already: careerpath/programs/registry.py).
- ``history`` and ``audit`` in a shallow clone say the history is cut and
  since which commit.
- ``report`` on a read-only caseload with ``--out`` elsewhere works; with
  ``--commit`` it says why it cannot (exit 1); ``--today 0001-01-01`` is a
  usage error.
- The root options are accepted after every command name; explicit core tags
  are refused with a position; the duplicate-key hint says which one is kept.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import TODAY, copy_samples, run_process
from test_safe_outputs import snapshot

DAY = TODAY.isoformat()
HAS_GIT = shutil.which("git") is not None


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def samples(tmp_path):
    return copy_samples(tmp_path / "caseload")


# ---------------------------------------------------------------- links to outside

def test_a_templates_folder_linking_outside_is_not_followed(samples, tmp_path, cli):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    # a template that would show a private file's text if the folder were followed
    (outside / "pccp.md.j2").write_text("LEAKED {{ 7 * 6 }}\n")
    (samples / "templates").symlink_to(outside, target_is_directory=True)
    before = snapshot(outside)
    r = cli("render", "pccp", "sofia-ramirez", "-C", samples, "--today", DAY)
    assert r.code == 1, r.err
    assert "`templates` is a link pointing outside the caseload" in r.err and "LEAKED" not in r.out + r.err
    v = cli("validate", "-C", samples, "--today", DAY, "--format", "json")
    found = [d for d in json.loads(v.out) if d["file"] == "templates"]
    assert [d["code"] for d in found] == ["symlink-outside"] and v.code == 1
    q = cli("report", "quarterly", "--period", "2026-Q3", "-C", samples, "--today", DAY, "--out", tmp_path / "out")
    assert q.code == 1 and "LEAKED" not in "".join(p.read_text() for p in (tmp_path / "out").rglob("*.md"))
    assert snapshot(outside) == before
    # reports that read the templates before any page (registries and portraits build their cells with them;
    # feedback writes its journal CSV, then its registries): a diagnostic, no registry written
    for kind in ("registry", "portrait", "feedback"):
        r = cli("report", kind, "-C", samples, "--today", DAY, "--out", tmp_path / kind)
        assert r.code == 1 and "internal error" not in r.err, (kind, r.err)
        assert "`templates` is a link pointing outside the caseload" in r.err, (kind, r.err)
        assert not list((tmp_path / kind).glob("registry-*")) and not list((tmp_path / kind).glob("portrait-*")), kind
    assert snapshot(outside) == before


def test_a_templates_folder_linking_inside_is_followed(samples, cli):
    (samples / "agency-templates").mkdir()
    (samples / "agency-templates" / "pccp.md.j2").write_text("Agency plan for {{ person.name }}\n")
    (samples / "templates").symlink_to(samples / "agency-templates", target_is_directory=True)
    r = cli("render", "pccp", "sofia-ramirez", "-C", samples, "--today", DAY)
    assert r.code == 0, r.err
    assert r.out.startswith("Agency plan for")


def test_a_dotcareerpath_linking_outside_is_not_written_through(samples, tmp_path, cli, monkeypatch):
    """The cache (personal values) and the locks never go through the link: the cache moves to the user's folder."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (samples / ".careerpath").symlink_to(outside, target_is_directory=True)
    monkeypatch.delenv("CAREERPATH_CACHE_DIR")            # the tests' own cache folder would hide the default place
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    r = cli("due", "-C", samples, "--today", DAY, "--format", "json")
    assert r.code == 0, r.err
    assert json.loads(r.out)
    assert list(outside.iterdir()) == []                  # nothing written through the link
    assert any((tmp_path / "xdg" / "careerpath").iterdir())  # the cache went to the user's cache folder
    v = cli("validate", "-C", samples, "--today", DAY, "--format", "json")
    assert [d["code"] for d in json.loads(v.out) if d["file"] == ".careerpath"] == ["symlink-outside"]
    d = cli("doctor", "-C", samples, "--format", "json")
    assert {f["check"]: f["status"] for f in json.loads(d.out)}["cache"] == "fail"
    rep = cli("report", "dashboard", "-C", samples, "--today", DAY, "--out", tmp_path / "out")
    assert rep.code == 0 and "`.careerpath` is a symbolic link" in rep.err     # no lock through it; said once
    assert list(outside.iterdir()) == []


@pytest.mark.skipif(not HAS_GIT, reason="recordings commit with git")
def test_a_recording_refuses_a_linked_dotcareerpath(samples, tmp_path, cli):
    git(samples, "init", "-q")
    git(samples, "add", "-A")
    git(samples, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "start")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (samples / ".careerpath").symlink_to(outside, target_is_directory=True)
    before = snapshot(samples / "cases")
    r = cli("log", "sofia-ramirez", "contact", "--by", "mreyes", "-C", samples, "--today", DAY)
    assert r.code == 1 and "`.careerpath` is a symbolic link" in r.err and "nothing was written" in r.err
    assert snapshot(samples / "cases") == before and list(outside.iterdir()) == []


# ---------------------------------------------------------------- shallow clones

@pytest.fixture
def shallow(tmp_path):
    if not HAS_GIT:
        pytest.skip("git is not installed")
    origin = copy_samples(tmp_path / "origin")
    git(origin, "init", "-q")
    git(origin, "config", "user.name", "Jordan Smith")
    git(origin, "config", "user.email", "jordan@example.org")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "start", "--date", "2026-09-01T10:00:00")
    case = origin / "cases/linh-tran/case.yaml"
    case.write_text(case.read_text().replace("status: active", "status: active  # reviewed"))
    git(origin, "commit", "-qam", "reviewed", "--date", "2026-10-01T10:00:00")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    graft = git(clone, "rev-parse", "HEAD").strip()
    return origin, clone, graft


def test_history_and_audit_say_a_shallow_history_is_cut(shallow, cli):
    origin, clone, graft = shallow
    for args in (("history", "linh-tran"), ("history", "linh-tran", "--format", "json"), ("audit",),
                 ("audit", "--format", "json")):
        r = cli(*args, "-C", clone)
        assert "the history is cut" in r.err and graft[:10] in r.err and "2026-10-01" in r.err, (args, r.err)
        assert "git fetch --unshallow" in r.err
    assert json.loads(cli("history", "linh-tran", "--format", "json", "-C", clone).out)[0]["commit"] == graft
    # a whole history says nothing of the kind
    for args in (("history", "linh-tran"), ("audit",)):
        assert "cut" not in cli(*args, "-C", origin).err


# ---------------------------------------------------------------- read-only caseloads, odd dates

def _bind_read_only(folder: Path) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True)
    return done.returncode == 0


@pytest.fixture
def read_only(samples, monkeypatch, tmp_path):
    """The sample caseload on a read-only bind mount (as root), else skip."""
    monkeypatch.delenv("CAREERPATH_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if not _bind_read_only(samples):
        pytest.skip("a read-only bind mount needs root and mount(8) (CI runs as root)")
    try:
        yield samples
    finally:
        subprocess.run(["umount", str(samples)], check=True)


def test_a_report_from_a_read_only_caseload_into_another_folder_works(read_only, tmp_path):
    out = tmp_path / "out"
    r = run_process("report", "dashboard", "-C", read_only, "--today", DAY, "--out", out,
                    env={"CAREERPATH_CACHE_DIR": "", "XDG_CACHE_HOME": str(tmp_path / "xdg")})
    assert r.code == 0, r.err
    assert (out / "dashboard.html").is_file()
    assert "cannot hold the report lock" in r.err and "Read-only file system" in r.err


def test_a_report_from_a_read_only_caseload_says_what_it_cannot_do(read_only, tmp_path):
    env = {"CAREERPATH_CACHE_DIR": "", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    r = run_process("report", "dashboard", "-C", read_only, "--today", DAY, "--out", tmp_path / "out", "--commit", env=env)
    assert r.code == 1 and "--commit needs to write in the caseload" in r.err and "Traceback" not in r.err
    assert not (tmp_path / "out").exists()
    r = run_process("report", "dashboard", "-C", read_only, "--today", DAY, env=env)  # into <caseload>/reports
    assert r.code == 1 and "Read-only file system" in r.err and "internal error" not in r.err


def test_a_read_only_caseload_without_mount(samples, tmp_path, cli, monkeypatch):
    """Where no bind mount can be made: the lock cannot be taken (EROFS injected), the report still comes out."""
    from careerpath import fsio

    real = fsio.make_dirs

    def read_only(path):
        if Path(path).resolve().is_relative_to(samples.resolve()):
            raise fsio.WriteError(f"cannot create the folder {path}: Read-only file system")
        return real(path)

    monkeypatch.setattr(fsio, "make_dirs", read_only)
    r = cli("report", "dashboard", "-C", samples, "--today", DAY, "--out", tmp_path / "out")
    assert r.code == 0 and (tmp_path / "out" / "dashboard.html").is_file(), r.err
    r = cli("report", "dashboard", "-C", samples, "--today", DAY, "--out", tmp_path / "out2", "--commit")
    assert r.code == 1 and "--commit needs to write in the caseload" in r.err


@pytest.mark.parametrize("args", [
    ("report", "quarterly", "--today", "0001-01-01"),
    ("report", "quarterly", "--period", "0001-Q1"),
    ("report", "dashboard", "--period", "9999"),
    ("due", "--today", "9999-12-31"),
    ("render", "quarterly-report", "sofia-ramirez", "--period", "0000-Q4"),
])
def test_dates_outside_the_calendar_are_usage_errors(samples, cli, tmp_path, args):
    before = snapshot(samples)
    r = cli(*args, "-C", samples, "--out" if args[0] != "due" else "--format", tmp_path / "out" if args[0] != "due" else "json")
    assert r.code == 2, r.err
    assert ("from 1900" in r.err) and "internal error" not in r.err
    assert not (tmp_path / "out").exists() and snapshot(samples) == before


# ---------------------------------------------------------------- options after every command

def _all_commands() -> list[tuple[str, ...]]:
    from careerpath.cli import app
    from careerpath.cli.localize import _walk, build_command

    root = build_command(app)
    out = []
    for cmd in root.commands.values():
        out.append((cmd.name,))
        for sub in getattr(cmd, "commands", {}).values():
            out.append((cmd.name, sub.name))
    return out


@pytest.mark.parametrize("command", _all_commands(), ids=" ".join)
def test_every_command_takes_the_root_options_after_its_name(command, cli, samples):
    r = cli(*command, "--today", DAY, "--caseload", samples, "--lang", "en", "--debug", "--no-cache", "--help")
    assert r.code == 0, r.err
    assert "No such option" not in r.err


@pytest.mark.parametrize("args,expect", [
    (("history", "sofia-ramirez", "--today", DAY), 1),       # not a repository: a clear message, not a usage error
    (("audit", "--today", DAY), 1),
    (("doctor", "--today", DAY, "--debug", "--format", "json"), None),
    (("programs", "--today", DAY, "--debug"), 0),
    (("rules", "--today", DAY, "--caseload", None), 0),
    (("schema", "--today", DAY, "--kind", "case", "--debug"), 0),
    (("i18n", "status", "--today", DAY, "--caseload", None, "--debug"), None),
])
def test_commands_that_ignored_an_option_accept_it(args, expect, cli, samples):
    args = tuple(samples if a is None else a for a in args)
    if "--caseload" not in args and args[0] not in ("schema", "i18n"):
        args += ("--caseload", samples)
    r = cli(*args)
    assert "No such option" not in r.err and "internal error" not in r.err, r.err
    if expect is not None:
        assert r.code == expect, r.err


def test_an_option_after_the_command_wins_and_sets_what_the_command_reads(cli, samples, tmp_path, monkeypatch):
    """`programs` declares no --caseload: given after the name, it is the caseload whose programs are listed."""
    (samples / "programs").mkdir()
    shutil.copytree(Path(__file__).resolve().parents[1] / "careerpath/programs/ca-dds-ccp", samples / "programs/x-copy",
                    ignore=shutil.ignore_patterns("checks.py", "__pycache__"))
    other = tmp_path / "empty"
    other.mkdir()
    monkeypatch.chdir(other)
    r = cli("programs", "--caseload", samples)
    assert r.code == 0 and "ca-dds-ccp" in r.out
    # the root value, and the environment, lose to the value after the command
    monkeypatch.setenv("CAREERPATH_TODAY", "2026-01-01")
    a = cli("--today", "2026-02-01", "due", "-C", samples, "--format", "json", "--no-cache")
    b = cli("due", "-C", samples, "--format", "json", "--today", "2026-02-01")
    assert a.code == b.code == 0 and a.out == b.out


def test_init_takes_the_folder_from_caseload(cli, tmp_path):
    target = tmp_path / "new-caseload"
    r = cli("init", "--caseload", target, "--agency", "Test")
    assert r.code == 0, r.err
    assert (target / "careerpath.yaml").is_file()


# ---------------------------------------------------------------- YAML: explicit tags, duplicate keys

@pytest.mark.parametrize("text,column", [
    ("id: x\nperson: {name: !!str A, language: en}\n", 16),
    ("id: x\nopened: !!int hello\nperson: {name: A, language: en}\n", 9),
    ("id: x\nperson: ! {name: A, language: en}\n", 9),
    ("id: !!str x\nperson: {name: A, language: en}\n", 5),
    ("!!map\nid: x\nperson: {name: A, language: en}\n", 1),
])
def test_explicit_core_tags_are_refused_with_a_position(caseload, cli, text, column):
    root = caseload({"cases/x/case.yaml": text})
    r = cli("validate", "-C", root, "--format", "json")
    found = [d for d in json.loads(r.out) if d["file"] == "cases/x/case.yaml"]
    assert [d["code"] for d in found] == ["yaml-tag"], found
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "!" in ln)
    assert (found[0]["line"], found[0]["column"]) == (line, column)
    assert r.code == 1


def test_an_exclamation_mark_in_text_is_not_a_tag(caseload, cli):
    root = caseload({"cases/x/case.yaml": "id: x\nopened: 2026-01-02\nperson: {name: Wow!, language: en}\n",
                     "cases/x/events/2026-01-03-contact.yaml": "date: 2026-01-03\ntype: contact\nby: jsmith\n"
                                                               "summary: Great job! Said \"yes !\" twice\n"})
    r = cli("validate", "-C", root, "--format", "json", "--today", DAY)
    assert not [d for d in json.loads(r.out) if d["code"] == "yaml-tag"]


def test_the_duplicate_key_hint_says_what_careerpath_keeps(caseload, cli):
    root = caseload({"cases/x/case.yaml": "id: x\nopened: 2026-01-02\nopened: 2026-05-05\nperson: {name: A, language: en}\n"})
    r = cli("validate", "-C", root, "--format", "json")
    [d] = [d for d in json.loads(r.out) if d["code"] == "yaml-duplicate-key"]
    assert "careerpath reads the first" in d["hint"]
    from careerpath.yamlfile import read_file

    assert read_file(root / "cases/x/case.yaml", "case.yaml").data["opened"] == "2026-01-02"   # what it says
    docs = (Path(__file__).resolve().parents[1] / "docs" / "security.md").read_text()
    assert "reported, the first one kept" in docs


# ---------------------------------------------------------------- the cache reads careerpath.yaml safely too

@pytest.mark.parametrize("kind", ["fifo", "link-to-dev-zero"])
def test_an_endless_careerpath_yaml_does_not_hang_the_cached_load(kind, samples):
    """The load cache keys its results on careerpath.yaml's bytes, read before the loader looks at the file:
    it reads them through fsio.read_regular, so a FIFO (would block) or a link to /dev/zero (never ends) is
    the loader's diagnostic, not a hang or a MemoryError."""
    import resource
    import sys

    from conftest import ROOT

    (samples / "careerpath.yaml").unlink()
    if kind == "fifo":
        os.mkfifo(samples / "careerpath.yaml")
    else:
        (samples / "careerpath.yaml").symlink_to("/dev/zero")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))   # 1 GiB: a MemoryError, not the machine's memory

    try:
        proc = subprocess.run([sys.executable, "-m", "careerpath", "validate", "-C", str(samples)], capture_output=True,
                              text=True, timeout=15, preexec_fn=limit, env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        pytest.fail("validate did not finish in 15 s")
    assert "internal error" not in proc.stderr
    assert proc.returncode == 1
    assert ("symlink-outside" if kind != "fifo" else "file-unreadable") in proc.stdout

"""``careerpath doctor``: environment and caseload-folder checks, on real folders and git repos."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from conftest import run_process

from careerpath.doctor import Finding, check_cache, check_permissions, check_repository, diagnose

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _git(root, *args):
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def _by_check(findings: list[Finding]) -> dict[str, Finding]:
    return {f.check: f for f in findings}


@posix_only
def test_private_caseload_made_by_init_is_clean(cli, tmp_path):
    root = tmp_path / "cl"
    assert cli("init", root).code == 0
    assert cli("new", "a1", "--name", "T", "--language", "en", "--caseload", root).code == 0
    found = _by_check(diagnose(root))
    assert found["permissions"].status == "ok"
    if shutil.which("git"):
        assert found["repository"].status == "ok"
        assert found["gitignore"].status == "ok"
    assert found["cache"].status == "ok"
    assert found["python"].status == "ok"


@posix_only
def test_group_readable_case_files_are_warned_with_a_fix(caseload):
    root = caseload({"cases/a1/case.yaml": "id: a1\nperson: {name: T, language: en}\n"})
    os.chmod(root / "cases/a1/case.yaml", 0o644)
    (f,) = check_permissions(root)
    assert f.status == "warn" and "cases/a1/case.yaml" in f.detail and "chmod -R go-rwx" in f.fix
    os.chmod(root / "cases/a1/case.yaml", 0o600)
    for p in [root, root / "cases", root / "cases/a1", root / "careerpath.yaml"]:
        os.chmod(p, 0o700 if p.is_dir() else 0o600)
    (f,) = check_permissions(root)
    assert f.status == "ok", f


@needs_git
def test_not_a_repository_and_missing_gitignore(caseload):
    root = caseload({"cases/a1/case.yaml": "id: a1\nperson: {name: T, language: en}\n"})
    found = _by_check(check_repository(root))
    if found["repository"].status == "ok":
        pytest.skip("the test folder sits inside another git repository")
    assert found["repository"].status == "warn" and "git init" in found["repository"].fix
    _git(root, "init", "-q")
    found = _by_check(check_repository(root))
    assert found["repository"].status == "ok"
    assert found["gitignore"].status == "warn"
    (root / ".gitignore").write_text(".careerpath/\n")
    assert _by_check(check_repository(root))["gitignore"].status == "ok"


@needs_git
def test_remotes_are_named_never_their_urls(caseload):
    root = caseload({})
    _git(root, "init", "-q")
    _git(root, "remote", "add", "origin", "https://user:s3cr3t-token@git.example.org/agency/caseload.git")
    found = _by_check(check_repository(root))
    assert found["remotes"].status == "warn"
    assert "origin" in found["remotes"].detail
    assert "s3cr3t" not in json.dumps([f.to_dict() for f in check_repository(root)])


def test_cache_that_is_a_file_fails_and_leftover_temp_files_warn(caseload):
    root = caseload({"cases/a1/.case.yaml.abc123.tmp": "half", ".careerpath": "not a folder"})
    found = _by_check(check_cache(root))
    assert found["cache"].status == "fail"
    assert found["leftovers"].status == "warn" and ".case.yaml.abc123.tmp" in found["leftovers"].detail
    (root / ".careerpath").unlink()
    (root / ".careerpath").mkdir()
    (root / ".careerpath" / "index.json").write_text("{}")
    assert _by_check(check_cache(root))["cache"].status == "ok"


def test_doctor_cli_exit_codes_and_json(caseload, cli):
    root = caseload({".careerpath": "not a folder"})
    result = cli("doctor", "--caseload", root, "--format", "json")
    assert result.code == 1
    findings = json.loads(result.out)
    assert {"check", "status", "detail", "fix"} <= set(findings[0])
    assert any(f["check"] == "cache" and f["status"] == "fail" for f in findings)
    (root / ".careerpath").unlink()
    result = cli("doctor", "--caseload", root)
    assert result.code == 0, result.out
    assert "python" in result.out and "failed" in result.err


def test_doctor_without_a_caseload_checks_the_environment(tmp_path):
    result = run_process("doctor", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "no caseload found" in result.out and "Traceback" not in result.err


def test_doctor_shows_no_personal_value(caseload, cli):
    root = caseload({"cases/a1/case.yaml": "id: a1\nperson: {name: Zebulon Quackenbush, language: hmn, phone: '+1 669 555 0187'}\n"})
    result = cli("doctor", "--caseload", root)
    assert "Quackenbush" not in result.out + result.err and "555" not in result.out + result.err
    assert "hmn" in result.out  # the language is named: Hmong has no CLDR data


def test_doctor_with_a_missing_caseload_is_a_usage_error(cli, tmp_path):
    result = cli("doctor", "--caseload", tmp_path / "nope")
    assert result.code == 2


def test_yaml_reader_is_checked(monkeypatch):
    import yaml

    from careerpath.doctor import check_yaml

    assert [f.status for f in check_yaml()] == ["ok" if yaml.__with_libyaml__ else "warn"]
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    (f,) = check_yaml()
    assert f.status == "warn" and "without libyaml" in f.detail


COMMANDS = ("chmod ", "git ", "cd ", "echo ", "pip ", "careerpath ")  # a fix that is a command line stays as written


@pytest.mark.parametrize("lang", ["es", "vi", "hy", "hmn", "ru"])
def test_every_finding_is_said_in_the_users_language(caseload, lang):
    """A finding's words are Messages that every catalogue translates; only versions and command lines stay as
    written; each check's name has display words (JSON keeps the id)."""
    import yaml

    from careerpath import doctor
    from careerpath.i18n import Message
    from careerpath.i18n.translate import DISPLAY_VALUES, translated

    root = caseload({"cases/a1/case.yaml": "id: a1\nperson: {name: T, language: hmn}\n",
                     "cases/a1/.case.yaml.abc123.tmp": "half"})
    os.chmod(root / "cases/a1/case.yaml", 0o644)
    findings = [*diagnose(root), *diagnose(None), *doctor.check_locales(["hmn", "xx", "en"])]
    (root / ".careerpath").mkdir(exist_ok=True)
    findings += doctor.check_cache(root)
    shutil.rmtree(root / ".careerpath")
    (root / ".careerpath").write_text("not a folder")
    findings += doctor.check_cache(root)
    saved = yaml.__with_libyaml__
    try:
        yaml.__with_libyaml__ = not saved
        findings += doctor.check_yaml()
    finally:
        yaml.__with_libyaml__ = saved
    assert {f.status for f in findings} >= {"ok", "warn", "fail"}
    for f in findings:
        assert f.check in DISPLAY_VALUES["doctor-check"], f.check
        if f.check in ("python", "git") and f.status == "ok":
            assert not isinstance(f.detail, Message)  # "Python 3.11.7", what `git --version` says
            continue
        assert isinstance(f.detail, Message) and translated(f.detail, lang), (lang, f)
        assert (isinstance(f.fix, Message) and translated(f.fix, lang)) or not f.fix or f.fix.startswith(COMMANDS), f


def test_doctor_speaks_russian_and_its_json_stays_english(caseload, cli):
    root = caseload({"cases/a1/case.yaml": "id: a1\nperson: {name: T, language: ru}\n", ".careerpath": "x"})
    shown = cli("--lang", "ru", "doctor", "--caseload", root)
    assert shown.code == 1
    cache = next(line for line in shown.out.splitlines() if " кэш " in f" {line} ")
    assert "не обычная папка" in cache and "not a plain folder" not in shown.out
    assert "исправьте" not in cache and "удалите" in shown.out  # the fix, in Russian
    data = json.loads(cli("--lang", "ru", "doctor", "--caseload", root, "--format", "json").out)
    assert any(f["check"] == "cache" and f["detail"] == ".careerpath is not a plain folder" for f in data)

"""`careerpath init`, `new` and `schema`: make valid things, never overwrite."""

from __future__ import annotations

import json
import shutil
import stat

import pytest

from careerpath import schema, validate
from careerpath.models import FILE_MODELS
from conftest import TODAY


def test_init_then_new_gives_a_clean_caseload(cli, tmp_path):
    root = tmp_path / "cl"
    assert cli("init", root, "--agency", "Invented Agency").code == 0
    assert (root / "careerpath.yaml").read_text().startswith("# yaml-language-server: $schema=schemas/careerpath.schema.json")
    assert ".careerpath/" in (root / ".gitignore").read_text()
    r = cli("new", "an-nguyen", "--name", "Nguyễn Văn An", "--language", "vi", "-p", "ca-dds-ccp",
            "--ccp-basis", "exiting-secondary-education", "--school-exit", "2027-06-10", "-p", "ca-dor-vr",
            "--applied", "2026-11-01", "--caseload", root, "--today", TODAY)
    assert r.code == 0, r.err
    case = root / "cases/an-nguyen/case.yaml"
    assert case.read_text().startswith("# yaml-language-server: $schema=../../schemas/case.schema.json")
    assert (root / "schemas/case.schema.json").is_file()  # the modeline points at a real file
    assert validate(root, TODAY) == []
    assert stat.S_IMODE(case.stat().st_mode) == 0o600
    assert stat.S_IMODE((root / "cases/an-nguyen").stat().st_mode) == 0o700


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_init_makes_a_git_repo_with_a_validating_hook(cli, tmp_path):
    root = tmp_path / "cl"
    cli("init", root)
    hook = root / ".git/hooks/pre-commit"
    assert hook.is_file() and "careerpath validate" in hook.read_text()
    assert hook.stat().st_mode & stat.S_IXUSR


def test_init_and_new_refuse_to_overwrite(cli, tmp_path):
    root = tmp_path / "cl"
    cli("init", root)
    before = (root / "careerpath.yaml").read_bytes()
    r = cli("init", root, "--agency", "Other")
    assert r.code == 1 and "already exists" in r.err
    assert (root / "careerpath.yaml").read_bytes() == before
    args = ("new", "a", "--name", "Invented", "--language", "en", "--caseload", root, "--today", TODAY)
    assert cli(*args).code == 0
    first = (root / "cases/a/case.yaml").read_bytes()
    assert cli(*args[:3], "Other Name", *args[4:]).code == 1
    assert (root / "cases/a/case.yaml").read_bytes() == first


def test_new_refuses_bad_ids_and_missing_program_data_without_writing(cli, tmp_path):
    root = tmp_path / "cl"
    cli("init", root)
    for bad in ("../escape", "Upper", "a/b", "-lead"):
        r = cli("new", bad, "--name", "Invented", "--language", "en", "--caseload", root)
        assert r.code == 2, bad
    r = cli("new", "b", "--name", "Invented", "--language", "en", "-p", "ca-dor-se", "--caseload", root)
    assert r.code == 1 and "--extended-services-source" in r.err
    r = cli("new", "c", "--name", "Invented", "--language", "not a tag", "--caseload", root)
    assert r.code == 1 and "person.language" in r.err and "Invented" not in r.err
    assert not (root / "cases/b").exists() and not (root / "cases/c").exists() and not (tmp_path / "escape").exists()


def test_shipped_schemas_equal_what_the_models_generate():
    for kind in FILE_MODELS:
        shipped = json.loads((schema.SCHEMA_DIR / schema.file_name(kind)).read_text())
        assert shipped == schema.generate(kind), f"run `careerpath schema --out careerpath/schemas` ({kind})"


def test_schemas_are_draft07_and_close_objects(cli, tmp_path):
    r = cli("schema", "--out", tmp_path)
    assert r.code == 0
    case = json.loads((tmp_path / "case.schema.json").read_text())
    assert case["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in json.dumps(case)
    assert case["additionalProperties"] is False
    assert "birth_date" in case["definitions"]["Person"]["properties"]
    r = cli("schema", "--kind", "event")
    assert json.loads(r.out)["title"].startswith("careerpath event")

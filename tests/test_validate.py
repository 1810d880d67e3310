"""`careerpath validate`: fixtures with golden diagnostics, planted errors, encodings, exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from careerpath import load, validate
from careerpath.diagnostics import CODES
from conftest import ROOT, TODAY, run_process

FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN_FIXTURES = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.txt").exists() or os.environ.get("UPDATE_GOLDEN"))


def located(diags) -> list[str]:
    """Diagnostics as `file:line:column: severity code` — location and type, never wording."""
    return [f"{d.file}:{d.line}:{d.column}: {d.severity} {d.code}" for d in diags]


@pytest.mark.parametrize("name", GOLDEN_FIXTURES)
def test_fixture_gives_its_expected_diagnostics(name):
    folder = FIXTURES / name
    got = located(validate(folder, TODAY))
    expected_file = folder / "expected.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_file.write_text("\n".join(got) + "\n", encoding="utf-8")
    assert got == expected_file.read_text(encoding="utf-8").splitlines()


def test_fixtures_cover_every_diagnostic_code_worth_a_file():
    seen = {line.split()[-1] for name in GOLDEN_FIXTURES for line in (FIXTURES / name / "expected.txt").read_text().splitlines()}
    generated_in_tests = {"file-unreadable", "file-too-large", "not-utf8", "yaml-bom", "yaml-too-complex",
                          "symlink-outside", "missing-caseload-file",
                          "program-invalid", "program-code-ignored",  # made in tests/test_programs.py
                          "evidence-missing", "evidence-hash-mismatch", "evidence-outside-documents",
                          "evidence-not-key-date",  # made in tests/test_audit_trail.py (scans, links)
                          "file-name-unsafe"}  # a line break in a file name: made in tests/test_untrusted_data.py
    assert set(CODES) - seen - generated_in_tests == set()


def test_fifty_planted_errors_in_ten_files_are_all_reported_in_one_run(cli):
    folder = FIXTURES / "planted-50"
    diags = validate(folder, TODAY)
    errors = [d for d in diags if d.severity == "error"]
    assert len(errors) == 50
    assert len({d.file for d in errors}) == 10
    # every planted error sits on a line marked with its number
    for d in errors:
        text = (folder / d.file).read_text().splitlines()[d.line - 1]
        assert "#" in text, (d.file, d.line)
    r = cli("validate", "--caseload", folder, "--today", TODAY)
    assert r.code == 1
    assert r.out.strip().splitlines()[-1].startswith("50 errors, 0 warnings")


def test_every_sample_file_line_is_reported_with_its_real_line(tmp_path):
    # a CRLF file and a CR-only file give the same positions as the LF original
    text = "id: crlf\nperson:\n  name: Invented\n  language: en\n  phone: +14085550100\n"
    base = tmp_path / "c"
    for ending, name in (("\n", "lf"), ("\r\n", "crlf"), ("\r", "cr")):
        root = base / name
        (root / "cases" / "crlf").mkdir(parents=True)
        (root / "careerpath.yaml").write_text("agency: X\n")
        (root / "cases" / "crlf" / "case.yaml").write_bytes(text.replace("\n", ending).encode())
        assert located(validate(root, TODAY)) == ["cases/crlf/case.yaml:5:10: error wrong-type"]


@pytest.mark.parametrize("raw, code, line", [
    (b"\xef\xbb\xbfid: enc\nperson: {name: Invented, language: en}\n", "yaml-bom", 1),
    (b"id: enc\nperson:\n  name: Inv\xe9nted\n  language: en\n", "not-utf8", 3),
    (b"id: enc\nperson: !!python/object:os.system {}\n", "yaml-tag", 2),
    (b"id: enc\nperson: {name: \"a\x07b\", language: en}\n", "yaml-syntax", 2),
    (b"\x00\x01\x02binary\xff\xfe", "not-utf8", 1),
])
def test_encodings_and_hostile_bytes_give_diagnostics_not_tracebacks(caseload, raw, code, line):
    root = caseload({"cases/enc/case.yaml": raw})
    diags = validate(root, TODAY)
    assert (code, line) in [(d.code, d.line) for d in diags]
    r = run_process("validate", "--caseload", root, "--today", TODAY)
    assert "Traceback" not in r.err
    assert r.code == (0 if code == "yaml-bom" else 1)


def test_json_output_is_the_library_result(cli):
    folder = FIXTURES / "schema-errors"
    r = cli("validate", "--caseload", folder, "--today", TODAY, "--format", "json")
    assert r.code == 1
    assert json.loads(r.out) == [d.to_dict() for d in validate(folder, TODAY)]


def test_validate_writes_nothing(cli, tmp_path, monkeypatch):
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(FIXTURES / "domain-errors", root)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in root.rglob("*") if p.is_file()}
    cli("validate", "--no-cache", "--caseload", root, "--today", TODAY)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in root.rglob("*") if p.is_file()}
    assert before == after
    # with the load cache (the default) only the cache under .careerpath/ (git-ignored) is written
    monkeypatch.delenv("CAREERPATH_CACHE_DIR")
    cli("validate", "--caseload", root, "--today", TODAY)
    assert (root / ".careerpath" / "cache" / "index.pickle").is_file()
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in root.rglob("*")
             if p.is_file() and ".careerpath" not in p.relative_to(root).parts}
    assert before == after


def test_exit_codes_clean_warning_strict(caseload, cli):
    root = caseload({"cases/a/case.yaml": "id: a\nperson: {name: Invented, language: en, nickname: A}\n"})
    assert cli("validate", "--caseload", root, "--today", TODAY).code == 0  # a warning only
    assert cli("validate", "--caseload", root, "--today", TODAY, "--strict").code == 1
    (root / "cases/a/case.yaml").write_text("id: a\nperson: {name: Invented, language: en}\n")
    r = cli("validate", "--caseload", root, "--today", TODAY)
    assert (r.code, r.out.strip()) == (0, "clean in 1 case (2 files)")


def test_quiet_prints_only_errors(cli):
    r = cli("validate", "--caseload", FIXTURES / "domain-errors", "--today", TODAY, "--quiet")
    lines = [l for l in r.out.splitlines() if not l.startswith("    hint")]
    assert lines and all(": error " in l for l in lines)


def test_options_before_and_after_the_command_and_discovery(cli, monkeypatch):
    folder = FIXTURES / "planted-50"
    a = cli("--caseload", folder, "--today", TODAY, "validate")
    b = cli("validate", "--caseload", folder, "--today", TODAY)
    assert a.code == b.code == 1 and a.out == b.out
    monkeypatch.chdir(folder / "cases" / "case-1" / "events")
    c = cli("validate", "--today", TODAY)
    assert c.code == 1 and c.out.splitlines()[-1] == b.out.splitlines()[-1]
    # paths are written relative to where the command runs, so editors can open them
    assert c.out.startswith("../../../")


def test_usage_errors_exit_2(cli, tmp_path, monkeypatch):
    assert cli("validate", "--caseload", tmp_path / "nowhere").code == 2
    assert cli("validate", "--caseload", FIXTURES / "planted-50", "--today", "2026-02-30").code == 2
    assert cli("validate", "--caseload", FIXTURES / "planted-50", "--format", "xml").code == 2
    monkeypatch.chdir(tmp_path)
    r = cli("validate")
    assert r.code == 2 and "careerpath init" in r.err


def test_missing_config_and_symlink_outside(caseload, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("date: 2026-01-01\ntype: note\n")
    root = caseload({"cases/a/case.yaml": "id: a\nperson: {name: Invented, language: en}\n"}, config=None)
    (root / "cases/a/events").mkdir()
    (root / "cases/a/events/2026-01-01-x.yaml").symlink_to(outside)
    codes = {(d.file, d.code) for d in validate(root, TODAY)}
    assert ("careerpath.yaml", "missing-caseload-file") in codes
    assert ("cases/a/events/2026-01-01-x.yaml", "symlink-outside") in codes


def test_big_file_and_alias_bomb_are_refused(caseload):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    root = caseload({"cases/a/case.yaml": bomb, "cases/a/plan.yaml": "strengths: [" + "x, " * 400_000 + "x]\n"})
    codes = {(d.file, d.code) for d in validate(root, TODAY)}
    assert ("cases/a/case.yaml", "yaml-too-complex") in codes
    assert ("cases/a/plan.yaml", "file-too-large") in codes


def test_docs_list_every_code():
    from careerpath.diagnostics import codes_markdown

    assert (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8") == codes_markdown(), \
        "regenerate: python -m careerpath.diagnostics > docs/diagnostics.md"


@pytest.mark.parametrize("text, code, line", [
    ("~\n", "empty-file", 1), ("null\n", "empty-file", 1), ("---\n", "empty-file", 1), ("", "empty-file", 1),
    ("# only a comment\n", "empty-file", 1), ("Bay Navigation\n", "wrong-type", 1), ("# why\n- agency: X\n", "wrong-type", 1),
    ("agency: X\n---\nagency: Y\n", "yaml-multiple-documents", 2),
])
def test_careerpath_yaml_that_is_not_one_mapping_is_an_error(caseload, text, code, line):
    """careerpath.yaml's top-level shapes, one caseload each (the golden fixture top-level-shapes has the rest)."""
    root = caseload({"careerpath.yaml": text, "cases/p/case.yaml": "id: p\nperson: {name: Invented, language: en}\n"})
    got = [(d.file, d.line, d.column, d.severity, d.code) for d in validate(root, TODAY) if d.file == "careerpath.yaml"]
    assert got == [("careerpath.yaml", line, 1, "error", code)]


def test_a_misspelled_top_level_key_is_an_error_and_its_block_is_still_checked(caseload):
    root = caseload({"careerpath.yaml": "agency: X\nsetings:\n  warn_days: many\n",
                     "cases/p/case.yaml": "id: p\nperson: {name: Invented, language: en}\nenrolments:\n  ca-dor-vr:\n"
                                          "    applied: 2026-02-30\n    eligibilty: {status: pending}\n"
                                          "jobz:\n  - {employer: X, start: 2026-01-01, wage: free}\n"})
    got = [(d.file, d.line, d.severity, d.code, d.hint) for d in validate(root, TODAY)]
    assert got == [
        ("careerpath.yaml", 2, "error", "unknown-key", "did you mean `settings`?"),
        ("careerpath.yaml", 3, "error", "wrong-type", ""),
        ("cases/p/case.yaml", 3, "error", "unknown-key", "did you mean `enrollments`?"),
        ("cases/p/case.yaml", 5, "error", "invalid-date", "write dates as YYYY-MM-DD, e.g. 2026-03-02"),
        ("cases/p/case.yaml", 6, "warning", "unknown-field", "did you mean `eligibility`?"),
        ("cases/p/case.yaml", 7, "error", "unknown-key", "did you mean `jobs`?"),
        ("cases/p/case.yaml", 8, "error", "wrong-type", ""),
    ]


def test_a_setting_written_empty_is_an_error_at_its_line_and_its_default_stands(tmp_path):
    """``warn_days:`` or ``retention_checks:`` with no value (a core setting and a program's) used to load as
    None and reach the engine, which failed on it (the fuzz test found it): each is a wrong-type error at its
    line, its default is used, and due and validate run to the end."""
    import re
    import shutil

    from careerpath.loader import load as load_caseload
    from careerpath.obligations import compute
    from conftest import SAMPLE

    root = tmp_path / "c"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".careerpath"))
    config = root / "careerpath.yaml"
    text = config.read_text(encoding="utf-8")
    for name in ("warn_days", "retention_checks", "czn_ipra_report_before"):
        text, n = re.subn(rf"^(  {name}:)[^\n#]*", r"\1 ", text, count=1, flags=re.M)
        assert n == 1, name
    config.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    found = load_caseload(root)
    got = {(d.code, d.line) for d in found.diagnostics if d.file == "careerpath.yaml"}
    for name in ("warn_days", "retention_checks", "czn_ipra_report_before"):
        line = next(i for i, t in enumerate(lines, 1) if t.startswith(f"  {name}:"))
        assert ("wrong-type", line) in got, name
    settings = found.config.settings
    assert (settings.warn_days, settings.retention_checks) == (30, ["30d", "6m", "12m"])
    assert compute(found, TODAY)
    for command, code in (("validate", 1), ("due", 0)):  # (due says the file has errors, and lists what is due)
        r = run_process(command, "--caseload", root, "--today", TODAY, "--no-cache")
        assert "Traceback" not in r.err and "internal error" not in r.err and r.code == code, (command, r.err)

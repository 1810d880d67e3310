"""One output layer: every command's --format json is one JSON document on stdout, of the documented
shape (careerpath/cli/shapes.py, shown in docs/cli.md), equal to the library call it comes from.

STYLE.md: "CLI --format json compared with the library result". Messages, progress and warnings
go to stderr in every format.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from careerpath.cli.shapes import outline, shapes
from conftest import SAMPLE, TODAY, copy_samples
from test_record import CASE as RECORD_CASE, PLAN as RECORD_PLAN, git, repo  # noqa: F401  (the fixture)

DAY = TODAY.isoformat()
SHAPES = shapes()


def check(command: str, result) -> object:
    """The one JSON document ``result`` printed, checked against the command's documented shape."""
    data = json.loads(result.out)  # the whole of stdout: nothing before or after the document
    assert result.out.endswith("}\n") or result.out.endswith("]\n")
    validator = jsonschema.Draft7Validator(SHAPES[command], format_checker=jsonschema.FormatChecker())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == [], f"`careerpath {command} --format json` does not match its documented shape"
    return data


def test_every_command_with_a_format_option_documents_its_json():
    import typer.main

    from careerpath.cli import app
    from careerpath.cli.reference import command_names

    root = typer.main.get_command(app)
    with_format = []
    for name in command_names():
        cmd = root
        for part in name.split():
            cmd = cmd.commands[part]
        if any("--format" in p.opts for p in cmd.params):
            with_format.append(name)
    assert set(with_format) == set(SHAPES), "a command with --format lacks a shape in cli/shapes.py, or the reverse"
    for name in ("log", "refer", "set", "close", "report", "init", "new", "render", "schema"):
        assert name in with_format
    for schema in SHAPES.values():
        jsonschema.Draft7Validator.check_schema(schema)


def test_the_outline_is_what_docs_cli_md_shows():
    text = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
    assert outline(SHAPES["log"]) in text and '"git": "committed" | "skipped"' in text
    assert "JSON (`--format json`): as `careerpath log`." in text  # refer, set and close print the same shape


# ---------------------------------------------------------------- recording commands

def copy_repo(repo_path: Path, dest: Path) -> Path:
    return Path(shutil.copytree(repo_path, dest, symlinks=True))


RECORDINGS = {
    "log": (["an-nguyen", "monthly-review", "--date", "2026-11-03", "--by", "jsmith", "--summary", "Reviewed"],
            lambda rec, root: rec.log_event(root, "an-nguyen", "monthly-review", TODAY.replace(day=3), TODAY, by="jsmith",
                                            summary="Reviewed", commit=False)),
    "refer": (["an-nguyen", "--to", "Invented Bakery", "--kind", "other", "--by", "jsmith", "--date", "2026-11-05"],
              lambda rec, root: rec.refer(root, "an-nguyen", TODAY.replace(day=5), TODAY, to="Invented Bakery",
                                          kind="other", by="jsmith", commit=False)),
    "set": (["an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--by", "jsmith", "--reason", "stamp"],
            lambda rec, root: rec.set_field(root, "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", TODAY,
                                            by="jsmith", reason="stamp", commit=False)),
    "close": (["an-nguyen", "--reason", "moved", "--date", "2026-11-20", "--by", "jsmith"],
              lambda rec, root: rec.close_case(root, "an-nguyen", TODAY.replace(day=20), TODAY, reason="moved",
                                               by="jsmith", commit=False)),
}


@pytest.mark.parametrize("command", sorted(RECORDINGS))
def test_recording_json_equals_the_library_result(repo, cli, tmp_path, command):  # noqa: F811
    from careerpath import record

    args, library = RECORDINGS[command]
    other = copy_repo(repo, tmp_path / "other")
    r = cli(command, *args, "--no-commit", "--format", "json", "-C", repo, "--today", DAY)
    assert r.code == 0, r.err
    data = check(command, r)
    if command == "close":  # close adds what the closure ends and what stays open (issue 19)
        ends, still = data.pop("ends"), data.pop("stays_open")
        assert ends and all(o["case"] == "an-nguyen" and o["status"] != "done" for o in ends + still)
    assert data == library(record, other).to_dict()
    assert data["git"] == "skipped" and data["files"] and all((repo / f).is_file() for f in data["files"])
    assert "wrote" not in r.out and "wrote" not in r.err


def test_a_committed_recording_names_its_commit_and_prints_only_json(repo, cli):  # noqa: F811
    r = cli("log", "an-nguyen", "contact", "--date", "2026-11-04", "--by", "jsmith", "--format", "json", "-C", repo)
    data = check("log", r)
    assert r.code == 0 and data["git"] == "committed"
    assert data["commit"] == git(repo, "rev-parse", "HEAD").strip()
    assert data["subject"] == "an-nguyen: log contact 2026-11-04" == git(repo, "log", "-1", "--format=%s").strip()
    assert data["message"].rstrip("\n") == git(repo, "log", "-1", "--format=%B").rstrip("\n")
    assert "Case: an-nguyen" in data["message"]
    # the same again: nothing to change; the note on stderr, the JSON says so
    again = cli("log", "an-nguyen", "contact", "--date", "2026-11-04", "--by", "jsmith", "--format", "json", "-C", repo)
    assert check("log", again)["git"] in ("committed", "unchanged")


def test_a_dry_run_in_json_has_the_diff_and_writes_nothing(repo, cli):  # noqa: F811
    from careerpath import record

    before = (repo / "cases/an-nguyen/case.yaml").read_bytes()
    r = cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", "--reason", "stamp", "--dry-run", "--format", "json",
            "-C", repo, "--today", DAY)
    data = check("set", r)
    assert data["git"] == "dry-run" and "+    applied: 2026-08-28       # DOR stamp date" in data["diff"]
    assert (repo / "cases/an-nguyen/case.yaml").read_bytes() == before
    change = record.plan_set(repo, "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-08-28", by="jsmith", reason="stamp")
    assert data == record.preview(change, TODAY).to_dict()


def test_a_refused_recording_prints_nothing_on_stdout(repo, cli):  # noqa: F811
    r = cli("set", "an-nguyen", "enrollments.ca-dor-vr.applied", "2026-02-30", "--reason", "stamp", "--format", "json", "-C", repo)
    assert r.code in (1, 2) and r.out == "" and r.err


def test_recording_rejects_an_unknown_format(repo, cli):  # noqa: F811
    r = cli("log", "an-nguyen", "contact", "--format", "yaml", "-C", repo)
    assert r.code == 2 and r.out == "" and "--format" in r.err
    assert not (repo / "cases/an-nguyen/events").exists()


# ---------------------------------------------------------------- init, new, schema

def test_init_and_new_in_json(cli, tmp_path):
    from careerpath import scaffold

    root = tmp_path / "cl"
    r = cli("init", root, "--agency", "Invented Agency", "--format", "json")
    assert r.code == 0, r.err
    data = check("init", r)
    twin = scaffold.init(tmp_path / "twin", agency="Invented Agency")
    assert data["commit"] and twin.commit  # each its own first commit
    assert data == {**twin.to_dict(), "folder": str(root), "commit": data["commit"],
                    "written": [p.replace(str(tmp_path / "twin"), str(root)) for p in twin.to_dict()["written"]]}
    assert all(Path(p).exists() for p in data["written"])
    assert "wrote" in r.err  # progress stays on stderr
    new = cli("new", "an-nguyen", "--name", "Invented Person", "--language", "en", "--caseload", root, "--today", DAY,
              "--format", "json")
    assert new.code == 0, new.err
    made = check("new", new)
    assert made["written"] == [str(root / "cases/an-nguyen/case.yaml"), str(root / "cases/an-nguyen/plan.yaml")]
    assert made["git"] == "committed" and made["commit"]
    schemas = cli("schema", "--caseload", root, "--out", tmp_path / "schemas", "--format", "json")
    written = check("schema", schemas)["written"]
    assert written and all(Path(p).is_file() and Path(p).parent == tmp_path / "schemas" for p in written)


# ---------------------------------------------------------------- reading commands

def test_validate_json_and_csv_are_the_library_diagnostics(cli, caseload):
    from careerpath import pipeline

    root = caseload({"cases/a/case.yaml": "id: a\nperson: {name: X, language: en}\nstaff: {navigator: nobody}\n"
                                          "opened: 2026-02-30\n"})
    expected = [d.to_dict() for d in pipeline.validate(root, TODAY)]
    assert expected
    r = cli("validate", "--caseload", root, "--today", DAY, "--format", "json")
    assert r.code == 1 and check("validate", r) == expected
    table = list(csv.DictReader(io.StringIO(cli("validate", "--caseload", root, "--today", DAY, "--format", "csv").out)))
    assert [(t["file"], int(t["line"]), t["code"]) for t in table] == [(d["file"], d["line"], d["code"]) for d in expected]


def test_show_json_is_the_overview_of_the_query(cli):
    from careerpath.obligations import case_obligations, load_rules
    from careerpath.obligations.query import Query, due
    from careerpath.overview import overview
    from careerpath.pipeline import load

    cl = load(SAMPLE)
    found = case_obligations(cl.cases["linh-tran"], load_rules(cl.programs), cl.settings, TODAY, cl.config_file)
    expected = overview(cl, "linh-tran", TODAY, due(found, TODAY, Query(cases=("linh-tran",), history=True)).rows)
    r = cli("show", "linh-tran", "--caseload", SAMPLE, "--today", DAY, "--format", "json")
    assert check("show", r) == json.loads(json.dumps(expected))
    assert expected["obligations"]


def test_rules_json_and_csv_are_the_rule_book(cli):
    from careerpath.obligations import load_rules

    book = load_rules()
    r = cli("rules", "--format", "json")
    assert check("rules", r) == [rule.to_dict() for rule in book.rules]
    table = list(csv.DictReader(io.StringIO(cli("rules", "--format", "csv").out)))
    assert [t["id"] for t in table] == [rule.id for rule in book.rules]
    assert {t["confirmed"] for t in table} == {"true", "false"}


def test_render_list_in_json(cli):
    from careerpath.documents import kinds_for, list_kinds
    from careerpath.pipeline import load

    assert check("render", cli("render", "--list", "--format", "json")) == list_kinds()
    r = cli("render", "--list", "linh-tran", "--caseload", SAMPLE, "--today", DAY, "--format", "json")
    assert check("render", r) == kinds_for(load(SAMPLE), "linh-tran")
    assert cli("render", "--list", "--format", "html").code == 2  # a document's format is no listing's


def test_report_summary_in_json_is_what_the_batch_wrote(cli, tmp_path):
    from careerpath.cli.cmd_report import summary
    from careerpath.period import parse_period
    from careerpath.pipeline import load
    from careerpath.reports import batch

    root = copy_samples(tmp_path / "c")
    r = cli("report", "outcomes", "--caseload", root, "--today", DAY, "--period", "2026", "--out", tmp_path / "a",
            "--format", "json")
    assert r.code == 0, r.err
    data = check("report", r)
    assert "wrote" not in r.err  # the summary replaces the progress lines
    req = batch.ReportRequest(load(root), "outcomes", parse_period("2026"), tmp_path / "b", TODAY)
    assert data == json.loads(json.dumps(summary(batch.run(req), "outcomes", "2026", tmp_path / "a")).replace(
        str(tmp_path / "b"), str(tmp_path / "a")))
    assert data["written"] and all(Path(w["path"]).is_file() for w in data["written"])


def test_report_format_is_the_summary_and_document_format_the_files(cli, tmp_path):
    root = copy_samples(tmp_path / "c")
    old = cli("report", "quarterly", "--caseload", root, "--today", DAY, "--format", "md", "--out", tmp_path / "q")
    assert old.code == 2 and "--document-format md" in old.err and old.out == ""
    r = cli("report", "quarterly", "--caseload", root, "--today", DAY, "--document-format", "md", "--out",
            tmp_path / "q", "--format", "json")
    assert r.code == 0, r.err
    paths = [w["path"] for w in check("report", r)["written"]]
    documents = [p for p in paths if not p.endswith("/index.html")]  # the folder's index is a page
    assert documents and all(p.endswith(".md") for p in documents)


@pytest.mark.parametrize("args", [
    ("doctor",), ("programs",), ("programs", "ca-dor-vr"), ("i18n", "status"), ("i18n", "check"),
    ("due",), ("due", "--all"),
])
def test_other_reading_commands_print_only_their_documented_json(cli, args):
    r = cli("--caseload", SAMPLE, "--today", DAY, *args, "--format", "json")
    assert r.code in (0, 1), r.err
    name = " ".join(args[:2]) if args[0] == "i18n" else args[0]
    assert isinstance(check(name, r), list)


def test_an_output_file_that_cannot_be_written_is_a_translated_error(cli, tmp_path):
    """--output under a path that is a file, not a folder: exit 1 with the reason, in the user's language,
    no traceback."""
    (tmp_path / "a-file").write_text("not a folder\n")
    target = tmp_path / "a-file" / "due.json"
    r = cli("due", "--format", "json", "--output", target, "--caseload", SAMPLE, "--today", TODAY)
    assert r.code == 1 and "cannot write" in r.err and "Traceback" not in r.err, r.err
    assert (tmp_path / "a-file").read_text() == "not a folder\n"
    ru = cli("--lang", "ru", "due", "--format", "json", "--output", target, "--caseload", SAMPLE, "--today", TODAY)
    assert ru.code == 1 and "cannot write" not in ru.err and str(target) in ru.err, ru.err

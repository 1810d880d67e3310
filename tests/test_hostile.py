"""Hostile and broken input: every file in tests/corpus/, big files made at test time,
symlinks, unreadable files, folders where files belong, and paths from data.

Each must end in a diagnostic with its code (and line, where one means
something) or a clean refusal, exit 1 or 2, no traceback, in bounded time.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import copy_samples, CONFIG, run_process

from careerpath.diagnostics import CODES

CORPUS = Path(__file__).parent / "corpus"
BOUND_S = 5.0          # loose: a hang or an explosion, not a benchmark
BOUND_RSS_MB = 400     # a child's peak resident memory

# corpus file (placed as cases/x/case.yaml) -> (code expected, line or None, needs --strict)
EXPECTED: dict[str, tuple[str, int | None, bool]] = {
    "billion-laughs.yaml": ("yaml-too-complex", 7, False),  # a4 is the first anchor past 100,000
    "deep-block.yaml": ("yaml-too-complex", 67, False),
    "deep-flow-small.yaml": ("yaml-too-complex", 2, False),
    "python-object.yaml": ("yaml-tag", 5, False),
    "python-name.yaml": ("yaml-tag", 5, False),
    "local-tag.yaml": ("yaml-tag", 5, False),
    "binary-tag.yaml": ("yaml-tag", 6, False),
    "set-tag.yaml": ("yaml-tag", 5, False),
    "duplicate-key.yaml": ("yaml-duplicate-key", 6, False),
    "anchors-across-documents.yaml": ("yaml-multiple-documents", 6, False),
    "multiple-documents.yaml": ("yaml-multiple-documents", 5, False),
    "binary.yaml": ("not-utf8", 1, False),
    "latin1.yaml": ("not-utf8", 5, False),
    "bom.yaml": ("yaml-bom", 1, True),
    "crlf.yaml": ("unknown-key", 5, True),   # line ends must not shift lines
    "cr.yaml": ("unknown-key", 5, True),
    "tabs.yaml": ("yaml-tab", 3, False),
    "empty.yaml": ("empty-file", 1, False),
    "only-comments.yaml": ("empty-file", 1, False),
    "directive-yaml11.yaml": ("yaml-directive", 1, False),
    "directive-tag.yaml": ("yaml-directive", 1, False),
    "merge-key.yaml": ("yaml-merge-key", 4, False),
    "control-chars.yaml": ("yaml-syntax", 6, False),
    "nul-byte.yaml": ("yaml-syntax", 5, False),
    "huge-integer.yaml": ("invalid-value", 6, False),
    "top-level-list.yaml": ("wrong-type", 1, False),
    "complex-key.yaml": ("wrong-type", 5, False),
    "undefined-alias.yaml": ("yaml-syntax", 5, False),
    "unclosed-quote.yaml": ("yaml-syntax", None, False),
    "case-id-traversal.yaml": ("invalid-value", 1, False),
    "wrong-types.yaml": ("invalid-date", 7, False),
    "bad-surrogate.yaml": ("yaml-syntax", 5, False),
}


def test_every_corpus_file_has_an_expectation():
    assert sorted(p.name for p in CORPUS.glob("*.yaml")) == sorted(EXPECTED)


def _check(result, code: str, line: int | None, file: str = "cases/x/case.yaml", exit_codes=(1,)) -> list[dict]:
    assert "Traceback" not in result.err
    assert result.code in exit_codes, (result.code, result.out[-2000:], result.err[-2000:])
    diags = json.loads(result.out)
    assert {d["code"] for d in diags} <= set(CODES)
    for d in diags:
        assert d["line"] >= 1 and d["column"] >= 1
    hits = [d for d in diags if d["code"] == code and d["file"] == file]
    assert hits, f"no {code} on {file} in {[(d['file'], d['code'], d['line']) for d in diags]}"
    if line is not None:
        assert line in {d["line"] for d in hits}, [(d["code"], d["line"]) for d in hits]
    return diags


def _validate(cli, root: Path, *extra: str):
    start = time.perf_counter()
    result = cli("validate", "--format", "json", "--today", "2026-11-22", "--caseload", root, *extra)
    assert time.perf_counter() - start < BOUND_S
    return result


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_as_case_file(name, caseload, cli):
    code, line, strict = EXPECTED[name]
    root = caseload({"cases/x/case.yaml": (CORPUS / name).read_bytes()})
    result = _validate(cli, root, *(["--strict"] if strict else []))
    _check(result, code, line)


@pytest.mark.parametrize("name", ["python-object.yaml", "billion-laughs.yaml", "duplicate-key.yaml", "latin1.yaml"])
def test_corpus_file_as_settings_event_and_plan(name, caseload, cli):
    """The same refusals hold wherever the file sits."""
    raw = (CORPUS / name).read_bytes()
    code, _, _ = EXPECTED[name]
    root = caseload({
        "careerpath.yaml": raw,
        "cases/y/case.yaml": "id: y\nperson: {name: Test, language: en}\n",
        "cases/y/plan.yaml": raw,
        "cases/y/events/2026-01-05-note.yaml": raw,
    })
    result = _validate(cli, root)
    for file in ("careerpath.yaml", "cases/y/plan.yaml", "cases/y/events/2026-01-05-note.yaml"):
        _check(result, code, None, file)


# ---------------------------------------------------------------- made at test time, as real processes

def _process(root: Path):
    """``careerpath validate`` as a real process, with its own peak memory (os.wait4 gives this child's rusage)."""
    import subprocess
    import sys
    import tempfile

    from conftest import ROOT, Result

    args = [sys.executable, "-m", "careerpath", "validate", "--format", "json", "--today", "2026-11-22", "--caseload", str(root)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > 60:
                proc.kill()
                pytest.fail("the process did not end within 60 s")
            time.sleep(0.01)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        result = Result(proc.returncode, out.read().decode(), err.read().decode())
    assert result.code >= 0, f"the process died on signal {-result.code}"
    assert elapsed < 3 * BOUND_S  # a process start and imports on top of the bound
    assert usage.ru_maxrss / 1024 < BOUND_RSS_MB, f"peak memory {usage.ru_maxrss / 1024:.0f} MB"
    return result


@pytest.mark.parametrize("kind", ["flow-seq", "flow-map", "block-seq"])
def test_very_deep_nesting_does_not_crash_the_process(kind, caseload):
    """libyaml's composer recurses in C: 50,000 levels segfaulted before the event pre-scan."""
    n = 200_000
    body = {"flow-seq": "[" * n + "]" * n, "flow-map": "{a: " * n + "1" + "}" * n, "block-seq": "\n  " + "- " * n + "x"}[kind]
    root = caseload({"cases/x/case.yaml": "id: x\njobs: " + body + "\n"})
    _check(_process(root), "yaml-too-complex", 3 if kind == "block-seq" else 2)


def test_fifty_megabyte_file_is_refused_unread(caseload, tmp_path):
    root = caseload({"cases/x/case.yaml": ""})
    with open(root / "cases/x/case.yaml", "wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: 50 MB by size, no disk used
    _check(_process(root), "file-too-large", 1)


def test_one_megabyte_of_values_is_refused_before_composing(caseload):
    root = caseload({"cases/x/case.yaml": "id: x\njobs: [" + "1," * 400_000 + "1]\n"})
    _check(_process(root), "yaml-too-complex", 2)


def test_very_long_line(caseload):
    root = caseload({"cases/x/case.yaml": "id: x\nperson: {name: Test, language: en}\nstatus: " + "x" * 900_000 + "\n"})
    _check(_process(root), "invalid-value", 3)


def test_billion_laughs_and_python_tag_as_processes(caseload, tmp_path):
    root = caseload({"cases/x/case.yaml": (CORPUS / "billion-laughs.yaml").read_bytes(),
                     "cases/z/case.yaml": (CORPUS / "python-object.yaml").read_bytes()})
    marker = tmp_path / "pwned"
    result = _process(root)
    _check(result, "yaml-too-complex", 7)
    _check(result, "yaml-tag", 5, "cases/z/case.yaml")
    assert not marker.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_named_pipe_as_case_file_does_not_block(caseload):
    root = caseload({"cases/x/.keep": ""})
    os.mkfifo(root / "cases/x/case.yaml")
    _check(_process(root), "file-unreadable", 1)


# ---------------------------------------------------------------- layout

def test_a_folder_named_case_yaml(caseload, cli):
    root = caseload({"cases/x/case.yaml/inside.txt": "", "cases/y/case.yaml": "id: y\nperson: {name: T, language: en}\n",
                     "cases/y/events/2026-01-01-note.yaml/inside.txt": ""})
    result = _validate(cli, root)
    _check(result, "file-unreadable", 1)
    _check(result, "file-unreadable", 1, "cases/y/events/2026-01-01-note.yaml")


OUTSIDE_SECRET = "id: x\nperson: {name: Outside Secret, language: en}\nstatus: nonsense-from-outside\n"


@pytest.mark.parametrize("link", ["case", "events", "case-folder", "cases", "settings", "plan"])
def test_symlinks_pointing_outside_are_not_followed(link, caseload, cli, tmp_path):
    outside = tmp_path / "outside"
    (outside / "events").mkdir(parents=True)
    (outside / "case.yaml").write_text(OUTSIDE_SECRET)
    (outside / "events" / "2026-01-01-x.yaml").write_text("date: 2026-01-01\ntype: NOT A TYPE\n")
    (outside / "cases" / "x").mkdir(parents=True)
    (outside / "cases" / "x" / "case.yaml").write_text(OUTSIDE_SECRET)
    files = {"cases/y/case.yaml": "id: y\nperson: {name: T, language: en}\n"}
    root = caseload(files)
    where = {
        "case": ("cases/x/case.yaml", outside / "case.yaml"),
        "plan": ("cases/y/plan.yaml", outside / "case.yaml"),
        "events": ("cases/y/events", outside / "events"),
        "case-folder": ("cases/x", outside / "cases" / "x"),
        "settings": ("careerpath.yaml", outside / "case.yaml"),
    }
    if link == "cases":
        shutil.rmtree(root / "cases")
        (root / "cases").symlink_to(outside / "cases")
        rel = "cases"
    else:
        rel, target = where[link]
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        if (root / rel).exists():
            (root / rel).unlink()
        (root / rel).symlink_to(target)
    result = _validate(cli, root)
    _check(result, "symlink-outside", 1, rel)
    assert "nonsense-from-outside" not in result.out and "NOT A TYPE" not in result.out
    assert not any(d["file"].startswith(rel + "/") for d in json.loads(result.out))


def test_a_symlink_inside_the_caseload_is_followed(caseload, cli):
    root = caseload({"cases/y/case.yaml": "id: y\nperson: {name: T, language: en}\n",
                     "shared-events/2026-01-01-note.yaml": "date: 2026-01-01\ntype: note\n"})
    (root / "cases/y/events").symlink_to(root / "shared-events")
    result = _validate(cli, root)
    assert result.code == 0, result.out


def test_unreadable_file_really(caseload, cli):
    if os.name != "posix":
        pytest.skip("chmod 000 is POSIX")
    root = caseload({"cases/x/case.yaml": "id: x\nperson: {name: T, language: en}\n"})
    os.chmod(root / "cases/x/case.yaml", 0)
    try:
        if os.access(root / "cases/x/case.yaml", os.R_OK):
            pytest.skip("running as root: chmod 000 is still readable (the simulated test covers this)")
        _check(_validate(cli, root), "file-unreadable", 1)
    finally:
        os.chmod(root / "cases/x/case.yaml", 0o600)


def test_unreadable_file_simulated(caseload, cli, monkeypatch):
    import os

    real_open = os.open

    def deny(path, *a, **k):  # the safe reader (fsio.open_regular) opens every case file with os.open
        if str(path).endswith("case.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *a, **k)

    monkeypatch.setattr(os, "open", deny)
    root = caseload({"cases/x/case.yaml": "id: x\nperson: {name: T, language: en}\n"})
    result = _validate(cli, root)
    diags = _check(result, "file-unreadable", 1)
    assert any("Permission denied" in d["message"] for d in diags)


def test_unlistable_folder_simulated(caseload, cli, monkeypatch):
    root = caseload({"cases/x/case.yaml": "id: x\nperson: {name: T, language: en}\n",
                     "cases/x/events/2026-01-01-a.yaml": "date: 2026-01-01\ntype: note\n"})
    real = Path.iterdir

    def deny(self):
        if self.name == "events":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "iterdir", deny)
    _check(_validate(cli, root), "file-unreadable", 1, "cases/x/events")


# ---------------------------------------------------------------- paths derived from data or arguments

@pytest.mark.parametrize("case_id", ["../x", "../../x", "a/../../x", "/tmp/x", ".", "..", "-x", "", "A", "x" * 65, "a\x00b",
                                     "..\\x", "x/y"])
def test_new_refuses_ids_that_are_not_ids(case_id, caseload, cli, tmp_path):
    root = caseload({})
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    result = cli("new", case_id, "--name", "T", "--language", "en", "--caseload", root)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert "CASE-ID" in result.err
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before


def test_new_refuses_traversal_as_a_process(caseload, tmp_path):
    root = caseload({})
    result = run_process("new", "../escaped", "--name", "T", "--language", "en", "--caseload", root)
    assert result.code == 2 and "Traceback" not in result.err
    assert not (tmp_path / "escaped").exists() and not (root / "escaped").exists()


def test_new_refuses_an_existing_case_and_keeps_it(caseload, cli):
    root = caseload({"cases/x/case.yaml": "id: x\nperson: {name: Keep Me, language: en}\n"})
    result = cli("new", "x", "--name", "Other", "--language", "en", "--caseload", root)
    assert result.code == 1 and "already exists" in result.err
    assert "Keep Me" in (root / "cases/x/case.yaml").read_text()


def test_schema_out_goes_where_the_user_says(cli, tmp_path):
    """--out is the user's own choice of folder, so any folder is fine (not derived from data)."""
    out = tmp_path / "elsewhere" / "schemas"
    result = cli("schema", "--out", out)
    assert result.code == 0
    assert (out / "case.schema.json").is_file()


def test_schema_kind_is_not_a_path(cli):
    result = cli("schema", "--kind", "../case")
    assert result.code == 2 and "Traceback" not in result.err


def test_templates_render_in_a_sandbox():
    """Templates may come from the caseload (templates/): they must not reach Python internals."""
    import careerpath

    pkg = Path(careerpath.__file__).parent
    users = [p for p in pkg.rglob("*.py") if "jinja2" in p.read_text(encoding="utf-8")]
    if not users:
        pytest.skip("no module uses Jinja yet")
    for path in users:
        text = path.read_text(encoding="utf-8")
        assert "SandboxedEnvironment" in text or "from .documents" in text or "from ..documents" in text, \
            f"{path.name} uses Jinja without SandboxedEnvironment"
    from jinja2.sandbox import SandboxedEnvironment

    from careerpath.documents.engine import make_environment, template_dirs

    assert isinstance(make_environment(template_dirs(None)), SandboxedEnvironment)
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment()
    with pytest.raises(SecurityError):
        env.from_string("{{ ''.__class__.__mro__[1].__subclasses__() }}").render()


# ---------------------------------------------------------------- positions as an editor counts them

@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_do_not_shift_lines(sep, caseload, cli):
    """libyaml breaks lines at NEL, LS and PS (YAML 1.1); editors and YAML 1.2 do not."""
    text = f"id: x\nperson:\n  name: \"Test{sep}Person\"\n  language: en\nstatus: nonsense\n"
    root = caseload({"cases/x/case.yaml": text.encode()})
    _check(_validate(cli, root), "invalid-value", 5)


def test_not_utf8_position_counts_cr_line_ends(caseload, cli):
    root = caseload({"cases/x/case.yaml": b"id: x\rperson:\r  name: \xff\r"})
    diags = _check(_validate(cli, root), "not-utf8", 3)
    assert any(d["column"] == 9 for d in diags if d["code"] == "not-utf8")


@pytest.mark.parametrize("args", [
    ["show", "../x"], ["history", "../../x"], ["history", "."], ["log", "../x", "note", "--by", "jsmith"],
    ["log", "x", "../../evil", "--by", "jsmith"], ["refer", "../x", "--to", "X", "--kind", "other", "--by", "jsmith"],
    ["set", "../x", "person.name", "Y"], ["close", "../x", "--reason", "employed"],
])
def test_case_arguments_cannot_climb_out(args, caseload, cli, tmp_path):
    root = caseload({"cases/x/case.yaml": "id: x\nperson: {name: T, language: en}\n"})
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    result = cli(*args, "--caseload", root)
    assert result.code in (1, 2), (result.code, result.err)
    assert "Traceback" not in result.err
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("name", ["../escape.csv", "/tmp/escape.csv", "a/../../escape.csv"])
def test_report_file_names_stay_in_their_folder(name, tmp_path):
    from careerpath.fsio import WriteError
    from careerpath.reports.output import write_output

    with pytest.raises(WriteError):
        write_output(tmp_path / "out", name, "x")
    assert not (tmp_path / "escape.csv").exists()


# ---------------------------------------------------------------- templates from the caseload

@pytest.fixture
def sample_with_templates(tmp_path):
    from conftest import SAMPLE

    if not (Path(__file__).resolve().parents[1] / "careerpath" / "documents").is_dir():
        pytest.skip("document rendering has not landed")
    root = copy_samples(tmp_path / "sample")
    (root / "templates").mkdir()
    return root


RENDER = ("render", "interpreter-request", "ani-hakobyan", "--today", "2026-11-22")


@pytest.mark.parametrize("template", [
    '{{ "".__class__.__mro__[1].__subclasses__() }}',
    "{{ cycler.__init__.__globals__.os.system('echo pwned') }}",
    "{{ self._TemplateReference__context }}",
    '{% include "../../../../etc/passwd" %}',
    '{% import "/etc/passwd" as x %}',
    "{{ person.name.format.__globals__ }}",
])
def test_a_hostile_caseload_template_is_refused(template, sample_with_templates, cli):
    root = sample_with_templates
    (root / "templates" / "interpreter-request.j2").write_text(template + "\n")
    start = time.perf_counter()
    result = cli(*RENDER, "--caseload", root)
    assert time.perf_counter() - start < BOUND_S
    assert result.code == 1, (result.code, result.out[:300])
    assert "Traceback" not in result.err and "template" in result.err
    assert "root:" not in result.out and "pwned" not in result.out


@pytest.mark.parametrize("page, output", [("report-dashboard.html.j2", "dashboard.html"),
                                          ("report-outcomes.html.j2", "outcomes-2026.html"),
                                          ("_report_layout.html.j2", "outcomes-2026.html")])
@pytest.mark.parametrize("template", [
    '{{ "".__class__.__mro__[1].__subclasses__() }}',
    "{{ cycler.__init__.__globals__.os.system('echo pwned') }}",
    '{% include "../../../../etc/passwd" %}',
])
def test_a_hostile_report_page_override_is_refused(page, output, template, sample_with_templates, cli, tmp_path):
    """Report pages render in the documents' sandbox: a caseload's override that reaches out fails that
    page (named, exit 1, no traceback), writes no part of it, and the report's other outputs are still written."""
    root = sample_with_templates
    (root / "templates" / page).write_text(template + "\n")
    out = tmp_path / "out"
    kind = "dashboard" if output == "dashboard.html" else "outcomes"
    result = cli("report", kind, "--caseload", root, "--today", "2026-11-22", "--period", "2026", "--out", out)
    assert result.code == 1, (result.code, result.err[:300])
    assert "Traceback" not in result.err and f"failed {output}: template" in result.err
    assert "pwned" not in result.out + result.err and "root:" not in result.out + result.err
    assert not (out / output).exists() and not list(out.glob("*.tmp"))
    if kind == "outcomes":
        assert (out / "outcomes-2026.csv").is_file()


def test_a_template_symlinked_out_of_the_caseload_is_not_read(sample_with_templates, cli, tmp_path):
    root = sample_with_templates
    secret = tmp_path / "secret.j2"
    secret.write_text("TOP SECRET FROM OUTSIDE\n")
    (root / "templates" / "interpreter-request.j2").symlink_to(secret)
    result = cli(*RENDER, "--caseload", root)
    assert result.code == 1 and "Traceback" not in result.err
    assert "outside" in result.err and "templates/interpreter-request.j2" in result.err
    assert "TOP SECRET" not in result.out + result.err

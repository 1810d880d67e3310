"""Round-trip edits keep the hand-written file: only the intended lines change."""

from __future__ import annotations

import difflib
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT

from careerpath import edit
from careerpath.loader import file_models
from careerpath.programs import load_programs

CASE_MODEL = file_models(load_programs())["case"]  # case.yaml with the built-in programs' enrollments

# FORMAT.md's case with more comments, blank lines, quote styles and a flow mapping
HEAVY = """\
# yaml-language-server: $schema=../../schemas/case.schema.json
# Case file kept by hand. Do not reorder: the team reads it top to bottom.

id: an-nguyen
status: active                # active | closed
opened: 2026-03-02            # intake meeting
closure: null                 # when closed: {date: 2027-02-01, reason: employed}

# --- the person -------------------------------------------------------
person:
  name: 'Nguyễn Văn An'       # single quotes on purpose
  preferred_name: An
  birth_date: 2003-04-14
  language: vi                # BCP 47 tag
  interpreter: true
  plain_language: true
  phone: "+1 408 555 0142"
  representative: {name: Trần Thị Mai, relationship: mother, phone: "+1 408 555 0199"}

identifiers:                  # all optional
  uci: "7654321"              # regional-center client id
  dor_case: "DOR-55-1234"
staff: {navigator: jsmith, ces: ktran}

enrollments:
  # CCP first, then DOR
  ca-dds-ccp:
    basis: exiting-secondary-education
    school_exit: 2027-06-10   # from the IEP
    start: 2026-03-02
    authorized_until: 2027-03-01
    subcodes: [NAV, CES]
  ca-dor-vr:
    applied: 2026-09-01       # DOR stamp date
    presumptive: ssi
    eligibility:
      status: pending         # pending | eligible | ineligible
      decided: null
      extension: null

    ipe: null                 # {signed: date, reviews: [...]}
jobs:
  - employer: Sunrise Bakery
    title: Baker assistant
    start: 2026-09-15
    end: null
    hours_per_week: 20
    wage: 18.50               # hourly
    currency: USD
    integrated: true
"""


def _changed(before: str, after: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        (removed if line.startswith("-") else added).append(line[1:])
    return removed, added


def _edit(text: str, *edits) -> str:
    doc = edit.load(text.encode(), "case.yaml")
    assert doc.drift == 0 and doc.indent == (2, 4, 2)
    Case = CASE_MODEL

    for path, value in edits:
        edit.set_value(doc.data, path, value, Case)
    return edit.dump(doc).decode()


def test_unchanged_round_trip_is_byte_identical():
    doc = edit.load(HEAVY.encode(), "case.yaml")
    assert edit.dump(doc) == HEAVY.encode()


def test_setting_a_date_changes_exactly_that_line():
    after = _edit(HEAVY, (("enrollments", "ca-dor-vr", "applied"), "2026-08-28"))
    removed, added = _changed(HEAVY, after)
    assert removed == ["    applied: 2026-09-01       # DOR stamp date"]
    assert added == ["    applied: 2026-08-28       # DOR stamp date"]  # unquoted, comment kept in its column


def test_several_edits_and_a_null_replaced_by_a_mapping():
    closure = edit.to_yaml({"date": "2027-02-01", "reason": "employed"})
    after = _edit(HEAVY, (("status",), "closed"), (("closure",), closure),
                  (("enrollments", "ca-dor-vr", "eligibility", "decided"), "2026-10-15"),
                  (("enrollments", "ca-dor-vr", "eligibility", "status"), "eligible"),
                  (("jobs", 0, "hours_per_week"), 25))
    removed, added = _changed(HEAVY, after)
    assert len(removed) == len(added) == 5
    assert "status: closed                # active | closed" in added
    assert any(line.startswith("closure: {date: 2027-02-01, reason: employed}") for line in added)
    assert "      decided: 2026-10-15" in added
    assert "    hours_per_week: 25" in added
    # everything else survives: quotes, comments, blank lines, flow mappings
    for keep in ("  name: 'Nguyễn Văn An'       # single quotes on purpose", "    wage: 18.50               # hourly",
                 '  uci: "7654321"              # regional-center client id', "# --- the person ---", "\n\n    ipe: null"):
        assert keep in after


def test_new_nested_mapping_and_new_key_in_model_order():
    after = _edit(HEAVY, (("enrollments", "ca-dor-vr", "ipe", "signed"), "2026-12-01"))
    removed, added = _changed(HEAVY, after)
    assert removed == ["    ipe: null                 # {signed: date, reviews: [...]}"]
    assert added == ["    ipe:                      # {signed: date, reviews: [...]}", "      signed: 2026-12-01"]
    text = HEAVY.replace("closure: null                 # when closed: {date: 2027-02-01, reason: employed}\n", "")
    after = _edit(text, (("closure",), edit.to_yaml({"date": "2027-02-01", "reason": "employed"})))
    removed, added = _changed(text, after)
    assert removed == [] and added == ["closure: {date: 2027-02-01, reason: employed}"]
    lines = after.splitlines()
    assert lines[lines.index("closure: {date: 2027-02-01, reason: employed}") - 1].startswith("opened: 2026-03-02            # intake")


def test_other_indent_styles_are_detected():
    text = "id: x\nlist:\n- a\n- b\nmap:\n    deep: 1\n"
    doc = edit.load(text.encode(), "x.yaml")
    edit.set_value(doc.data, ("id",), "y")
    assert edit.dump(doc).decode() == text.replace("id: x", "id: y")


def test_crlf_and_quoted_style_kept():
    text = 'id: "a"\r\nuci: "123"\r\n'
    doc = edit.load(text.encode(), "x.yaml")
    edit.set_value(doc.data, ("uci",), "456")
    assert edit.dump(doc) == b'id: "a"\r\nuci: "456"\r\n'


def test_text_that_reads_as_another_type_is_quoted():
    doc = edit.load(b"uci: null\nnote: x\n", "x.yaml")
    edit.set_value(doc.data, ("uci",), "0042")
    edit.set_value(doc.data, ("note",), "no")
    out = edit.dump(doc).decode()
    assert "uci: '0042'" in out or 'uci: "0042"' in out
    assert "note: 'no'" in out or 'note: "no"' in out


def test_hostile_file_is_refused_for_editing():
    with pytest.raises(edit.EditError):
        edit.load(b"id: !!python/object:os.system x\n", "x.yaml")
    with pytest.raises(edit.EditError):
        edit.load(b"%YAML 1.1\n---\nid: x\n", "x.yaml")


@pytest.mark.parametrize("path,value,expected", [
    (("enrollments", "ca-dor-vr", "eligibility", "decided"), "2026-10-15", "2026-10-15"),
    (("enrollments", "ca-dor-vr", "eligibility", "decided"), "null", None),
    (("person", "interpreter"), "false", False),
    (("jobs", 0, "hours_per_week"), "25", 25),
    (("jobs", 0, "wage"), "18.75", 18.75),
    (("identifiers", "uci"), "0042", "0042"),
    (("enrollments", "ru-czn-disability", "disability", "group"), "2", 2),
])
def test_values_are_typed_by_the_model(path, value, expected):
    Case = CASE_MODEL

    assert edit.typed_value(Case, path, value) == expected


def test_lists_take_flow_yaml():
    Case = CASE_MODEL

    assert list(edit.typed_value(Case, ("enrollments", "ca-dds-ccp", "subcodes"), "[NAV, CES]")) == ["NAV", "CES"]


@pytest.mark.parametrize("path,value", [
    (("enrollments", "ca-dor-vr", "nope"), "1"),
    (("person", "interpreter"), "maybe"),
    (("jobs", "first", "wage"), "1"),
    (("opened", "day"), "1"),
])
def test_unknown_fields_and_wrong_kinds_are_refused(path, value):
    Case = CASE_MODEL

    with pytest.raises(edit.EditError):
        edit.typed_value(Case, path, value)


def test_kill_between_temp_write_and_rename_leaves_the_original(tmp_path):
    """A real process killed (SIGKILL) at the fault hook: the original is byte-identical, no torn file."""
    target = tmp_path / "case.yaml"
    original = HEAVY.encode()
    target.write_bytes(original)
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from careerpath import edit, fsio
        doc = edit.load(open({str(target)!r}, 'rb').read(), 'case.yaml')
        edit.set_value(doc.data, ('enrollments', 'ca-dor-vr', 'applied'), '2026-08-28')
        fsio.before_replace = lambda tmp, path: os.kill(os.getpid(), signal.SIGKILL)
        fsio.atomic_write({str(target)!r}, edit.dump(doc))
        print('not reached')
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "not reached" not in proc.stdout
    assert target.read_bytes() == original
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "case.yaml"]
    assert all(name.startswith(".case.yaml.") and name.endswith(".tmp") for name in leftovers)
    # the same write without the hook does replace the file
    from careerpath import fsio

    doc = edit.load(original, "case.yaml")
    edit.set_value(doc.data, ("enrollments", "ca-dor-vr", "applied"), "2026-08-28")
    fsio.atomic_write(target, edit.dump(doc))
    assert b"applied: 2026-08-28" in target.read_bytes()
    assert os.stat(target).st_size == len(original)


def test_every_sample_file_round_trips_byte_identical():
    from conftest import SAMPLE

    files = sorted(SAMPLE.rglob("*.yaml"))
    if not files:
        pytest.skip("sample-cases/ is not in this tree")
    for path in files:
        raw = path.read_bytes()
        doc = edit.load(raw, str(path))
        assert doc.drift == 0 and edit.dump(doc) == raw, path


def test_changing_any_date_in_the_samples_changes_one_line_only():
    """For each sample case/plan file, change up to 6 of its dates one at a time: each diff is that one line."""
    import re

    from conftest import SAMPLE
    from careerpath.history import flatten

    files = sorted([*SAMPLE.glob("cases/*/case.yaml"), *SAMPLE.glob("cases/*/plan.yaml")])
    if not files:
        pytest.skip("sample-cases/ is not in this tree")
    checked = 0
    for path in files:
        raw = path.read_bytes()
        doc = edit.load(raw, str(path))
        dates = [(k, v) for k, v in flatten(doc.data).items()
                 if isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", v)][:6]
        for key, value in dates:
            parts = tuple(int(p) if p.isdigit() else p for p in key.split("."))
            edit.set_value(doc.data, parts, "2001-02-03")
            removed, added = _changed(raw.decode(), edit.dump(doc).decode())
            assert len(removed) == len(added) == 1, (path, key)
            assert added[0].count("2001-02-03") == removed[0].count("2001-02-03") + 1, (path, key)
            assert added[0].count(value) == removed[0].count(value) - 1, (path, key)
            assert len(added[0]) == len(removed[0]), (path, key)   # same layout, only the date differs
            edit.set_value(doc.data, parts, value)
            checked += 1
        assert edit.dump(doc) == raw
    assert checked > 30

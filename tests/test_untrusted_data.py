"""Issue 21, the data half: values and names in a cloned caseload end in diagnostics, never in exit 70.

Each test starts from the reproduction the issue gives (on a private copy of
the sample caseload) and asserts the clean diagnostic or refusal that replaces
the crash or the silence, and that no internal error is printed.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from careerpath import validate
from conftest import ROOT, TODAY, copy_samples

DAY = ["--today", TODAY.isoformat()]


@pytest.fixture
def samples(tmp_path):
    return copy_samples(tmp_path / "caseload")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def codes_at(root: Path, file: str) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in validate(root, TODAY) if d.file == file]


def no_crash(r) -> None:
    assert r.code != 70 and "internal error" not in r.err and "Traceback" not in r.err, r.err


# ---------------------------------------------------------------- numbers too large for money

@pytest.mark.parametrize("value, says", [("1e26", "must be at most 1000000000"), (".inf", "must be a finite number"),
                                         (".nan", "must be a finite number")])
def test_a_wage_money_cannot_hold_is_a_validation_error_and_render_does_not_crash(samples, cli, value, says):
    edit(samples / "cases/sofia-ramirez/case.yaml", "wage: 18.20", f"wage: {value}")
    r = cli("validate", "-C", samples, *DAY)
    assert r.code == 1 and "`jobs[0].wage` " + says in r.out
    for args in (["render", "pccp", "sofia-ramirez"], ["render", "quarterly-report", "sofia-ramirez"],
                 ["report", "quarterly", "--period", "2026-Q3", "--out", samples.parent / "out"]):
        r = cli(*args, "-C", samples, *DAY)
        no_crash(r)
    r = cli("render", "pccp", "sofia-ramirez", "-C", samples, *DAY)
    assert r.code == 1 and "has errors" in r.err


def test_a_program_number_without_a_declared_bound_still_has_one(samples, cli):
    from careerpath.programs.fields import NUMBER_MAX

    # ca-dor-se declares group_size as an integer with no max: the default bound applies
    edit(samples / "cases/paj-xyooj/case.yaml", "group_size: 5", "group_size: " + "9" * 40)
    assert ("invalid-value", f"`enrollments.ca-dor-se.group_size` must be at most {NUMBER_MAX}") in codes_at(
        samples, "cases/paj-xyooj/case.yaml")
    no_crash(cli("report", "outcomes", "--period", "2026", "--out", samples.parent / "out", "-C", samples, *DAY))


# ---------------------------------------------------------------- dates outside 1900-2200

@pytest.mark.parametrize("field, old, new", [
    ("enrollments.ca-dor-vr.applied", "applied: 2026-05-11", "applied: 9999-12-31"),
    ("opened", "opened: 2026-05-11", "opened: 0001-01-01"),
])
def test_a_date_outside_1900_2200_is_an_error_not_a_vanished_obligation(samples, cli, field, old, new):
    edit(samples / "cases/ashley-brooks/case.yaml", old, new)
    assert ("invalid-date", f"`{field}` must be from 1900-01-01 to 2200-12-31") in codes_at(
        samples, "cases/ashley-brooks/case.yaml")
    r = cli("due", "-C", samples, *DAY)
    no_crash(r)
    assert "1 file has errors" in r.err  # computed from what loaded, and said so


def test_an_event_date_outside_the_span_is_an_error(samples):
    events = samples / "cases/linh-tran/events"
    first = sorted(events.iterdir())[0]
    edit(first, "date: ", "date: 2201-01-01 #")
    assert any(c == "invalid-date" for c, _ in codes_at(samples, f"cases/linh-tran/events/{first.name}"))


# ---------------------------------------------------------------- null documents, every file kind

@pytest.mark.parametrize("rel", ["careerpath.yaml", "cases/linh-tran/case.yaml", "cases/linh-tran/plan.yaml",
                                 "events", "referrals"])
@pytest.mark.parametrize("null", ["~\n", "null\n", "---\n", "--- ~\n"])
def test_a_null_document_in_any_file_kind_is_an_error(samples, cli, rel, null):
    if rel == "events":
        rel = "cases/linh-tran/events/" + sorted((samples / "cases/linh-tran/events").iterdir())[0].name
    elif rel == "referrals":
        rel = "cases/alsu-galieva/referrals/" + sorted((samples / "cases/alsu-galieva/referrals").iterdir())[0].name
    (samples / rel).write_text(null)
    assert ("empty-file", "the file holds no data, only a null document") in codes_at(samples, rel)
    r = cli("validate", "-C", samples, *DAY)
    assert r.code == 1 and f"{rel}:1:1: error empty-file" in r.out


def test_a_null_program_file_is_an_error(samples):
    (samples / "programs/x-toy").mkdir(parents=True)
    (samples / "programs/x-toy/program.yaml").write_text("~\n")
    assert any(d.severity == "error" and d.file.startswith("programs/x-toy") for d in validate(samples, TODAY))


# ---------------------------------------------------------------- file names with control characters

@pytest.mark.parametrize("name", ["2026-02-02-intake\n2026-01-01 key-date-changed x.yaml", "2026-02-02-\x1b[2Jx.yaml",
                                  "2026-02-02-\u202eliated.yaml", "2026-02-02-\x07bell.yaml"])
def test_an_event_file_named_with_control_characters_is_refused_and_shown_escaped(samples, cli, name):
    events = samples / "cases/linh-tran/events"
    first = sorted(events.iterdir())[0]
    first.rename(events / name)
    r = cli("validate", "-C", samples, *DAY)
    assert r.code == 1
    lines = [line for line in r.out.splitlines() if "file-name-unsafe" in line]
    assert len(lines) == 1 and "cases/linh-tran/events/2026-02-02-" in lines[0]
    assert not any(c in r.out for c in "\x1b\x07\u202e")
    assert not any(line.startswith("2026-01-01 key-date-changed") for line in r.out.splitlines())


def test_audit_shows_a_file_name_with_a_line_break_on_one_line(samples, cli):
    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.invalid"}

    def git(*args):
        subprocess.run(["git", *args], cwd=samples, env=env, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "seed")
    events = samples / "cases/linh-tran/events"
    first = sorted(events.iterdir())[0]
    git("mv", str(first.relative_to(samples)), str((events / (first.stem + "\n2026-01-01 key-date-changed x.yaml"))
                                                     .relative_to(samples)))
    git("commit", "-qm", "rename\x1b[2J")
    r = cli("audit", "-C", samples, *DAY)
    no_crash(r)
    assert not any(line.startswith("2026-01-01 key-date-changed") for line in r.out.splitlines())
    assert "\\n2026-01-01 key-date-changed" in r.out
    r = cli("history", "linh-tran", "-C", samples, *DAY)
    assert "\x1b" not in r.out and "rename\\x1b[2J" in r.out


# ---------------------------------------------------------------- control characters in text values

@pytest.mark.parametrize("value, char", [(r'"\e[2J\e]0;x\a"', "U+001B"), (r'"Harbor\u202Eview"', "U+202E"),
                                         ('"ok \\x9b31m"', "U+009B"), ("\"a\\u2066b\"", "U+2066")])
def test_validate_refuses_control_characters_in_text_fields_escaped_or_literal(samples, value, char):
    edit(samples / "cases/jamal-carter/case.yaml", "employer: ", f"employer: {value}\n    title_was: ")
    assert ("control-character", f"`jobs[0].employer` holds the control character {char}") in codes_at(
        samples, "cases/jamal-carter/case.yaml")


def test_a_literal_direction_override_is_refused(samples):
    edit(samples / "cases/jamal-carter/case.yaml", "employer: ", "employer: Harbor\u202eview\n    title_was: ")
    assert any(c == "control-character" for c, _ in codes_at(samples, "cases/jamal-carter/case.yaml"))


def test_a_multi_line_note_and_tabs_are_still_text(samples):
    events = samples / "cases/linh-tran/events"
    first = sorted(events.iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + 'summary: "line one\\nline two\\tand a tab"\n', encoding="utf-8")
    assert not [c for c, _ in codes_at(samples, f"cases/linh-tran/events/{first.name}") if c == "control-character"]


def _on_a_terminal(args: list[str], cwd: Path, columns: int = 0) -> bytes:
    """Run careerpath with stdout and stderr on a real pseudo-terminal (``columns`` wide, when given); return every
    byte the terminal got."""
    main, child = pty.openpty()
    if columns:
        import fcntl
        import struct
        import termios

        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAREERPATH_LANG": "en"}
    if columns:  # (the terminal's size, not one the environment names)
        env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen([sys.executable, "-m", "careerpath", *args], stdout=child, stderr=child, cwd=cwd, env=env)
    os.close(child)
    out = b""
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(main)
    return out


def test_show_on_a_terminal_prints_escape_sequences_escaped(samples):
    edit(samples / "cases/jamal-carter/case.yaml", "employer: ", r'employer: "\e[2J\e]0;pwned\a\u202Eevil"' + "\n    title_was: ")
    got = _on_a_terminal(["show", "jamal-carter", "-C", str(samples), *DAY], samples)
    assert b"\\x1b[2J\\x1b]0;pwned\\x07\\u202eevil" in got
    assert b"\x1b" not in got and b"\x07" not in got and "\u202e".encode() not in got


def test_due_explain_on_a_terminal_colours_its_table_and_escapes_a_name(samples):
    """The explained table (rich) reaches the terminal past the CLI's escaping as careerpath's own colours, in the
    user's language, with a caseload's text in its cells escaped."""
    edit(samples / "careerpath.yaml", "    name: Marisol Reyes", r'    name: "\e[2JMarisol Reyes"')
    got = _on_a_terminal(["due", "--explain", "-C", str(samples), *DAY], samples, columns=200)
    assert b"\\x1b[2JMarisol R." in got and b"\x1b[2J" not in got
    assert b"\x1b[1m" in got and b"\\x1b[1m" not in got  # the headers in bold, not "\x1b[1m" shown as text
    assert b"STATUS" in got and b"OBLIGATION" in got
    spanish = _on_a_terminal(["--lang", "es", "due", "--explain", "-C", str(samples), *DAY], samples, columns=200)
    assert b"STATUS" not in spanish and b"\\x1b[" not in spanish.replace(b"\\x1b[2J", b"")


def test_a_pipe_gets_the_bytes_and_validate_still_names_the_field(samples, cli):
    """Off a terminal (a pipe, a file) show prints what the case holds; validate has said it is refused."""
    edit(samples / "cases/jamal-carter/case.yaml", "employer: ", r'employer: "\e[2J"' + "\n    title_was: ")
    r = cli("show", "jamal-carter", "-C", samples, *DAY)
    no_crash(r)
    assert cli("validate", "-C", samples, *DAY).code == 1


# ---------------------------------------------------------------- templates with limits

TEMPLATE_ATTACKS = {
    "format-map": "{{ '{0.x}'.format_map({}) }}",
    "range": "{% for i in range(10**9) %}x{% endfor %}",
    "recursive-macro": "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
    "repeat": "{{ 'x' * 10**8 }}",
    "power": "{% set n = 10 %}{{ n ** 10000000 }}",
    "percent-width": "{{ '%0999999999d' % 1 }}",
    "brace-width": "{{ '{:999999999}'.format(1) }}",
    "brace-nested-width": "{{ '{:{w}}'.format(1, w=999999999) }}",
    "center": "{{ 'x'|center(999999999) }}",
    "format-filter": "{{ '%099999999d'|format(1) }}",
    "output": "{% for i in range(100000) %}{% for j in range(300) %}xxxxxxxxxx{% endfor %}{% endfor %}",
}


@pytest.mark.parametrize("name", sorted(TEMPLATE_ATTACKS))
def test_a_template_asking_too_much_is_a_template_error(samples, cli, name):
    (samples / "templates").mkdir()
    (samples / "templates/pccp.md.j2").write_text(TEMPLATE_ATTACKS[name] + "\n")
    r = cli("render", "pccp", "linh-tran", "-C", samples, *DAY)
    no_crash(r)
    assert r.code == 1 and "template" in r.err and r.out == ""


def test_a_template_that_runs_too_long_is_stopped(samples, cli, monkeypatch):
    from careerpath.documents import limits

    monkeypatch.setattr(limits, "SECONDS", 1.0)
    (samples / "templates").mkdir()
    (samples / "templates/pccp.md.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n")
    r = cli("render", "pccp", "linh-tran", "-C", samples, *DAY)
    no_crash(r)
    assert r.code == 1 and "over a limit: more than 1 seconds" in r.err


def test_the_time_limit_keeps_an_outer_alarm(monkeypatch):
    import signal
    import time

    from careerpath.documents.limits import time_limit

    fired = []
    old = signal.signal(signal.SIGALRM, lambda *_: fired.append(time.monotonic()))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.6)
        with time_limit(5):
            time.sleep(0.05)
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0.3   # re-armed with the time left
        time.sleep(1.0)
        assert len(fired) == 1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_the_built_in_templates_render_within_the_limits(samples, cli):
    r = cli("render", "pccp", "linh-tran", "-C", samples, *DAY)
    assert r.code == 0 and r.out


# ---------------------------------------------------------------- CSV injection

FORMULAS = ['=HYPERLINK("http://example.invalid","click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\tindented", "\rreturn"]


def test_csv_cell_neutralises_every_formula_start_and_leaves_numbers():
    from careerpath.textsafe import csv_cell

    for text in FORMULAS:
        assert csv_cell(text) == "'" + text
    assert csv_cell("Harborview Market") == "Harborview Market"
    assert csv_cell(-3) == -3 and csv_cell(18.75) == 18.75 and csv_cell(None) is None


@pytest.mark.parametrize("formula", FORMULAS[:4])  # a leading tab or CR never loads: values are stripped
def test_the_outcomes_csv_shows_an_employer_formula_as_text(samples, cli, formula):
    import csv
    import json

    edit(samples / "cases/jamal-carter/case.yaml", "employer: Harborview Market", f"employer: {json.dumps(formula)}")
    out = samples.parent / "out"
    r = cli("report", "outcomes", "--period", "2026", "--out", out, "-C", samples, *DAY)
    no_crash(r)
    rows = list(csv.reader((out / "outcomes-2026.csv").read_text(encoding="utf-8-sig").splitlines()))
    cells = [c for row in rows for c in row]
    assert "'" + formula in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]
    assert not [c for c in cells if c.startswith("-") and not c.lstrip("-").replace(".", "").isdigit()]


def test_the_due_csv_neutralises_text_cells():
    from careerpath.obligations.export import CSV_COLUMNS, csv_rows, join_csv

    class Row:
        def to_dict(self):
            return {**{c: None for c in CSV_COLUMNS}, "case": "x", "title": "=cmd()", "detail": "@SUM(A1)",
                    "citation": "+1", "staff": ["-rm"], "past_due": True}

    text = join_csv(csv_rows([Row()]))
    assert "'=cmd()" in text and "'@SUM(A1)" in text and "'+1" in text and "'-rm" in text and ",true," in text

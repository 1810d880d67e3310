"""Property tests: mutated caseloads never make load or validate raise.

Valid settings, case, plan, event and referral texts are mutated (byte flips,
lines deleted, duplicated or swapped, indentation changed, random scalars in
typed fields, random keys, unicode and control characters, YAML indicators,
truncation), written as a caseload, loaded and validated with the library;
obligations are computed and the redactor run over what loaded. Nothing may
raise; every diagnostic must carry a known code and a 1-based position
inside its file.

The default suite runs a small sample; ``pytest -m fuzz`` runs 10,000+ and
prints the count.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careerpath.checks import validate
from careerpath.diagnostics import CODES
from careerpath.loader import load
from careerpath.obligations import compute
from careerpath.redact import Redactor

TODAY = date(2026, 11, 22)
_TMP = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None  # RAM: 10,000 caseloads

SEEDS: dict[str, str] = {
    "careerpath.yaml": """\
agency: Bay Navigation Services
default_language: en
staff:
  - id: jsmith
    name: Jordan Smith
    role: navigator
    languages: [en, vi]
    degree: bachelor
    years_dd_experience: 4
    person_centered_training: true
    certifications: [CESP]
  - {id: reva, name: Роза Евдокимова, role: curator, languages: [ru]}
settings:
  warn_days: 30
  retention_checks: [30d, 6m, 12m]
""",
    "cases/an-nguyen/case.yaml": """\
id: an-nguyen
status: active
opened: 2026-03-02
person:
  name: Nguyễn Văn An
  preferred_name: An
  birth_date: 2003-04-14
  language: vi
  interpreter: true
  phone: "+1 408 555 0142"
  representative: {name: Trần Thị Mai, relationship: mother}
identifiers:
  uci: "7654321"
  ssn: "123-45-6789"
staff:
  navigator: jsmith
enrollments:
  ca-dds-ccp:
    basis: exiting-secondary-education
    school_exit: 2026-06-10
    start: 2026-03-02
    subcodes: [NAV, CES]
  ca-dor-vr:
    applied: 2026-04-01
    eligibility: {status: eligible, decided: 2026-05-20}
    ipe: {signed: 2026-07-01, reviews: [2026-10-01]}
jobs:
  - employer: Sunrise Bakery
    start: 2026-09-01
    hours_per_week: 20
    wage: 18.5
    currency: USD
    integrated: true
""",
    "cases/an-nguyen/plan.yaml": """\
own_words: I want to work with food.
strengths: [punctual, friendly]
goals:
  - id: g1
    area: employment
    statement: Work at a bakery 20 hours a week
    objectives:
      - {id: o1, text: Visit three bakeries, due: 2026-05-01, done: 2026-04-20}
services:
  - {name: Job development, program: ca-dds-ccp, start: 2026-04-01}
""",
    "cases/an-nguyen/events/2026-10-05-monthly-review.yaml": """\
date: 2026-10-05
type: monthly-review
by: jsmith
program: ca-dds-ccp
summary: |
  Met at the bakery; An likes the morning shift.
""",
    "cases/ivanova/case.yaml": """\
id: ivanova
person: {name: Иванова Мария Петровна, language: ru, birth_date: 1990-01-05}
identifiers: {snils: "112-233-445 95"}
enrollments:
  ru-czn-disability:
    registered: 2026-02-01
    curator: reva
    disability: {group: 2, set_on: 2025-12-01}
    ipra: {number: "123.45.67/2025", measures: [{name: Профобучение, from: 2026-03-01, to: 2026-06-01}]}
""",
    "cases/ivanova/referrals/2026-03-01-psychologist.yaml": """\
date: 2026-03-01
to: Центр психологической помощи
kind: psychological-support
program: ru-czn-disability
consent: agreed
follow_up: 2026-04-01
""",
}

SCALARS = st.one_of(
    st.sampled_from(["", "~", "null", "yes", "no", "true", "0042", "0x1F", "0o17", "1e999", ".nan", "-.inf",
                     "2026-02-30", "2026-13-01", "9999-12-31", "0001-01-01", "'unclosed", '"unclosed', "[", "]", "{",
                     "}", "*alias", "&anchor x", "!!python/object:os.system", "!tag x", "<<", "%YAML 1.1", "---",
                     "...", "- x", "? x", "|", ">", "#", "@", "`", "\\u0000", "99999999999999999999999", "-1",
                     "[1, [2, [3]]]", "{a: {b: c}}", "'a''b'", "ru", "hmn", "ca-dds-ccp", "active", "closed",
                     # issue 21: money past what formats, dates at the span's edges, escapes, formulas
                     "1e26", "1e9", "1000000001", "2201-01-01", "1899-12-31", "2200-12-31", "1900-01-01",
                     '"\\e[2J\\e]0;x\\a"', '"\\u202Eevil"', '"\\x9b31m"', '"=HYPERLINK(1)"', "'@SUM(A1)'",
                     "'+1'", "'-x'"]),
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(str),
    st.text(min_size=0, max_size=30),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=5),
)
JUNK = st.one_of(
    st.binary(min_size=1, max_size=8),
    st.sampled_from([b"\t", b"\r", b"\r\n", b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\xc3", b"\xe2\x80\xa8",
                     b": ", b" #", b"&a ", b"*a", b"!!str ", b"\n---\n", b"\n...\n", b"%TAG ! x\n", b"'", b'"',
                     b"\\", "ё".encode(), "🙂".encode(), "\u202e".encode()]),
)


@st.composite
def mutation(draw, text: bytes) -> bytes:
    """Apply one random mutation to ``text``."""
    lines = text.split(b"\n")
    op = draw(st.sampled_from(["flip", "delete", "duplicate", "swap", "indent", "dedent", "scalar", "key", "junk",
                               "truncate", "repeat-line"]))
    if op == "flip" and text:
        i = draw(st.integers(0, len(text) - 1))
        return text[:i] + bytes([draw(st.integers(0, 255))]) + text[i + 1 :]
    if op in ("delete", "duplicate", "swap", "indent", "dedent", "scalar", "repeat-line") and lines:
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, line)
        elif op == "repeat-line":
            lines[i:i + 1] = [line] * draw(st.integers(2, 40))
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            lines[i] = b" " * draw(st.integers(1, 5)) + line
        elif op == "dedent":
            lines[i] = line.lstrip(b" ")
        elif op == "scalar":
            head, sep, _ = line.partition(b": ")
            value = draw(SCALARS).encode("utf-8", "surrogatepass")
            lines[i] = head + b": " + value if sep else line + value
        return b"\n".join(lines)
    if op == "key":
        i = draw(st.integers(0, len(lines)))
        key = draw(st.one_of(st.sampled_from(["id", "person", "name", "status", "date", "type", "jobs", "x", "ca-dds-ccp",
                                               "<<", "? ", "- ", "&a k", "*a"]), st.text(max_size=10)))
        indent = b" " * draw(st.sampled_from([0, 2, 4, 6]))
        lines.insert(i, indent + key.encode("utf-8", "surrogatepass") + b": " + draw(SCALARS).encode("utf-8", "surrogatepass"))
        return b"\n".join(lines)
    if op == "junk":
        i = draw(st.integers(0, len(text)))
        return text[:i] + draw(JUNK) + text[i:]
    if op == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    return text


@st.composite
def caseloads(draw) -> dict[str, bytes]:
    files = {path: text.encode() for path, text in SEEDS.items()}
    targets = draw(st.lists(st.sampled_from(sorted(SEEDS)), min_size=1, max_size=3))
    for path in targets:
        for _ in range(draw(st.integers(1, 4))):
            files[path] = draw(mutation(files[path]))
    # issue 21: a whole file that is only null, and event or referral files named with control characters
    if draw(st.booleans()):
        files[draw(st.sampled_from(sorted(files)))] = draw(st.sampled_from([b"~\n", b"null\n", b"---\n", b"--- ~\n"]))
    if draw(st.integers(0, 3)) == 0:
        dated = [p for p in sorted(files) if "/events/" in p or "/referrals/" in p]
        old = draw(st.sampled_from(dated))
        bad = draw(st.sampled_from(["\n2026-01-01 key-date-changed x", "\x1b[2J", "\u202e", "\x07", "\t", "\x9b"]))
        files[old.replace(".yaml", bad + ".yaml")] = files.pop(old)
    return files


def _lines(raw: bytes) -> list[str]:
    text = raw.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def check_caseload(files: dict[str, bytes]) -> int:
    """Load and validate ``files`` as a caseload; assert every diagnostic is well-formed."""
    root = Path(tempfile.mkdtemp(prefix="cp-fuzz-", dir=_TMP))
    try:
        for rel, raw in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(raw)
        cl = load(root)
        diags = validate(cl, TODAY)
        # later stages take whatever loaded: obligations, and --redact over the models and a text
        compute(cl, TODAY, include_closed_history=True)
        red = Redactor(cl)
        red.caseload(cl)
        red.text("\n".join(f"{d.file} {d.message}" for d in diags))
        for d in diags:
            assert d.code in CODES, d
            assert d.severity == CODES[d.code][0] or d.code in ("unknown-field",), d
            assert d.line >= 1 and d.column >= 1, d
            if d.file in files:
                lines = _lines(files[d.file])
                assert d.line <= len(lines) + 1, (d, len(lines))
                if d.line <= len(lines):
                    assert d.column <= len(lines[d.line - 1]) + 2, (d, lines[d.line - 1][:80])
            assert "Traceback" not in d.message
        return len(diags)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_the_seeds_are_clean():
    files = {path: text.encode() for path, text in SEEDS.items()}
    root = Path(tempfile.mkdtemp(prefix="cp-fuzz-"))
    try:
        for rel, raw in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(raw)
        diags = validate(load(root), TODAY)
        assert [d for d in diags if d.severity == "error"] == []
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow  # 200 generated caseloads: CI runs it (`pytest -m slow`); `pytest -m fuzz` runs 10,000
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(caseloads())
def test_mutated_caseloads_never_raise_sample(files):
    check_caseload(files)


@pytest.mark.fuzz
def test_mutated_caseloads_never_raise_10k(capsys):
    count = 0
    diagnostics = 0

    @settings(max_examples=10_000, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(caseloads())
    def run(files):
        nonlocal count, diagnostics
        count += 1
        diagnostics += check_caseload(files)

    run()
    with capsys.disabled():
        print(f"\nfuzz: {count:,} generated caseloads loaded, validated, computed and redacted, {diagnostics:,} diagnostics, 0 tracebacks")
    assert count >= 10_000


# ---------------------------------------------------------------- cloned-repository attacks (issue 21)
#
# A clone can carry links and special files where careerpath reads or writes,
# and the user may point --out/--output at anything. Each example builds the
# seed caseload, plants 1-4 such things (a link leading to a "secret" folder
# outside, a dangling link into it, a FIFO, a device node where the tests run
# as root, a folder where a file belongs, a file where a folder belongs), then
# runs one command through the CLI with an output target drawn from the same
# kinds. Invariants: no internal error and an exit code the docs list; no
# byte, link or node outside the caseload and the output folder changed; each
# planted thing is still exactly what it was (never replaced, never written
# through); no command blocks (a FIFO read would: 30 s alarm).

import contextlib
import io
import signal
import stat as stat_
from typing import Optional

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0
PLACES = {  # where a clone can plant something, and what belongs there
    "templates": "dir", "programs": "dir", ".careerpath": "dir", "reports": "dir", "schemas": "dir",
    "cases/an-nguyen/events": "dir", "cases/ivanova": "dir", "cases/an-nguyen/plan.yaml": "file",
    "careerpath.yaml": "file", "reports/dashboard.html": "file", "reports/quarterly-2026-Q3": "dir",
    "reports/registry-sign-in-2026.csv": "file", "schemas/case.schema.json": "file", "templates/pccp.md.j2": "file",
    "programs/x-evil": "dir", "programs/x-evil/program.yaml": "file", ".careerpath/lock": "file",
}
PLANTS = ["link-out", "dangling", "fifo", "folder", "file", *(["device"] if ROOT_USER else [])]
FILE_TARGETS = ["new", "link-out", "dangling", "fifo", "folder", "-", "/dev/stdout", "", *(["device"] if ROOT_USER else [])]
DIR_TARGETS = ["new", "file", "fifo", "link-file", "", "-", *(["device"] if ROOT_USER else [])]


# careerpath/cache.py reads careerpath.yaml before the loader checks it: a FIFO or a device there blocks or reads
# without end. The cache is restructured separately (issue 21 point 1); until then these two are left out here and
# kept visible as a strict xfail: tests/test_cloned_caseload.py::test_an_endless_careerpath_yaml_does_not_hang_the_cached_load
KNOWN_HOLES = {("careerpath.yaml", "fifo"), ("careerpath.yaml", "device")}


def _plant(path: Path, kind: str, secret: Path, belongs: str) -> None:
    if kind == "link-out":
        path.symlink_to(secret if belongs == "dir" else secret / "precious.txt", target_is_directory=belongs == "dir")
    elif kind == "dangling":
        path.symlink_to(secret / f"made-{path.name}")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        os.mknod(path, 0o600 | stat_.S_IFCHR, os.makedev(1, 7))   # like /dev/full
    elif kind == "folder":
        path.mkdir()
    elif kind == "file":
        path.write_text("a file where a folder belongs\n")
    elif kind == "link-file":
        path.symlink_to(secret / "precious.txt")


def _state(folder: Path) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        st_ = path.lstat()
        key = path.relative_to(folder).as_posix()
        if stat_.S_ISLNK(st_.st_mode):
            out[key] = ("link", os.readlink(path))
        elif stat_.S_ISREG(st_.st_mode):
            out[key] = ("file", path.read_bytes())
        elif stat_.S_ISDIR(st_.st_mode):
            out[key] = ("dir",)
        else:
            out[key] = ("node", stat_.S_IFMT(st_.st_mode), st_.st_rdev)
    return out


def _node(path: Path) -> tuple:
    st_ = path.lstat()
    return (stat_.S_IFMT(st_.st_mode), os.readlink(path) if stat_.S_ISLNK(st_.st_mode) else None,
            st_.st_rdev if stat_.S_ISCHR(st_.st_mode) else None)


COMMANDS = ["validate", "due", "render", "render-html", "report", "report-default", "schema", "schema-default", "show",
            "doctor"]


@st.composite
def attacks(draw):
    places = draw(st.lists(st.sampled_from(sorted(PLACES)), min_size=1, max_size=4, unique=True))
    planted = {p: draw(st.sampled_from([k for k in PLANTS if (p, k) not in KNOWN_HOLES])) for p in places}
    command = draw(st.sampled_from(COMMANDS))
    target = draw(st.sampled_from(DIR_TARGETS if command in ("report", "schema") else FILE_TARGETS))
    extra = draw(st.sampled_from(["dashboard", "registry", "quarterly", "outcomes"])) if command.startswith("report") \
        else draw(st.sampled_from(["csv", "json", "ics"])) if command == "due" else ""
    return planted, command, target, extra


def _args(command: str, root: Path, out: str, extra: str) -> list[str]:
    day = ["--today", TODAY.isoformat(), "-C", str(root)]
    return {
        "validate": ["validate", *day],
        "due": ["due", *day, "--format", extra, "--output", out],
        "render": ["render", "pccp", "an-nguyen", *day, "--out", out],
        "render-html": ["render", "pccp", "an-nguyen", *day, "--format", "html", "--out", out],
        "report": ["report", extra, *day, "--period", "2026-Q3" if extra == "quarterly" else "2026", "--out", out],
        "report-default": ["report", extra, *day, "--period", "2026-Q3" if extra == "quarterly" else "2026"],
        "schema": ["schema", "-C", str(root), "--out", out],
        "schema-default": ["schema", "-C", str(root)],
        "show": ["show", "an-nguyen", *day],
        "doctor": ["doctor", "-C", str(root)],
    }[command]


class _Hung(Exception):
    pass


def check_attack(planted: dict[str, str], command: str, target: str, extra: str) -> int:
    """Plant, run, compare. Returns the exit code."""
    from careerpath.cli import main

    base = Path(tempfile.mkdtemp(prefix="cp-clone-", dir=_TMP))
    root, secret, out_dir = base / "caseload", base / "secret", base / "out"
    try:
        for rel, text in SEEDS.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        secret.mkdir()
        (secret / "precious.txt").write_text("the user's own file\n")
        out_dir.mkdir()
        for rel in sorted(planted):  # parents first; a planted parent that is not a real folder skips its children
            path = root / rel
            if any(p.is_symlink() or (p.exists() and not p.is_dir()) for p in [*path.relative_to(root).parents][:-1]
                   for p in [root / p]):
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists() or path.is_symlink():
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
            _plant(path, planted[rel], secret, PLACES[rel])
        out: Optional[Path] = None
        if target in ("-", "/dev/stdout", ""):
            out_text = target                  # standard output, or the empty path (a usage error)
        else:
            out = out_dir / f"target-{target}"
            if target != "new":
                _plant(out, target, secret, "dir" if command in ("report", "schema") else "file")
            out_text = str(out)
        watched = {p: _node(p) for p in [*(root / r for r in planted), *([out] if out and target != "new" else [])]
                   if p.exists() or p.is_symlink()}
        before_secret = _state(secret)
        args = _args(command, root, out_text, extra)
        stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
        stderr = io.StringIO()

        def hung(*_):
            raise _Hung(f"{command} {target} {planted} did not finish in 30 s (a FIFO opened?)")

        old = signal.signal(signal.SIGALRM, hung)
        signal.alarm(30)
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                code = main(args)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
        err = stderr.getvalue()
        assert code in (0, 1, 2, 3, 75), (code, args, planted, err)
        assert "internal error" not in err and "Traceback" not in err, (args, planted, err)
        assert _state(secret) == before_secret, (args, planted, err)
        for path, node in watched.items():
            assert _node(path) == node, (path, args, planted, err)
        return code
    finally:
        shutil.rmtree(base, ignore_errors=True)   # links are removed, not followed; FIFOs and nodes are unlinked


@pytest.fixture
def default_cache_place(monkeypatch, tmp_path):
    """The cache where careerpath puts it by default (.careerpath/, else the user's cache folder), not the tests' folder."""
    monkeypatch.delenv("CAREERPATH_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.function_scoped_fixture])
@given(attacks())
def test_cloned_repository_attacks_sample(default_cache_place, attack):
    check_attack(*attack)


@pytest.mark.fuzz
def test_cloned_repository_attacks_2k(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("CAREERPATH_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    count = 0
    codes: dict[int, int] = {}

    @settings(max_examples=2_000, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(attacks())
    def run(attack):
        nonlocal count
        count += 1
        code = check_attack(*attack)
        codes[code] = codes.get(code, 0) + 1

    run()
    with capsys.disabled():
        print(f"\nfuzz: {count:,} cloned-repository attacks (links, FIFOs, nodes, folders planted; outputs aimed at "
              f"them), exit codes {dict(sorted(codes.items()))}, 0 writes outside, 0 planted things replaced")
    assert count >= 2_000


# ---------------------------------------------------------------- hostile values through the commands (issue 21)
#
# The mutated caseloads above go through the library; the exit-70 cases of issue 21 were in the commands
# (currency formatting in render and the quarterly report, templates). Each example here mutates the seeds
# the same way (with the values among the scalars), may add a hostile template, and runs one
# output command in-process. Invariants: an exit code the docs list, never an internal error, and no CSV
# cell a spreadsheet would run as a formula.

TEMPLATES = ["", "{{ '{0.x}'.format_map({}) }}", "{% for i in range(10**9) %}x{% endfor %}",
             "{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}", "{{ 'x' * 10**8 }}", "{{ '%0999999999d' % 1 }}",
             "{{ '{:999999999}'.format(1) }}", "{{ 'x'|center(999999999) }}", "{{ person.name }} {{ 1/0 }}"]
VALUE_COMMANDS = ["render", "render-html", "report-outcomes", "report-quarterly", "report-registry", "due-csv", "show"]


def check_values(files: dict[str, bytes], template: str, command: str) -> int:
    import csv
    import io as io_
    import contextlib as cl_

    from careerpath.cli import main

    base = Path(tempfile.mkdtemp(prefix="cp-values-", dir=_TMP))
    root, out = base / "caseload", base / "out"
    try:
        for rel, raw in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(raw)
        if template:
            (root / "templates").mkdir()
            (root / "templates/pccp.md.j2").write_text(template + "\n")
            (root / "templates/pccp.html.j2").write_text(template + "\n")
        day = ["--today", TODAY.isoformat(), "-C", str(root)]
        args = {
            "render": ["render", "pccp", "an-nguyen", *day],
            "render-html": ["render", "pccp", "an-nguyen", "--format", "html", *day],
            "report-outcomes": ["report", "outcomes", "--period", "2026", "--out", str(out), *day],
            "report-quarterly": ["report", "quarterly", "--period", "2026-Q3", "--out", str(out), *day],
            "report-registry": ["report", "registry", "--period", "2026", "--out", str(out), *day],
            "due-csv": ["due", "--format", "csv", "--output", str(out / "due.csv"), *day],
            "show": ["show", "an-nguyen", *day],
        }[command]
        stdout, stderr = io_.StringIO(), io_.StringIO()
        with cl_.redirect_stdout(stdout), cl_.redirect_stderr(stderr):
            code = main(args)
        err = stderr.getvalue()
        assert code in (0, 1, 2, 3), (code, args, err)
        assert "internal error" not in err and "Traceback" not in err, (args, err)
        for path in out.rglob("*.csv") if out.exists() else []:
            for row in csv.reader(path.read_text(encoding="utf-8-sig").splitlines()):
                for cell in row:
                    assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path.name, cell)
                    assert not cell.startswith("-") or cell.lstrip("-").replace(".", "", 1).isdigit(), (path.name, cell)
        return code
    finally:
        shutil.rmtree(base, ignore_errors=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                 HealthCheck.function_scoped_fixture])
@given(caseloads(), st.sampled_from(TEMPLATES), st.sampled_from(VALUE_COMMANDS))
def test_hostile_values_through_the_commands_sample(default_cache_place, files, template, command):
    check_values(files, template, command)


@pytest.mark.fuzz
def test_hostile_values_through_the_commands_1k(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("CAREERPATH_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    count = 0
    codes: dict[int, int] = {}

    @settings(max_examples=1_000, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(caseloads(), st.sampled_from(TEMPLATES), st.sampled_from(VALUE_COMMANDS))
    def run(files, template, command):
        nonlocal count
        count += 1
        code = check_values(files, template, command)
        codes[code] = codes.get(code, 0) + 1

    run()
    with capsys.disabled():
        print(f"\nfuzz: {count:,} hostile caseloads through render, report, due --format csv and show, exit codes "
              f"{dict(sorted(codes.items()))}, 0 internal errors, 0 formula cells")
    assert count >= 1_000

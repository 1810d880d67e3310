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
                     "[1, [2, [3]]]", "{a: {b: c}}", "'a''b'", "ru", "hmn", "ca-dds-ccp", "active", "closed"]),
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

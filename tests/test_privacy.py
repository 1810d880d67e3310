"""Personal data: never in messages, private file modes, redaction, and faults during writes."""

from __future__ import annotations

import errno
import json
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from conftest import copy_samples, CONFIG, run_process

from careerpath.loader import load
from careerpath.redact import Redactor, for_output, redact_text

# Invented people; each value below must never show in an error message or log line.
NAMES = ["Marisol Quintanilla", "Quintanilla", "Marisol", "Bartholomew Okonkwo-Reyes", "Евдокия Синичкина", "Синичкина"]
SSN = "123-45-6789"
SNILS = "112-233-445 95"
PHONE = "+1 669 555 0187"
BIRTH = "1991-07-23"
EMAIL = "marisol.q@example.org"
ADDRESS = "1717 Almaden Expressway"
UCI = "7654321"
SECRETS = [*NAMES, SSN, SNILS, PHONE, BIRTH, EMAIL, ADDRESS, UCI, "6695550187", "123456789", "11223344595", "Marisol Q"]

GOOD_CASE = f"""\
id: mq
person:
  name: {NAMES[0]}
  birth_date: {BIRTH}
  language: es
  phone: "{PHONE}"
  email: {EMAIL}
  address: {ADDRESS}
  representative: {{name: {NAMES[3]}, phone: "{PHONE}"}}
identifiers: {{uci: "{UCI}", ssn: "{SSN}"}}
"""

# broken fixtures: personal values sit in (or next to) every kind of failure
BROKEN = {
    "cases/a1/case.yaml": f"id: a1\nperson:\n  name: [{NAMES[1]}, {NAMES[2]}]\n  language: {NAMES[2]}\n  birth_date: 1991-02-30\n",
    "cases/a2/case.yaml": f"id: a2\nperson:\n  name: {NAMES[0]}\n  language: es\n  phone: call {PHONE} after 5\n  birth_date: {BIRTH}x\nidentifiers:\n  ssn: {SSN}0\n  snils: \"{SNILS}1\"\n  uci: {UCI}-{NAMES[2]}\n",
    "cases/a3/case.yaml": f"id: a3\nperson: {{name: {NAMES[4]}, language: ru}}\nidentifiers: {{snils: \"112-233-445 96\"}}\nstatus: {NAMES[5]}\n",
    "cases/a4/case.yaml": f"id: a4\nperson:\n  name: \"{NAMES[0]}\n  language: es\n",
    "cases/a5/case.yaml": f"id: a5\nperson:\n\tname: {NAMES[0]}\n",
    "cases/a6/case.yaml": f"id: a6\nperson:\n  name: {NAMES[0]}\n  name: {NAMES[3]}\n  language: es\n",
    "cases/a14/case.yaml": f"id: a14\nperson:\n  name: {NAMES[0]}\n  language: es\n  email: !!python/str {EMAIL}\n",
    "cases/a7/case.yaml": f"id: a7\nperson: {{name: {NAMES[0]}, language: es, address: {{street: {ADDRESS}}}, representative: {NAMES[3]}}}\n",
    "cases/a8/case.yaml": f"id: {NAMES[2]}\nperson: {{name: {NAMES[0]}, language: es, birth_date: {BIRTH}}}\nenrollments:\n  ca-dds-ccp: {{basis: {NAMES[1]}, start: {BIRTH}, service_coordinator: [{NAMES[3]}]}}\n",
    "cases/a9/case.yaml": f"id: a9\nperson: {{name: {NAMES[0]}, language: es}}\njobs:\n  - {{employer: {NAMES[3]}, start: {BIRTH}, wage: {SSN}, currency: {NAMES[2]}, integrated: {NAMES[1]}}}\n",
    "cases/a10/case.yaml": ("id: a10\nperson: {name: " + NAMES[0] + ", language: es}\nidentifiers: {ssn: " + SSN + "}\n").encode() + b"\xff\n",
    "cases/a11/events/2026-01-01-note.yaml": f"date: {BIRTH}\ntype: {NAMES[2]}\nsummary: [{NAMES[0]}]\nby: {NAMES[1]}\n",
    "cases/a11/case.yaml": GOOD_CASE.replace("id: mq", "id: a11"),
    "cases/a12/referrals/2026-01-01-x.yaml": f"date: 2026-01-01\nto: {NAMES[3]}\nkind: {NAMES[2]}\nfollow_up: {BIRTH}-1\n",
    "cases/a12/case.yaml": f"id: a12\nperson: {{name: {NAMES[0]}, language: es, phone: {{n: {PHONE}}}}}\n",
    "cases/a13/plan.yaml": f"goals:\n  - {{id: g, area: {NAMES[1]}, statement: [{NAMES[0]}]}}\nown_words: {{x: {SSN}}}\n",
    "cases/a13/case.yaml": f"id: a13\nperson: {{name: {NAMES[0]}, language: es, birth_date: {BIRTH}, preferred_name: [{NAMES[2]}]}}\n",
}


def _assert_clean(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked into: {text[max(0, text.find(secret) - 200): text.find(secret) + 100]}"


def test_broken_fixtures_fail_in_many_ways(caseload, cli):
    root = caseload(BROKEN)
    result = cli("validate", "--format", "json", "--caseload", root, "--today", "2026-11-22")
    codes = {d["code"] for d in json.loads(result.out)}
    assert {"wrong-type", "invalid-date", "invalid-value", "yaml-syntax", "yaml-tab", "yaml-duplicate-key",
            "yaml-tag", "snils-check", "not-utf8"} <= codes


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_personal_value_in_validate_output_as_a_process(fmt, caseload):
    root = caseload(BROKEN)
    result = run_process("validate", "--format", fmt, "--caseload", root, "--today", "2026-11-22")
    assert result.code == 1
    _assert_clean(result.out, result.err)


def test_no_personal_value_in_validate_output_in_process(caseload, cli):
    root = caseload(BROKEN)
    for args in (["--format", "json"], [], ["--quiet"], ["--strict"]):
        result = cli("validate", "--caseload", root, "--today", "2026-11-22", *args)
        assert result.code == 1
        _assert_clean(result.out, result.err)


def test_no_personal_value_in_loader_diagnostics_even_with_hints():
    """The library level: messages and hints of every diagnostic."""
    import tempfile

    from careerpath.checks import validate

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "careerpath.yaml").write_text(CONFIG)
        for rel, text in BROKEN.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(text if isinstance(text, bytes) else text.encode())
        diags = validate(load(root), date(2026, 11, 22))
        _assert_clean("\n".join(f"{d.message}\n{d.hint}" for d in diags))


@pytest.mark.parametrize("args", [
    ["--name", NAMES[0], "--language", NAMES[2]],
    ["--name", NAMES[0], "--language", "es", "--program", NAMES[1]],
    ["--name", NAMES[0], "--language", "es", "--opened", BIRTH + "x"],
    ["--name", NAMES[0], "--language", "es", "--program", "ca-dor-vr"],
    ["--name", NAMES[0], "--language", "es", "--program", "ca-dds-ccp", "--ccp-basis", NAMES[1]],
    ["--name", "", "--language", "es"],
    ["--name", NAMES[0], "--language", "es", "--program", "ca-dor-se", "--se-type", "group", "--extended-services-source", ""],
])
def test_no_personal_value_in_new_failures(args, caseload, cli):
    root = caseload({})
    result = cli("new", "mq", *args, "--caseload", root)
    assert result.code in (1, 2)
    assert "Traceback" not in result.err
    _assert_clean(result.out, result.err)
    assert not (root / "cases" / "mq").exists()


def test_no_personal_value_when_new_meets_an_existing_case(caseload):
    root = caseload({"cases/mq/case.yaml": GOOD_CASE})
    result = run_process("new", "mq", "--name", NAMES[0], "--language", "es", "--caseload", root)
    assert result.code == 1
    _assert_clean(result.out, result.err)


@pytest.mark.parametrize("name", ['a"b', "a\\b", "line\nbreak", "---", "!!python/object:os.system", "*alias", "&a x",
                                  "# not a comment", "{x: 1}", "[a]", "ключ: значение", "tab\there", "'quoted'"])
def test_new_writes_any_name_as_data_and_it_reads_back(name, caseload, cli):
    root = caseload({})
    result = cli("new", "mq", "--name", name, "--language", "es", "--caseload", root)
    assert result.code == 0, result.err
    cl = load(root)
    assert cl.cases["mq"].model.person.name == name.strip()


@pytest.mark.parametrize("name", ["\u202eevil", "a\x1b[2Jb", "bell\x07"])
def test_new_refuses_a_name_a_terminal_would_act_on(name, caseload, cli):
    """A direction override or an escape sequence in a value: refused like in a file (control-character)."""
    root = caseload({})
    result = cli("new", "mq", "--name", name, "--language", "es", "--caseload", root)
    assert result.code == 1 and "control-character" in result.err
    assert not (root / "cases" / "mq").exists()


# ---------------------------------------------------------------- file modes

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
def test_new_makes_private_files_and_folders(caseload, cli):
    root = caseload({})
    assert cli("new", "mq", "--name", "T", "--language", "es", "--caseload", root).code == 0
    case = root / "cases" / "mq"
    assert _mode(case / "case.yaml") == 0o600
    for folder in (case, case / "events", case / "referrals", case / "documents"):
        assert _mode(folder) == 0o700, folder


@posix_only
def test_init_makes_private_files_and_folders(cli, tmp_path):
    root = tmp_path / "new" / "caseload"
    assert cli("init", root).code == 0
    assert _mode(root / "careerpath.yaml") == 0o600
    assert _mode(root / "cases") == 0o700
    assert _mode(root) == 0o700 and _mode(root.parent) == 0o700
    assert ".careerpath/" in (root / ".gitignore").read_text()


@posix_only
def test_a_rewrite_keeps_the_mode_the_user_chose(tmp_path):
    from careerpath.fsio import atomic_write

    path = tmp_path / "f.yaml"
    atomic_write(path, "a: 1\n")
    assert _mode(path) == 0o600
    os.chmod(path, 0o640)
    atomic_write(path, "a: 2\n")
    assert _mode(path) == 0o640 and path.read_text() == "a: 2\n"


# ---------------------------------------------------------------- faults

class _FullDisk:
    """A file object whose write fails as on a full disk."""

    def __init__(self, fh):
        self.fh = fh

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self.fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()


def _full_disk(monkeypatch):
    from careerpath import fsio

    real = os.fdopen
    monkeypatch.setattr(fsio.os, "fdopen", lambda fd, *a, **k: _FullDisk(real(fd, *a, **k)))


def _fail(monkeypatch, name: str, err: int):
    from careerpath import fsio

    def boom(*a, **k):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(fsio.os, name, boom)


FAULTS = {
    "enospc-on-write": lambda mp: _full_disk(mp),
    "enospc-on-fsync": lambda mp: _fail(mp, "fsync", errno.ENOSPC),
    "erofs-on-replace": lambda mp: _fail(mp, "replace", errno.EROFS),
    "eacces-on-link": lambda mp: _fail(mp, "link", errno.EACCES),
    "erofs-on-temp-file": lambda mp: mp.setattr("careerpath.fsio._temporary", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.EROFS, os.strerror(errno.EROFS)))),
}


def _snapshot(root: Path) -> dict[str, bytes | None]:
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize("fault", sorted(set(FAULTS) - {"erofs-on-replace"}))  # new links, never replaces
def test_new_on_a_failing_disk_leaves_everything_as_it_was(fault, caseload, cli, monkeypatch):
    root = caseload({"cases/other/case.yaml": "id: other\nperson: {name: T, language: en}\n"})
    before = _snapshot(root)
    FAULTS[fault](monkeypatch)
    result = cli("new", "mq", "--name", "T", "--language", "es", "--caseload", root)
    monkeypatch.undo()
    assert result.code == 1, (result.out, result.err)
    assert "Traceback" not in result.err and "cannot write" in result.err
    assert os.strerror({"enospc-on-write": errno.ENOSPC, "enospc-on-fsync": errno.ENOSPC}.get(fault, errno.EROFS if "erofs" in fault else errno.EACCES)) in result.err
    assert _snapshot(root) == before  # no half-made case folder, no temp file
    # and a retry once the disk is fine again works
    assert cli("new", "mq", "--name", "T", "--language", "es", "--caseload", root).code == 0


@pytest.mark.parametrize("fault", ["enospc-on-write", "enospc-on-fsync", "erofs-on-replace", "erofs-on-temp-file"])
def test_schema_out_on_a_failing_disk_keeps_the_old_files(fault, cli, monkeypatch, tmp_path):
    out = tmp_path / "schemas"
    out.mkdir()
    (out / "case.schema.json").write_text("old and precious\n")
    before = _snapshot(out)
    FAULTS[fault](monkeypatch)
    result = cli("schema", "--out", out)
    monkeypatch.undo()
    assert result.code == 1
    assert "Traceback" not in result.err and "cannot write" in result.err
    assert _snapshot(out) == before


def test_a_failing_disk_as_a_real_process(caseload, tmp_path):
    """A read-only folder, for real, where the OS allows (not as root)."""
    if os.name != "posix" or os.geteuid() == 0:
        pytest.skip("root writes into read-only folders; the monkeypatched faults cover this")
    root = caseload({})
    os.chmod(root / "cases", 0o500)
    try:
        result = run_process("new", "mq", "--name", "T", "--language", "es", "--caseload", root)
        assert result.code == 1 and "Traceback" not in result.err
    finally:
        os.chmod(root / "cases", 0o700)


# ---------------------------------------------------------------- redaction

REDACT_CASELOAD = {
    "cases/an-nguyen/case.yaml": """\
id: an-nguyen
person:
  name: Nguyễn Văn An
  preferred_name: An
  birth_date: 2003-04-14
  language: vi
  phone: "+1 408 555 0142"
  email: an.nguyen@example.org
  address: "123 Main St, Apt 4, San Jose, CA 95112"
  representative: {name: Trần Thị Mai, relationship: mother, phone: "408.555.0199"}
identifiers: {uci: "7654321", ssn: "123-45-6789", dor_case: "DOR-2026-0042"}
enrollments:
  ca-dds-ccp: {basis: left-subminimum-wage, start: 2026-03-02, service_coordinator: Maria Lopez}
""",
    "cases/an-nguyen/events/2026-03-10-monthly-review.yaml": """\
date: 2026-03-10
type: monthly-review
by: jsmith
summary: "An and Trần Thị Mai called from (408) 555-0142; mail AN.NGUYEN@example.org; 123 Main St Apt 4 San Jose CA 95112; Maria agreed. Born 4/14/2003."
""",
    "cases/ivanova/case.yaml": """\
id: ivanova
person: {name: Иванова Мария Петровна, language: ru, phone: "+7 912 345-67-89", birth_date: 1990-01-05}
identifiers: {snils: "112-233-445 95"}
""",
}
REDACT_VALUES = ["Nguyễn", "Văn", "Trần Thị Mai", "Maria Lopez", "Lopez", "408 555 0142", "555-0142", "555.0199",
                 "an.nguyen", "123 Main St", "7654321", "123-45-6789", "DOR-2026-0042", "2003-04-14", "4/14/2003",
                 "Иванова", "Мария", "912 345-67-89", "112-233-445 95", "1990-01-05", "05.01.1990", "an-nguyen"]


@pytest.fixture
def redact_cl(caseload):
    return load(caseload(REDACT_CASELOAD))


def test_redacted_caseload_models_hold_no_personal_value(redact_cl):
    red = Redactor(redact_cl).caseload(redact_cl)
    dump = json.dumps([d.model.model_dump(mode="json", by_alias=True) for cf in red.cases.values() for d in cf.files()],
                      ensure_ascii=False) + " ".join(red.cases) + " ".join(d.file for cf in red.cases.values() for d in cf.files())
    for value in REDACT_VALUES:
        assert value not in dump, value
    a = red.cases["case-a"].case.model
    assert a.person.name == "Person A" and a.person.preferred_name == "Person A"
    assert a.person.birth_date is None
    assert a.identifiers.ssn.startswith("SSN-") and a.identifiers.uci.startswith("UCI-")
    assert a.enrollments.ca_dds_ccp.basis == "left-subminimum-wage"  # the rest is untouched
    summary = red.cases["case-a"].events[0].model.summary
    assert summary.startswith("Person A and Person B called from PHONE-1; mail EMAIL-1; ADDRESS-1; Person C agreed.")
    assert red.cases["case-a"].events[0].file == "cases/case-a/events/2026-03-10-monthly-review.yaml"
    # the original is untouched
    assert redact_cl.cases["an-nguyen"].case.model.person.name == "Nguyễn Văn An"


def test_same_value_same_placeholder_within_one_output(redact_cl):
    r = Redactor(redact_cl)
    text = r.text("Nguyễn Văn An, then An, then +1 408 555 0142 and 408-555-0142 and 408.555.0142")
    assert text == "Person A, then Person A, then PHONE-1 and PHONE-1 and PHONE-1"
    assert r.text("Иванову Марию Петровну вызвали; тел. +7 (912) 345-67-89") == "Person D вызвали; тел. PHONE-3"  # one person, one placeholder


def test_text_safety_net_catches_unknown_ssn_snils_and_email_shapes(redact_cl):
    out = redact_text("other: 987-65-4321, 123-456-789 00, x@y.example", redact_cl)
    assert out == "other: SSN-2, SNILS-2, EMAIL-2"


def test_for_output_disabled_changes_nothing(redact_cl):
    cl, text = for_output(redact_cl, False)
    assert cl is redact_cl and text("Nguyễn Văn An") == "Nguyễn Văn An"
    cl, text = for_output(redact_cl, True)
    assert sorted(cl.cases) == ["case-a", "case-b"] and text("an-nguyen") == "case-a"


def test_staff_names_only_when_asked(redact_cl):
    assert Redactor(redact_cl).text("Jordan Smith") == "Jordan Smith"
    assert Redactor(redact_cl, staff=True).text("Jordan Smith and Kim Tran") == "Staff A and Staff B"


def test_redaction_does_not_eat_ordinary_words(redact_cl):
    text = "The job coach met the employer; monthly review done on 2026-03-10."
    assert Redactor(redact_cl).text(text) == text


# ---------------------------------------------------------------- --redact over the sample caseload

import re as _re

from conftest import SAMPLE


@__import__("functools").lru_cache(maxsize=1)
def _sample_personal_values() -> tuple[str, ...]:
    """Every personal value of the sample caseload, read from the models (not from the redactor)."""
    cl = load(SAMPLE)
    values: set[str] = set()

    def name(text):
        if text:
            values.add(text)
            values.update(w for w in _re.findall(r"[^\W\d_]{3,}", text))

    for cid, cf in cl.cases.items():
        if len(cid) >= 3:
            values.add(cid)
        case = cf.model
        if case is None:
            continue
        p = case.person
        name(p.name)
        name(p.preferred_name)
        if p.representative:
            name(p.representative.name)
            if p.representative.phone:
                values.add(p.representative.phone)
        if p.birth_date:
            b = p.birth_date
            values.update({b.isoformat(), f"{b.month}/{b.day}/{b.year}", f"{b.day:02}.{b.month:02}.{b.year}"})
        for v in (p.phone, p.email, p.address):
            if v:
                values.add(v)
        if p.phone:
            digits = _re.sub(r"\D", "", p.phone)
            values.update({f"{digits[-7:-4]}-{digits[-4:]}", f"{digits[-7:-4]} {digits[-4:]}"})
        ids = case.identifiers
        values.update(v for v in (ids.ssn, ids.snils, ids.uci, ids.dor_case) if v)
        ccp = case.enrollments.ca_dds_ccp
        if ccp and ccp.service_coordinator:
            name(ccp.service_coordinator)
    return tuple(sorted(values))


@__import__("functools").lru_cache(maxsize=1)
def _sample_pattern() -> "_re.Pattern":
    values = sorted(_sample_personal_values(), key=len, reverse=True)
    return _re.compile(r"(?<![\w])(?:" + "|".join(map(_re.escape, values)) + r")(?![\w])")


def _assert_no_sample_value(text: str, where: str) -> None:
    m = _sample_pattern().search(text)
    assert m is None, f"{m.group(0)!r} in {where}: …{text[max(0, m.start() - 80): m.end() + 80]}…"


@pytest.fixture(scope="module")
def sample_values():
    if not SAMPLE.is_dir():
        pytest.skip("sample-cases/ has not landed")
    values = _sample_personal_values()
    assert len(values) > 50
    return values


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "ics"])
def test_redacted_due_holds_no_sample_personal_value(fmt, sample_values, cli):
    plain = cli("due", "--caseload", SAMPLE, "--today", "2026-11-22", "--all", "--explain" if fmt == "text" else "--all", "--format", fmt)
    red = cli("due", "--caseload", SAMPLE, "--today", "2026-11-22", "--all", "--explain" if fmt == "text" else "--all", "--format", fmt, "--redact")
    assert plain.code == red.code == 0
    assert any(v in plain.out for v in sample_values)  # the test can fail: the plain output does name people
    _assert_no_sample_value(red.out + red.err, f"due --format {fmt} --redact")
    if fmt == "json":
        json.loads(red.out)
    if fmt in ("json", "ics"):  # uids hash the case id, which is usually the name: they must change too
        uids = lambda text: set(_re.findall(r"[0-9a-f]{32}", text))
        assert uids(plain.out) and not uids(plain.out) & uids(red.out)


def test_redacted_show_of_sample_cases_in_five_languages(sample_values, cli):
    cl = load(SAMPLE)
    by_language: dict[str, str] = {}
    for cid in sorted(cl.cases):
        if cl.cases[cid].model is not None:
            by_language.setdefault(cl.cases[cid].model.person.language, cid)
    assert len(by_language) >= 5
    for cid in by_language.values():
        plain = cli("show", cid, "--caseload", SAMPLE, "--today", "2026-11-22")
        assert plain.code == 0 and cid in plain.out
        for fmt in ("text", "json"):
            red = cli("show", cid, "--caseload", SAMPLE, "--today", "2026-11-22", "--format", fmt, "--redact")
            assert red.code == 0, red.err
            assert cid not in red.out
            _assert_no_sample_value(red.out + red.err, f"show {cid} --format {fmt} --redact")


@pytest.fixture
def sample_copy(tmp_path):
    """A copy of the sample caseload: reports take a lock in <caseload>/.careerpath/."""
    import shutil

    return copy_samples(tmp_path / "sample")


def test_redacted_reports_hold_no_sample_personal_value(sample_values, cli, tmp_path, sample_copy):
    from careerpath.reports import batch

    SAMPLE = sample_copy  # noqa: N806
    kinds = sorted(batch.kinds())
    assert "dashboard" in kinds
    for kind in kinds:
        plain_out, red_out = tmp_path / f"plain-{kind}", tmp_path / f"red-{kind}"
        period = [] if kind == "dashboard" else ["--period", "2026"]
        assert cli("report", kind, "--caseload", SAMPLE, "--today", "2026-11-22", "--out", plain_out, *period).code == 0
        result = cli("report", kind, "--caseload", SAMPLE, "--today", "2026-11-22", "--out", red_out, "--redact", *period)
        assert result.code == 0, result.err
        written = sorted(p for p in red_out.rglob("*") if p.is_file())
        assert written
        for path in written:
            _assert_no_sample_value(path.read_text(encoding="utf-8"), f"report {kind} --redact: {path.name}")
    plain = (tmp_path / "plain-registry").glob("registry-recipients-*.csv") if "registry" in kinds else []
    for path in plain:  # the test can fail: the plain registry does name people
        assert any(v in path.read_text(encoding="utf-8") for v in sample_values)


def test_redact_staff_needs_redact(cli):
    result = cli("due", "--caseload", SAMPLE, "--redact-staff")
    assert result.code == 2


@pytest.mark.skipif(__import__("shutil").which("git") is None, reason="git is not installed")
def test_redacted_history_hides_old_values_too(cli, tmp_path):
    """Git history holds values no longer in the caseload (an old phone): the field path names them."""
    import subprocess

    root = tmp_path / "cl"
    assert cli("init", root).code == 0
    env = {**os.environ, "GIT_AUTHOR_NAME": "Jordan Smith", "GIT_AUTHOR_EMAIL": "jsmith@agency.example",
           "GIT_COMMITTER_NAME": "Jordan Smith", "GIT_COMMITTER_EMAIL": "jsmith@agency.example"}

    def commit(msg):
        subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
        subprocess.run(["git", "commit", "-q", "--no-verify", "-m", msg], cwd=root, check=True, env=env)

    case = root / "cases" / "mq" / "case.yaml"
    case.parent.mkdir(parents=True)
    case.write_text(GOOD_CASE.replace(PHONE, "+1 510 555 0111"))
    commit("open case for Marisol")
    case.write_text(GOOD_CASE.replace(NAMES[0], "Marisol Quintanilla-Ortiz"))
    commit("new phone and married name of Marisol Quintanilla")
    plain = cli("history", "mq", "--caseload", root)
    assert plain.code == 0 and "510 555 0111" in plain.out, plain.out + plain.err
    for fmt in ("text", "json"):
        red = cli("history", "mq", "--caseload", root, "--format", fmt, "--redact", "--redact-staff")
        assert red.code == 0, red.err
        _assert_clean(red.out, red.err)
        for value in ("510 555 0111", "Quintanilla-Ortiz", "Jordan Smith", "jsmith@agency.example", "mq"):
            assert value not in red.out, value
    red = cli("history", "mq", "--caseload", root, "--redact")
    assert "PHONE-" in red.out and "Person A" in red.out and "Jordan Smith" in red.out
    audit = cli("audit", "--caseload", root, "--redact")
    assert audit.code in (0, 1) and "Traceback" not in audit.err


@posix_only
def test_report_and_due_outputs_are_private(cli, tmp_path, sample_copy):
    SAMPLE = sample_copy  # noqa: N806
    out = tmp_path / "reports" / "2026"
    assert cli("report", "dashboard", "--caseload", SAMPLE, "--today", "2026-11-22", "--out", out).code == 0
    assert _mode(out / "dashboard.html") == 0o600
    assert _mode(out) == 0o700 and _mode(out.parent) == 0o700
    assert cli("due", "--caseload", SAMPLE, "--today", "2026-11-22", "--format", "csv", "--output", tmp_path / "due.csv").code == 0
    assert _mode(tmp_path / "due.csv") == 0o600


def test_redacted_documents_hold_no_sample_personal_value(sample_values, cli):
    """Every document kind, for the first sample case it renders for, in the person's language."""
    from careerpath.documents import KINDS, list_kinds

    cl = load(SAMPLE)
    programs = {r["kind"]: set(r["programs"]) for r in list_kinds()}
    rendered = named = 0
    for kind in sorted(KINDS):
        cases = [cid for cid in sorted(cl.cases) if cl.cases[cid].model is not None
                 and {p for p, _ in cl.cases[cid].model.enrollments.items()} & programs[kind]]
        for cid in cases:
            args = ("render", kind, cid, "--caseload", SAMPLE, "--today", "2026-11-22")
            plain = cli(*args)
            if plain.code != 0:
                continue  # this case lacks what the document needs; refused the same way with --redact
            named += any(_re.search(r"(?<!\w)" + _re.escape(v) + r"(?!\w)", plain.out) for v in sample_values)
            red = cli(*args, "--redact")
            assert red.code == 0, red.err
            assert cid not in red.out
            _assert_no_sample_value(red.out + red.err, f"render {kind} {cid} --redact")
            rendered += 1
            break  # one case per kind keeps this quick
    assert rendered == len(KINDS) and named == rendered  # every plain document names its person


@pytest.mark.parametrize("args", [
    ["set", "mq", "person.phone", f"call {NAMES[2]} at {PHONE} x"],
    ["set", "mq", "person.birth_date", "1991-02-30"],
    ["set", "mq", "identifiers.ssn", SSN + "Z"],
    ["set", "mq", "identifiers.snils", SNILS + "9"],
    ["set", "mq", "person.language", NAMES[2]],
    ["set", "mq", "person.representative", NAMES[3]],
    ["log", "mq", "note", "--by", "jsmith", "--summary", NAMES[0], "--date", BIRTH + "x"],
    ["log", "mq", "note", "--by", NAMES[1], "--summary", NAMES[0]],
])
def test_no_personal_value_in_record_failures(args, caseload, cli):
    if not __import__("importlib").util.find_spec("careerpath.record"):
        pytest.skip("the record commands have not landed")
    root = caseload({"cases/mq/case.yaml": GOOD_CASE})
    before = (root / "cases/mq/case.yaml").read_text()
    result = cli(*args, "--no-commit", "--caseload", root)
    assert result.code in (1, 2), (result.code, result.out, result.err)
    assert "Traceback" not in result.err
    _assert_clean(result.out, result.err)
    assert (root / "cases/mq/case.yaml").read_text() == before


def test_validate_redact_hides_case_ids_in_paths(caseload, cli):
    root = caseload({**BROKEN, "cases/marisol-quintanilla/case.yaml": GOOD_CASE.replace("id: mq", "id: marisol-quintanilla") + "colour: red\n"})
    plain = cli("validate", "--caseload", root, "--format", "json")
    red = cli("validate", "--caseload", root, "--format", "json", "--redact")
    assert plain.code == red.code == 1
    assert "marisol-quintanilla" in plain.out and "marisol-quintanilla" not in red.out
    assert len(json.loads(plain.out)) == len(json.loads(red.out))
    _assert_clean(red.out, red.err)


# ---------------------------------------------------------------- the failure fixtures of the sample caseload

FIXTURES = Path(__file__).parent / "fixtures"
_PERSONAL_KEY = _re.compile(r"(?:^|[{,\s])(name|preferred_name|birth_date|phone|email|address|ssn|snils|uci|dor_case|"
                            r"service_coordinator):[ \t]*(\"[^\"\n]*\"|'[^'\n]*'|[^,}#\n]*)", _re.M)


def _catalogue_names() -> set[str]:
    """The names of the programs' service catalogues: program data that a plan service's `name:` may repeat
    (and `due` prints as the item's key), not a person's."""
    from careerpath.programs import load_programs

    return {name for program in load_programs() for service in program.services
            for name in (getattr(service, "name", None), getattr(service, "id", None)) if name}


def _fixture_values(root: Path) -> set[str]:
    """Personal values as written in the fixture files (read raw: fields that fail validation never load);
    a service catalogue's names (and the parts of them a plan repeats) are not personal."""
    values = set()
    for path in (root / "cases").rglob("*.yaml"):
        for key, raw in _PERSONAL_KEY.findall(path.read_text(encoding="utf-8", errors="replace")):
            value = raw.strip().strip("\"'").strip()
            if len(value) >= 4 and not value.startswith(("[", "{", "*", "&", "!")):
                values.add(value)
    public = _catalogue_names()  # a value the catalogue's own text holds is found there, not leaked
    return {v for v in values if not any(v in name for name in public)}


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.iterdir() if (p / "cases").is_dir()) if FIXTURES.is_dir() else [])
def test_failure_fixtures_leak_no_personal_value(fixture, tmp_path, cli):
    """validate (as a real process too), due and doctor over each failure fixture: no value in any output."""
    import shutil

    root = Path(shutil.copytree(FIXTURES / fixture, tmp_path / fixture))
    values = _fixture_values(root)
    assert values, "the fixture has personal values to look for"
    outputs = []
    result = run_process("validate", "--caseload", root, "--today", "2026-11-22")
    assert result.code == 1 and "Traceback" not in result.err
    outputs.append(result.out + result.err)
    for args in (["validate", "--format", "json"], ["validate", "--quiet"], ["due"], ["due", "--format", "json"]):
        result = cli(*args, "--caseload", root, "--today", "2026-11-22")
        assert "Traceback" not in result.err, result.err
        outputs.append(result.out + result.err)
    result = cli("doctor", "--caseload", root)
    outputs.append(result.out + result.err)
    text = "\n".join(outputs)
    for value in values:
        assert not _re.search(r"(?<![\w])" + _re.escape(value) + r"(?![\w])", text), f"{value!r} in output over {fixture}"


def test_a_refused_render_with_redact_names_neither_case_nor_person(cli, tmp_path):
    """The refusal names the case (usually the person's name) and its file: --redact hides both, as it hides
    them in the document (found by the generated-variants test when a planted value broke a case file)."""
    root = copy_samples(tmp_path / "s")
    case = root / "cases" / "marco-delgado" / "case.yaml"
    case.write_text(case.read_text(encoding="utf-8") + "colour: [\n", encoding="utf-8")
    plain = cli("render", "pccp", "marco-delgado", "--caseload", root, "--today", "2026-11-22")
    red = cli("render", "pccp", "marco-delgado", "--caseload", root, "--today", "2026-11-22", "--redact")
    assert plain.code == red.code == 1
    assert "marco-delgado" in plain.err  # the test can fail: the plain refusal does name the case
    assert "marco-delgado" not in red.err and "Delgado" not in red.err and "has errors in" in red.err

"""The field-level merge driver: unit cases, real git merges between two clones, and a property test."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careerpath import edit
from careerpath.team.merge import LIST_KEYS, merge_bytes
from careerpath.yamlfile import read_bytes

CASE = """\
# yaml-language-server: $schema=../../schemas/case.schema.json
id: an-nguyen
status: active                # active | closed
opened: 2026-03-02
closure: null                 # when closed: {date, reason}
person:
  name: Nguyễn Văn An
  language: vi
staff: {navigator: jsmith}
enrollments:
  ca-dor-vr:
    applied: 2026-09-01       # DOR stamp date
    eligibility:
      status: pending
      decided: null
    ipe: null

# placements
jobs:
  - employer: Sunrise Bakery
    start: 2026-09-15
    wage: 18.5
"""

PLAN = """\
strengths: [punctual, loves baking]
goals:
  - id: g1
    area: employment
    statement: Work part-time at a bakery
    objectives:
      - {id: g1.o1, text: Discovery profile, due: 2026-05-01, done: null}
      - {id: g1.o2, text: Two informational interviews, due: 2026-07-01, done: null}
"""

F = "cases/an-nguyen/case.yaml"
P = "cases/an-nguyen/plan.yaml"


def sub(text: str, *pairs: tuple[str, str]) -> bytes:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text.encode()


def test_different_fields_merge_and_keep_comments():
    a = sub(CASE, ("applied: 2026-09-01", "applied: 2026-08-28"))
    b = sub(CASE, ("status: pending", "status: eligible"), ("decided: null", "decided: 2026-10-01"))
    r = merge_bytes(CASE.encode(), a, b, F)
    assert r.clean and r.method == "fields"
    text = r.content.decode()
    assert "applied: 2026-08-28       # DOR stamp date" in text
    assert "status: eligible" in text and "decided: 2026-10-01" in text
    assert "# placements" in text and "status: active                # active | closed" in text
    # exactly the changed lines differ from ours
    changed = [line for line in text.splitlines() if line not in a.decode().splitlines()]
    assert changed == ["      status: eligible", "      decided: 2026-10-01"]


def test_same_field_is_a_conflict_named_by_path_not_value():
    a = sub(CASE, ("applied: 2026-09-01", "applied: 2026-08-28"))
    b = sub(CASE, ("applied: 2026-09-01", "applied: 2026-08-30"), ("{navigator: jsmith}", "{navigator: jsmith, ces: ktran}"))
    r = merge_bytes(CASE.encode(), a, b, F)
    assert r.conflicts == ["enrollments.ca-dor-vr.applied"]
    assert not any("2026" in c for c in r.conflicts)
    lines = r.content.decode().splitlines()
    start = lines.index("<<<<<<< ours")
    assert lines[start:start + 5] == ["<<<<<<< ours", "    applied: 2026-08-28       # DOR stamp date", "=======",
                                      "    applied: 2026-08-30       # DOR stamp date", ">>>>>>> theirs"]
    assert "staff: {navigator: jsmith, ces: ktran}" in lines   # the other change merged
    diags = read_bytes(r.content, F).diagnostics
    assert [(d.code, d.line) for d in diags] == [("merge-conflict", start + 1)]


def test_same_change_on_both_sides_is_clean():
    a = b = sub(CASE, ("applied: 2026-09-01", "applied: 2026-08-28"))
    assert merge_bytes(CASE.encode(), a, b + b"", F).clean


def test_jobs_merge_by_employer_and_start():
    a = sub(CASE, ("wage: 18.5", "wage: 19"))
    b = (CASE + "  - employer: Corner Cafe\n    start: 2026-11-01\n").encode()
    r = merge_bytes(CASE.encode(), a, b, F)
    assert r.clean
    data = read_bytes(r.content, F).data
    assert [(j["employer"], j.get("wage")) for j in data["jobs"]] == [("Sunrise Bakery", 19), ("Corner Cafe", None)]


def test_job_removed_on_one_side_changed_on_the_other_is_a_conflict():
    a = sub(CASE, ("wage: 18.5", "wage: 19"))
    b = sub(CASE, ("  - employer: Sunrise Bakery\n    start: 2026-09-15\n    wage: 18.5\n", ""), ("jobs:\n", "jobs: []\n"))
    r = merge_bytes(CASE.encode(), a, b, F)
    assert r.conflicts == ["jobs.0"]


def test_goals_and_objectives_merge_by_id():
    a = sub(PLAN, ("id: g1.o1, text: Discovery profile, due: 2026-05-01, done: null", "id: g1.o1, text: Discovery profile, due: 2026-05-01, done: 2026-04-28"))
    b = sub(PLAN, ("done: null}\n      - {id: g1.o2", "done: null}\n      - {id: g1.o3, text: Job shadowing, due: 2026-08-01}\n      - {id: g1.o2"),
            ("[punctual, loves baking]", "[punctual, loves baking, patient]"))
    a = a.replace(b"[punctual, loves baking]", b"[punctual]")
    r = merge_bytes(PLAN.encode(), a, b, P)
    assert r.clean, r.conflicts
    data = read_bytes(r.content, P).data
    assert data["strengths"] == ["punctual", "patient"]        # ours removed one, theirs added one: both kept
    objectives = data["goals"][0]["objectives"]
    assert [o["id"] for o in objectives] == ["g1.o1", "g1.o3", "g1.o2"]
    assert objectives[0]["done"] == "2026-04-28"


def test_a_new_event_under_one_name_on_both_sides_is_a_whole_file_conflict():
    a = b"date: 2026-11-03\ntype: contact\nby: jsmith\n"
    b = b"date: 2026-11-03\ntype: contact\nby: ktran\n"
    r = merge_bytes(b"", a, b, "cases/x/events/2026-11-03-contact.yaml")
    assert r.method == "whole-file" and r.conflicts


def test_entry_files_are_events_referrals_appointments_and_surveys():
    from careerpath.team.merge import entry_file

    for path in ("cases/x/events/2026-11-03-contact.yaml", "cases/x/referrals/2026-11-03-dor.yaml",
                 "cases/x/appointments/2026-12-03-ipp.yaml", "surveys/2026-10-21-quality.yaml",
                 "team/surveys/2026-10-21-quality.yaml", "team/cases/x/appointments/2026-12-03-ipp.yaml"):
        assert entry_file(path), path
        r = merge_bytes(b"", b"date: 2026-11-03\nby: jsmith\n", b"date: 2026-11-03\nby: ktran\n", path)
        assert r.method == "whole-file" and r.conflicts, path
    for path in (F, P, "cases/surveys/case.yaml", "surveys/questionnaires/quality.md", "careerpath.yaml"):
        assert not entry_file(path), path


def test_unreadable_version_falls_back_to_git_line_merge():
    a = sub(CASE, ("applied: 2026-09-01", "applied: 2026-08-28"))
    b = sub(CASE, ("person:\n  name:", "person:\n\tname:"))  # a tab: not YAML
    r = merge_bytes(CASE.encode(), a, b, F)
    assert r.method == "lines"


# ---------------------------------------------------------------- real git: two clones, one server

pytestmark_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, text=True)


def _identity(repo: Path, name: str) -> None:
    git(repo, "config", "user.name", name)
    git(repo, "config", "user.email", f"{name}@example.org")
    git(repo, "config", "commit.gpgsign", "false")


@pytest.fixture
def two_clones(tmp_path, cli):
    from conftest import CONFIG

    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(server))
    first = tmp_path / "first"
    git(tmp_path, "init", "-q", "-b", "main", str(first))
    _identity(first, "first")
    (first / "cases/an-nguyen").mkdir(parents=True)
    (first / "careerpath.yaml").write_text(CONFIG)
    (first / F).write_text(CASE)
    (first / P).write_text(PLAN)
    assert cli("setup-merge", "-C", first).code == 0
    git(first, "add", "-A")
    git(first, "commit", "-qm", "start")
    git(first, "remote", "add", "origin", str(server))
    git(first, "push", "-q", "origin", "main")
    second = tmp_path / "second"
    git(tmp_path, "clone", "-q", str(server), str(second))
    _identity(second, "second")
    assert cli("setup-merge", "-C", second).code == 0     # the driver config is per clone
    return first, second


@pytestmark_git
def test_two_clones_editing_different_fields_merge_cleanly(two_clones):
    first, second = two_clones
    (first / F).write_bytes(sub(CASE, ("applied: 2026-09-01", "applied: 2026-08-28")))
    git(first, "commit", "-qam", "applied")
    git(first, "push", "-q", "origin", "main")
    (second / F).write_bytes(sub(CASE, ("status: pending", "status: eligible"), ("decided: null", "decided: 2026-10-01")))
    git(second, "commit", "-qam", "decided")
    pulled = git(second, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main", check=False)
    assert pulled.returncode == 0, pulled.stderr
    text = (second / F).read_text()
    assert "applied: 2026-08-28       # DOR stamp date" in text and "status: eligible" in text


@pytestmark_git
def test_two_clones_changing_one_field_conflict_with_its_path(two_clones, cli):
    first, second = two_clones
    (first / F).write_bytes(sub(CASE, ("applied: 2026-09-01", "applied: 2026-08-28")))
    git(first, "commit", "-qam", "applied")
    git(first, "push", "-q", "origin", "main")
    (second / F).write_bytes(sub(CASE, ("applied: 2026-09-01", "applied: 2026-08-30")))
    git(second, "commit", "-qam", "applied too")
    pulled = git(second, "pull", "--no-rebase", "--no-edit", "origin", "main", check=False)
    assert pulled.returncode != 0
    assert "both sides changed `enrollments.ca-dor-vr.applied`" in pulled.stderr
    assert "2026-08-2" not in pulled.stderr and "2026-08-30" not in pulled.stderr
    assert git(second, "diff", "--name-only", "--diff-filter=U").stdout.split() == [F]
    r = cli("validate", "-C", second, "--today", "2026-11-22", "--no-cache")
    assert r.code == 1
    line = (second / F).read_text().splitlines().index("<<<<<<< ours") + 1
    assert f"{F}:{line}:1: error merge-conflict" in r.out


# ---------------------------------------------------------------- property: random pairs of edits

NAMES = st.sampled_from(["Ana", "Bo", "Chi", "Dee", "Eun"])
DATES = st.dates(min_value=__import__("datetime").date(2025, 1, 1), max_value=__import__("datetime").date(2027, 12, 31)).map(str)
EMPLOYERS = st.sampled_from(["Bakery", "Cafe", "Library", "Garage"])
STRENGTHS = st.sampled_from(["punctual", "patient", "careful", "friendly", "strong"])


@st.composite
def bases(draw):
    jobs = []
    for employer in draw(st.lists(EMPLOYERS, unique=True, max_size=3)):
        jobs.append({"employer": employer, "start": draw(DATES), "wage": draw(st.sampled_from([None, 15.5, 18, 21.25])), "end": None})
    goals = []
    for gi in range(draw(st.integers(0, 3))):
        objs = [{"id": f"g{gi}.o{oi}", "text": draw(NAMES), "due": draw(DATES), "done": None} for oi in range(draw(st.integers(0, 3)))]
        goals.append({"id": f"g{gi}", "area": "employment", "statement": draw(NAMES), "objectives": objs})
    return {
        "id": "c1", "status": "active", "opened": draw(DATES), "closure": None,
        "person": {"name": draw(NAMES), "language": draw(st.sampled_from(["en", "vi", "ru"])), "phone": None},
        "staff": {"navigator": "jsmith"},
        "enrollments": {"ca-dor-vr": {"applied": draw(DATES), "eligibility": {"status": "pending", "decided": None}}},
        "strengths": draw(st.lists(STRENGTHS, unique=True, max_size=3)),
        "jobs": jobs, "goals": goals,
    }


def _edit(draw, data: dict, tag: str) -> dict:
    """One side's edits: a few random changes of fields, list items and plain lists."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["name", "phone", "applied", "status", "closure", "strength+", "strength-",
                                   "job+", "job-", "wage", "goal+", "goal-", "obj", "obj+", "staff"]))
        if op == "name":
            data["person"]["name"] = draw(NAMES)
        elif op == "phone":
            data["person"]["phone"] = draw(st.sampled_from([None, "555-0100", "555-0199"]))
        elif op == "applied":
            data["enrollments"]["ca-dor-vr"]["applied"] = draw(DATES)
        elif op == "status":
            data["enrollments"]["ca-dor-vr"]["eligibility"] = {"status": "eligible", "decided": draw(DATES)}
        elif op == "closure":
            data["closure"] = {"date": draw(DATES), "reason": draw(st.sampled_from(["employed", "moved"]))}
        elif op == "strength+":
            s = draw(STRENGTHS)
            if s not in data["strengths"]:
                data["strengths"].append(s)
        elif op == "strength-" and data["strengths"]:
            data["strengths"].pop(draw(st.integers(0, len(data["strengths"]) - 1)))
        elif op == "job+":
            employer = draw(EMPLOYERS)
            start = draw(DATES)
            if not any(j["employer"] == employer and j["start"] == start for j in data["jobs"]):
                data["jobs"].append({"employer": employer, "start": start, "wage": 16, "end": None})
        elif op == "job-" and data["jobs"]:
            data["jobs"].pop(draw(st.integers(0, len(data["jobs"]) - 1)))
        elif op == "wage" and data["jobs"]:
            data["jobs"][draw(st.integers(0, len(data["jobs"]) - 1))]["wage"] = draw(st.sampled_from([None, 15.5, 19, 22]))
        elif op == "goal+":
            data["goals"].append({"id": f"{tag}{len(data['goals'])}", "area": "community", "statement": draw(NAMES), "objectives": []})
        elif op == "goal-" and data["goals"]:
            data["goals"].pop(draw(st.integers(0, len(data["goals"]) - 1)))
        elif op == "obj" and data["goals"]:
            goal = data["goals"][draw(st.integers(0, len(data["goals"]) - 1))]
            if goal["objectives"]:
                goal["objectives"][draw(st.integers(0, len(goal["objectives"]) - 1))]["done"] = draw(DATES)
        elif op == "obj+" and data["goals"]:
            goal = data["goals"][draw(st.integers(0, len(data["goals"]) - 1))]
            goal["objectives"].append({"id": f"{goal['id']}.{tag}{len(goal['objectives'])}", "text": draw(NAMES), "due": draw(DATES), "done": None})
        elif op == "staff":
            data["staff"][draw(st.sampled_from(["ces", "navigator"]))] = draw(st.sampled_from(["jsmith", "ktran"]))
    return data


def dump(data: dict) -> bytes:
    return edit.new_text({k: edit.to_yaml(v, flow=False) for k, v in data.items()}).encode()


def flatten(value, path=()) -> dict:
    """Leaves by key path; keyed list items by their key, plain lists as sets."""
    out: dict = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, path + (k,)))
    elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
        key = LIST_KEYS[path[-1]]
        for item in value:
            out.update(flatten(item, path + (tuple(repr(item.get(f)) for f in key),)))
    elif isinstance(value, list):
        out[path] = frozenset(value)
    else:
        out[path] = value
    return out


def resolve(text: str, side: str) -> bytes:
    keep, out, state = side, [], None
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<< "):
            state = "ours"
        elif line.startswith("=======") and state:
            state = "theirs"
        elif line.startswith(">>>>>>> "):
            state = None
        elif state is None or state == keep:
            out.append(line)
    return "".join(out).encode()


def conflict_prefixes(conflicts: list[str], a: dict) -> list[tuple]:
    """The reported paths (list items by their index in ours) as key paths like flatten's."""
    prefixes = []
    for text in conflicts:
        cur, path = a, ()
        for part in text.split("."):
            if isinstance(cur, list):
                i = int(part)
                if i >= len(cur):
                    break          # an item ours no longer has: the conflict covers the list
                key = LIST_KEYS[path[-1]]
                path += (tuple(repr(cur[i].get(f)) for f in key),)
                cur = cur[i]
            else:
                path += (part,)
                cur = cur.get(part) if isinstance(cur, dict) else None
        prefixes.append(path)
    return prefixes


@pytest.mark.slow  # 150 generated three-way merges: CI runs it (`pytest -m slow`)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_property_merge_never_loses_or_silently_picks(data):
    base = data.draw(bases())
    a, b = _edit(data.draw, base, "a"), _edit(data.draw, base, "b")
    result = merge_bytes(dump(base), dump(a), dump(b), "cases/c1/case.yaml")
    text = result.content.decode()
    ours, theirs = read_bytes(resolve(text, "ours"), "x"), read_bytes(resolve(text, "theirs"), "x")
    assert not ours.diagnostics and not theirs.diagnostics          # both versions load
    if not result.conflicts:
        assert "<<<<<<<" not in text and ours.data == theirs.data
    fo, fa, fb = flatten(base), flatten(a), flatten(b)
    fr_ours, fr_theirs = flatten(ours.data), flatten(theirs.data)
    covered = conflict_prefixes(result.conflicts, a)

    def in_conflict(path):
        return any(path[:len(p)] == p for p in covered)

    for path in set(fo) | set(fa) | set(fb):
        ov, av, bv = fo.get(path), fa.get(path), fb.get(path)
        if isinstance(av, frozenset) or isinstance(bv, frozenset):   # plain lists merge as sets
            o_, a_, b_ = ov or frozenset(), av or frozenset(), bv or frozenset()
            expected = (a_ - (o_ - b_)) | (b_ - o_)
            if not in_conflict(path):
                assert (fr_ours.get(path) or frozenset()) == expected, path
            continue
        if av == bv:
            if not in_conflict(path):
                assert fr_ours.get(path) == av, path
        elif ov == av:          # only theirs changed it: never lost
            assert fr_theirs.get(path) == bv, path
            if not in_conflict(path):
                assert fr_ours.get(path) == bv, path
        elif ov == bv:          # only ours changed it
            assert fr_ours.get(path) == av, path
        else:                   # both changed it differently: flagged, both versions in the file
            assert in_conflict(path), (path, result.conflicts)
            assert fr_ours.get(path) == av and fr_theirs.get(path) == bv, path

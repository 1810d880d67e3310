"""Every filter value is checked (issue 19): an unknown one exits 2 with "did you mean …".

``careerpath due --staff tnguyn`` used to print "nothing due (with these filters)"
and exit 0. Each filter option of each command that takes one is tried here with a
near miss (a did-you-mean names the value it most likely means) and with a value
nothing is close to (exit 2 still, with the list or a pointer to it).
"""

from __future__ import annotations

import subprocess

import pytest

from conftest import copy_samples

TODAY = "2026-11-20"


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """The sample caseload committed to git (history and audit read git)."""
    root = copy_samples(tmp_path_factory.mktemp("filters") / "caseload")
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=T", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false",
                  "commit", "-qm", "start"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


#: (command words, a near miss, what did-you-mean must name); --caseload and --today are added
NEAR = [
    (["due", "--case", "jamal-carte"], "jamal-carter"),
    (["due", "--staff", "tnguyn"], "tnguyen"),
    (["due", "--program", "ca-dds-cpp"], "ca-dds-ccp"),
    (["due", "--program", "comon"], "common"),
    (["due", "--rule", "dor.eligibilty-decision"], "dor.eligibility-decision"),
    (["due", "--status", "overdu"], "overdue"),
    (["due", "--status", "due_soon"], "due-soon"),
    (["show", "jamal-carte"], "jamal-carter"),
    (["report", "quartrly"], "quarterly"),
    (["report", "quarterly", "--case", "jamal-carte"], "jamal-carter"),
    (["report", "quarterly", "--staff", "tnguyn"], "tnguyen"),
    (["report", "dashboard", "--program", "ca-dor-rv"], "ca-dor-vr"),
    (["render", "pcpp", "jamal-carter"], "pccp"),
    (["render", "pccp", "jamal-carte"], "jamal-carter"),
    (["render", "--list", "jamal-carte"], "jamal-carter"),
    (["rules", "--program", "ca-dor-se2"], "ca-dor-se"),
]


@pytest.mark.parametrize("args,meant", NEAR, ids=[" ".join(a) for a, _m in NEAR])
def test_a_near_miss_exits_2_with_did_you_mean(cli, samples, args, meant):
    extra = [] if args[0] == "rules" else ["--today", TODAY]
    r = cli(*args, "--caseload", samples, *extra)
    assert r.code == 2, (r.out, r.err)
    assert f"did you mean `{meant}`?" in r.err
    assert r.out == ""  # nothing listed, nothing written: "nothing due" would read as an all-clear


@pytest.mark.parametrize("args,meant", [
    (["history", "jamal-carte"], "jamal-carter"),
    (["audit", "--case", "jamal-carte"], "jamal-carter"),
], ids=["history CASE", "audit --case"])
def test_history_and_audit_check_the_case_too(cli, samples, args, meant):
    r = cli(*args, "--caseload", samples)
    assert r.code == 2 and f"did you mean `{meant}`?" in r.err


FAR = [
    ["due", "--case", "zzzz"],
    ["due", "--staff", "zzzz"],
    ["due", "--program", "zzzz"],
    ["due", "--rule", "zzzz"],
    ["due", "--rule", "zz.*"],
    ["due", "--status", "zzzz"],
    ["show", "zzzz"],
    ["report", "zzzz"],
    ["report", "outcomes", "--case", "zzzz"],
    ["report", "outcomes", "--staff", "zzzz"],
    ["report", "outcomes", "--program", "zzzz"],
    ["report", "outcomes", "--period", "2026-Q5"],
    ["render", "zzzz", "jamal-carter"],
    ["render", "pccp", "zzzz"],
    ["render", "quarterly-report", "jamal-carter", "--period", "2026-Q9"],
]


@pytest.mark.parametrize("args", FAR, ids=[" ".join(a) for a in FAR])
def test_a_value_nothing_is_close_to_exits_2_too(cli, samples, args):
    r = cli(*args, "--caseload", samples, "--today", TODAY)
    assert r.code == 2, (r.out, r.err)
    assert "did you mean" not in r.err and "Traceback" not in r.err


@pytest.mark.parametrize("args", [["history", "zzzz"], ["audit", "--case", "zzzz"],
                                  ["audit", "--since", "2026-13-01"]])
def test_history_and_audit_unknown_values(cli, samples, args):
    assert cli(*args, "--caseload", samples).code == 2


def test_staff_and_case_values_are_not_echoed(cli, samples):
    """A name typed where an id belongs is personal data: the message names the option, not the value."""
    for args in (["due", "--staff", "Jamal Carter"], ["due", "--case", "Dana Whitfield"],
                 ["report", "dashboard", "--staff", "Jamal Carter"]):
        r = cli(*args, "--caseload", samples, "--today", TODAY)
        assert r.code == 2 and "Jamal Carter" not in r.err and "Dana Whitfield" not in r.err


def test_known_values_still_filter(cli, samples):
    """The check lets known values, patterns that match and `common` through."""
    base = ["due", "--caseload", samples, "--today", TODAY, "--format", "json"]
    assert cli(*base, "--rule", "dor.*").code == 0
    assert cli(*base, "--program", "common").code == 0
    assert cli(*base, "--program", "ca-dds-ccp", "--staff", "tnguyen").code == 0
    import json

    only = json.loads(cli(*base, "--status", "overdue").out)
    assert only and {o["status"] for o in only} == {"overdue"}
    done = json.loads(cli(*base, "--status", "done").out)
    assert done and {o["status"] for o in done} == {"done"}  # --status done shows done ones without --all

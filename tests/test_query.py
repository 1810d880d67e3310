"""The morning list as a library call (careerpath.obligations.query): filters, order, tally, fail-on.

The CLI renders what these functions return; tests/test_due_cli.py and
tests/test_output.py check that `careerpath due` prints exactly that.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from careerpath import pipeline
from careerpath.cache import Cache
from careerpath.obligations import compute, sort_key
from careerpath.obligations.engine import STATUSES
from careerpath.obligations.query import (FAIL_ON, DueList, Query, QueryError, Tally, due, fails, mark, select, tally,
                                          unknown_values)
from careerpath.pipeline import load
from conftest import SAMPLE, TODAY

DAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def everything():
    """Every obligation of the sample caseload on its day, done ones and history included."""
    return compute(load(SAMPLE), DAY, include_closed_history=True)


def test_the_default_query_is_the_morning_list(everything):
    listed = due(everything, DAY).rows
    assert listed == [o for o in everything if o.status != "done" and not o.history]
    assert [sort_key(o) for o in listed] == sorted(sort_key(o) for o in listed)
    assert listed[0].past_due  # past due first


def test_all_includes_done_and_history_and_a_done_status_implies_done(everything):
    assert due(everything, DAY, Query(done=True, history=True)).rows == everything
    done = due(everything, DAY, Query(statuses=("done",))).rows
    assert done and all(o.status == "done" and not o.history for o in done)
    assert {o.uid for o in done} == {o.uid for o in everything if o.status == "done" and not o.history}


@pytest.mark.parametrize("status", STATUSES)
def test_each_status_filter_keeps_that_status_only(everything, status):
    got = due(everything, DAY, Query(statuses=(status,), history=True)).rows
    assert got == [o for o in everything if o.status == status]


def test_every_filter_against_a_hand_written_predicate(everything):
    horizon = date(2026, 12, 6)  # 2w from DAY
    cases = {"linh-tran", "marco-delgado"}
    queries = {
        Query(within="2w"): lambda o: o.status != "done" and o.due <= horizon,
        Query(overdue=True): lambda o: o.past_due,
        Query(cases=tuple(cases)): lambda o: o.case in cases,
        Query(programs=("common",)): lambda o: o.program == "",
        Query(programs=("ca-dor-vr",)): lambda o: o.program == "ca-dor-vr",
        Query(rules=("dor.*",)): lambda o: o.rule.startswith("dor."),
        Query(staff=("tnguyen",)): lambda o: "tnguyen" in o.staff,
        Query(staff=("tnguyen",), statuses=("overdue", "partial")): lambda o: "tnguyen" in o.staff
        and o.status in ("overdue", "partial"),
    }
    base = [o for o in everything if o.status != "done" and not o.history]
    for query, keep in queries.items():
        expected = [o for o in base if keep(o)]
        assert due(everything, DAY, query).rows == expected, query
        assert expected or query.programs == ("common",), f"{query} keeps nothing in the samples: a weak test"


def test_the_results_of_the_pipeline_give_the_same_list_cached_or_not(everything, tmp_path):
    import shutil

    root = shutil.copytree(SAMPLE, tmp_path / "c", ignore=shutil.ignore_patterns(".careerpath"))
    query = Query(within="1m", staff=("tnguyen", "lsargsyan"))
    plain = due(everything, DAY, query)
    assert due(pipeline.results(root, DAY), DAY, query).to_dicts() == plain.to_dicts()
    for _ in range(2):  # cold, then warm
        assert due(pipeline.results(root, DAY, cache=Cache()), DAY, query).to_dicts() == plain.to_dicts()


def test_bad_values_are_refused_when_the_query_is_made():
    for bad in ("soon", "3wd", "-2w", ""):
        with pytest.raises(QueryError) as e:
            Query(within=bad)
        assert e.value.option == "--within"
    with pytest.raises(QueryError) as e:
        Query(statuses=("late",))
    assert e.value.option == "--status" and e.value.choices == STATUSES
    assert Query(cases=["a", "b"]).cases == ("a", "b")  # lists from callers become tuples (hashable, a key)
    assert hash(Query(rules=["x.*"])) == hash(Query(rules=("x.*",)))


def test_unknown_values_name_the_nearest_known_one():
    query = Query(cases=("linh-tran", "lihn-tran"), staff=("tnguyn",), programs=("common", "ca-dds-cpp"),
                  rules=("dor.*", "zzz.*", "ccp.monthly-reveiw"))
    found = unknown_values(query, cases=["linh-tran", "marco-delgado"], staff=["tnguyen"],
                           programs=["ca-dds-ccp"], rules=["dor.ipe", "ccp.monthly-review"])
    assert [(u.option, u.value, u.nearest) for u in found] == [
        ("--case", "lihn-tran", "linh-tran"), ("--staff", "tnguyn", "tnguyen"),
        ("--program", "ca-dds-cpp", "ca-dds-ccp"), ("--rule", "zzz.*", ""),
        ("--rule", "ccp.monthly-reveiw", "ccp.monthly-review")]
    assert unknown_values(query) == []  # nothing known given: nothing checked


def test_marks_tally_and_fail_on(everything):
    listed = due(everything, DAY, Query(done=True))
    marks = listed.marks
    assert marks == [mark(o) for o in listed.rows]
    count = listed.tally()
    assert count == tally(marks)
    assert count.total == len(listed.rows)
    assert count.past_due == sum(o.past_due for o in listed.rows)
    assert count.done == sum(o.status == "done" for o in listed.rows)
    assert count.due_soon == sum(not o.past_due and o.status in ("due-soon", "partial") for o in listed.rows)
    assert tally(["overdue!", "partial!", "partial", "due-soon", "upcoming", "done"]) == Tally(2, 2, 1, 1)
    assert fails(["upcoming", "due-soon"], "due-soon") and not fails(["upcoming", "due-soon"], "overdue")
    assert fails(["partial!"], "overdue") and not fails(["partial!"], None)
    assert listed.fails("overdue") == any(o.past_due for o in listed.rows)
    with pytest.raises(QueryError):
        fails([], "never")
    assert set(FAIL_ON) == {"overdue", "due-soon", "invalid"}
    # a case that could not be read: not past due, but it fails --fail-on overdue (it may hide an overdue
    # deadline) and --fail-on invalid alone
    assert tally(["invalid!", "overdue!", "upcoming"]) == Tally(past_due=1, upcoming=1, invalid=1)
    assert fails(["invalid!"], "overdue") and fails(["invalid!"], "invalid") and not fails(["overdue!"], "invalid")


def test_select_keeps_the_order_it_is_given(everything):
    backwards = list(reversed(everything))
    assert select(backwards, DAY, Query(done=True, history=True)) == backwards


def test_a_due_list_is_what_due_json_prints(cli, everything):
    r = cli("due", "--caseload", SAMPLE, "--today", TODAY.isoformat(), "--format", "json", "--staff", "tnguyen",
            "--within", "1m", "--no-cache")
    assert r.code == 0, r.err
    assert json.loads(r.out) == due(everything, DAY, Query(staff=("tnguyen",), within="1m")).to_dicts()
    assert isinstance(due(everything, DAY), DueList)


def test_the_package_answers_due_from_a_folder(everything):
    import careerpath

    query = careerpath.Query(staff=["tnguyen"], within="2w")
    assert careerpath.due(SAMPLE, DAY, query).rows == due(everything, DAY, query).rows
    assert careerpath.due(SAMPLE, DAY).to_dicts() == due(everything, DAY).to_dicts()

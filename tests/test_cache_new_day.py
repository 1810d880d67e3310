"""A new day through ``due``'s kept rows prints what ``--no-cache`` prints, having rendered next to nothing.

The kept rows of ``due`` hold no day (careerpath/cli/views.py): status,
past_due, history and done_on are derived for the day asked, WHEN is worded
then, and the order (unreadable cases, past due, then by date) is split by
what is past due that day. These tests walk one cache through hand-chosen
days (a row that turns from due-soon to overdue, one that turns from upcoming
to due-soon, the first of a month when monthly windows move, a day back in
time) and through random sequences of days and edits, comparing every
format and filter with an uncached run.
"""

from __future__ import annotations

import random
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import ROOT, TODAY

sys.path.insert(0, str(ROOT / "benchmarks"))

from careerpath import pipeline  # noqa: E402
from careerpath.cli import views  # noqa: E402

from test_cache import N_CASES, STEPS, generated, trust_fresh_files  # noqa: E402,F401 (the same fixtures)

OPTIONS = [(), ("--format", "json"), ("--format", "csv", "--all"), ("--format", "ics"), ("--overdue",),
           ("--within", "2w", "--explain"), ("--status", "due-soon"), ("--lang", "ru", "--all"),
           ("--format", "json", "--all", "--staff", "cur01"), ("--fail-on", "due-soon", "--staff", "cur01")]


def _due(cli, root: Path, day: date, *extra):
    """due on ``day`` through the cache, checked against --no-cache: (its output, its Stats)."""
    args = ("due", "--caseload", root, "--today", day.isoformat(), *extra)
    cached = cli(*args)
    plain = cli("--no-cache", *args)
    assert (cached.out, cached.err, cached.code) == (plain.out, plain.err, plain.code), (day, extra)
    return cached.out, cached.stats


def _crossing(root: Path, status: str) -> tuple:
    """An open obligation that is ``status`` on TODAY and moves by its date alone: (it, its due date)."""
    found = [o for o in pipeline.results(root, TODAY).obligations()
             if o.status == status and o.basis and o.basis[0] == 1 and not o.incomplete]  # engine._DATED
    assert found, f"no {status} obligation in the generated caseload"
    o = min(found, key=lambda o: o.due)  # the soonest: its crossing is before most windows move
    return o, o.due


def _status_on(root: Path, day: date, o) -> str:
    for other in pipeline.results(root, day).obligations(history=True):
        if (other.case, other.rule, other.item, other.due) == (o.case, o.rule, o.item, o.due):
            return other.status
    raise AssertionError("the obligation is gone")


def test_hand_chosen_days_print_what_an_uncached_run_prints(cli, generated):
    """A row turning overdue, another turning due soon, the first of a month, a day back: every format and
    filter equals --no-cache, and a table renders again only the cases whose window moved."""
    soon, due_soon_date = _crossing(generated, "due-soon")
    later, upcoming_date = _crossing(generated, "upcoming")
    warn = later.basis[1]
    overdue_day = max(due_soon_date, TODAY) + timedelta(days=1)
    becomes_soon = upcoming_date - timedelta(days=warn)
    assert _status_on(generated, overdue_day - timedelta(days=1), soon) == "due-soon"
    assert _status_on(generated, overdue_day, soon) == "overdue"  # the crossing the days below walk over
    assert _status_on(generated, becomes_soon - timedelta(days=1), later) == "upcoming"
    assert _status_on(generated, becomes_soon, later) == "due-soon"
    month = date(TODAY.year + (TODAY.month == 12), TODAY.month % 12 + 1, 1)
    days = [TODAY, overdue_day - timedelta(days=1), overdue_day, becomes_soon - timedelta(days=1), becomes_soon,
            month, month + timedelta(days=1), TODAY + timedelta(days=1)]
    for day in days:
        for extra in OPTIONS:
            _due(cli, generated, day, *extra)
    # a table's rows hold no day: on a new day only the cases whose window moved are rendered again
    # (the first run may find its view pruned: more than views.VIEWS_KEPT option sets ran above)
    _due(cli, generated, month + timedelta(days=2), "--explain")  # (a table not kept as written)
    out, stats = _due(cli, generated, month + timedelta(days=3), "--explain")
    assert stats.view_cases == stats.recomputed and stats.view_cases < N_CASES
    assert soon.case in out
    # the plain table is made from the day before's as written (careerpath/cli/page.py: advance), with the
    # lines of those cases made again; the kept view is not read
    _due(cli, generated, month + timedelta(days=2))
    out, stats = _due(cli, generated, month + timedelta(days=3))
    assert (stats.page_cases, stats.view_cases) == (stats.recomputed, -1) and stats.page_cases < N_CASES
    assert soon.case in out


def test_a_row_turning_overdue_moves_up_among_the_past_due(cli, generated):
    """The kept rows are in date order; on the day after its date a due-soon row is listed with the past-due
    ones, first of all (they are all earlier), as --no-cache lists it."""
    import json

    soon, due_date = _crossing(generated, "due-soon")
    day = max(due_date, TODAY) + timedelta(days=1)
    _due(cli, generated, TODAY, "--format", "json")
    before, _ = _due(cli, generated, day - timedelta(days=1), "--format", "json")
    after, stats = _due(cli, generated, day, "--format", "json")
    assert stats.recomputed == 0  # nothing computed again: the row's status was derived for the day
    rows = json.loads(after)
    at = next(i for i, r in enumerate(rows) if r["uid"] == soon.uid)
    assert rows[at]["status"] == "overdue" and all(r["past_due"] for r in rows[:at + 1])
    was = next(r for r in json.loads(before) if r["uid"] == soon.uid)
    assert was["status"] == "due-soon" and not was["past_due"]
    assert 0 < stats.view_cases < N_CASES  # the cases with a row in a state not kept yet (a JSON row holds its status)
    table, _ = _due(cli, generated, day)
    assert table.splitlines()[1].startswith("overdue")
    _, stats = _due(cli, generated, day + timedelta(days=1))
    assert (stats.page_cases, stats.view_cases) == (stats.recomputed, -1)  # made from the day before's, as written
    _due(cli, generated, day + timedelta(days=1), "--explain")  # (a table not kept as written)
    _, stats = _due(cli, generated, day + timedelta(days=2), "--explain")
    assert stats.view_cases == stats.recomputed  # a table renders no row again for its status


@pytest.mark.parametrize("seed", range(4))
def test_any_sequence_of_days_and_edits_leaves_due_as_an_uncached_run_prints_it(cli, tmp_path, monkeypatch, seed):
    """Random walks over days (forward a day or a month, back in time) mixed with edits, added, deleted
    and renamed files and cases, in a random format and filter (fixed seeds, so a failure reproduces),
    with the view's delta folded at random sizes: after every step due through the cache prints what
    --no-cache prints (checked inside _due)."""
    from make_caseload import generate

    rng = random.Random(100 + seed)
    root = tmp_path / "gen"
    generate(str(root), 8, 11 + seed, TODAY)
    monkeypatch.setattr(views, "_fold_at", lambda cases, n=rng.choice([0, 1, 3, 100]): n)
    day = TODAY
    for _ in range(10):
        move = rng.random()
        if move < 0.5:
            day += timedelta(days=rng.choice([1, 1, 2, 7, 31]))
        elif move < 0.6:
            day -= timedelta(days=rng.choice([1, 10, 40]))
        else:
            cases = sorted(p.name for p in (root / "cases").iterdir())
            step = rng.choice([*STEPS, _rename_file])
            step(root, rng.choice(cases))
        for extra in rng.sample(OPTIONS, 2):
            _due(cli, root, day, *extra)


def _rename_file(root: Path, case: str) -> None:
    events = root / "cases" / case / "events"
    found = sorted(events.glob("*.yaml")) if events.is_dir() else []
    if found:
        found[0].rename(found[0].with_name("2020-01-01-renamed-" + found[0].name))


def test_a_case_added_and_deleted_between_days(cli, generated):
    _due(cli, generated, TODAY, "--format", "json")
    shutil.copytree(generated / "cases/c000003", generated / "cases/c000003b")
    _due(cli, generated, TODAY + timedelta(days=1), "--format", "json")
    shutil.rmtree(generated / "cases/c000004")
    _due(cli, generated, TODAY + timedelta(days=2), "--format", "json")
    _due(cli, generated, TODAY + timedelta(days=2))


def test_pieces_kept_for_other_days_stay_with_their_own_rows(cli, generated, monkeypatch):
    """A case is rendered again when one of its rows reaches a state it has no piece for; the pieces of its
    other states are kept, each with its own row. Here a JSON object's state is made to hold the day, so
    every new day renders every case again and keeps the other days' objects: walking forward and then back
    inside the windows prints the kept objects, as --no-cache prints them."""
    from careerpath.cli import duelist as cmd_due

    monkeypatch.setattr(cmd_due, "_state", lambda o, today: (o.status, o.past_due, o.history, o.done_on, today))
    monkeypatch.setattr(views, "cached_output", lambda root, token, cache: None)  # no replay: the view answers
    for n in (0, 1, 2, 3, 4, 5):
        _due(cli, generated, TODAY + timedelta(days=n), "--format", "json", "--all")
    for n in (2, 4, 1, 3):
        _, stats = _due(cli, generated, TODAY + timedelta(days=n), "--format", "json", "--all")
        if not stats.recomputed:
            assert stats.view_cases == 0  # every object of that day was kept, with its own row

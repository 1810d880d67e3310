"""A new day costs almost nothing: results computed on one day, kept, and derived for a later one.

A case's occurrences and done-ness depend on its files; statuses, past_due and history on the day.
The load cache keeps the first with the first later day on which they could differ (the case's
window: careerpath/obligations/engine.py notes it for the obligations, careerpath/daywindow.py for the
checks) and derives the second for the day asked (engine.on_day). Each test compares with a
computation made from nothing on that day.
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, SAMPLE, TODAY, copy_samples
from careerpath import pipeline
from careerpath.cache import Cache, scan
from careerpath.checks import run_checks
from careerpath.daywindow import Day, Window, plain
from careerpath.loader import Caseload, load
from careerpath.obligations import case_obligations, case_window, load_rules, on_day

sys.path.insert(0, str(ROOT / "benchmarks"))

# today+1, +30, +400, and across a quarter's and a year's end (Q4 -> Q1 is both; Q3 -> Q4 a quarter's)
LATER = [timedelta(days=n) for n in (1, 2, 7, 30, 400)]
BOUNDARIES = [(date(2026, 9, 30), date(2026, 10, 1)), (date(2026, 12, 31), date(2027, 1, 1)),
              (date(2026, 3, 31), date(2026, 4, 1))]


@pytest.fixture(autouse=True)
def trust_fresh_files(monkeypatch, tmp_path):
    monkeypatch.setattr(scan, "RACY_NS", 0)
    monkeypatch.setenv("CAREERPATH_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from make_caseload import generate

    out = []
    for seed in (3, 4):
        root = tmp_path_factory.mktemp("nd") / f"g{seed}"
        generate(str(root), 30, seed, TODAY, jobs=1)
        out.append(root)
    # a file written within the racy window of a scan is looked at again by the next run (cache/scan.py), and its
    # case computed again: the counting tests below need files older than that (g4's writing was not always enough)
    time.sleep(scan.RACY_NS / 1e9 + 0.1)
    return out


def _days(start: date) -> list[date]:
    days = [start + d for d in LATER]
    for before, after in BOUNDARIES:
        if before >= start:
            days += [before, after]
    return days


def _as_dicts(found) -> list:
    return sorted(((o.to_dict(), o.titles) for o in found), key=repr)


def _check_case_windows(root, starts) -> tuple[int, int]:
    """Every case: what its window says holds does hold; returns (days checked inside, outside)."""
    caseload = load(root)
    book = load_rules(caseload.programs)
    inside = outside = 0
    for start in starts:
        for cid, folder in sorted(caseload.cases.items()):
            diags = [d for d in caseload.diagnostics if d.file.startswith(f"cases/{cid}/")]
            found, until = case_window(folder, book, caseload.settings, start, caseload.config_file, diags)
            assert until > start
            one = Caseload(caseload.root, caseload.config, caseload.config_file, {cid: folder}, diags, caseload.programs)
            window = Window(start)
            checks = plain(run_checks(one, window.day()))
            assert sorted((d.to_dict() for d in checks), key=repr) == sorted((d.to_dict() for d in run_checks(one, start)), key=repr)
            for day in [start, *_days(start), until - timedelta(days=1) if until < date(9000, 1, 1) else start]:
                if day < until:
                    inside += 1
                    fresh = case_obligations(folder, book, caseload.settings, day, caseload.config_file, diags)
                    assert _as_dicts(on_day(o, day) for o in found) == _as_dicts(fresh), (cid, start, day)
                else:
                    outside += 1
                if window.until > day:
                    assert sorted((d.to_dict() for d in run_checks(one, day)), key=repr) == sorted((d.to_dict() for d in checks), key=repr), \
                        (cid, start, day)
    return inside, outside


def test_each_case_holds_through_its_window_sample():
    inside, outside = _check_case_windows(SAMPLE, [TODAY, date(2026, 4, 10)])
    assert inside > 0 and outside > 0  # both kinds of day were met


def test_each_case_holds_through_its_window_generated(generated):
    for root in generated:
        inside, outside = _check_case_windows(root, [TODAY, date(2026, 9, 29)])
        assert inside > 0 and outside > 0


def _same(cli, root, day: date, *extra) -> tuple[str, object]:
    args = ("--caseload", root, "--today", day.isoformat(), *extra)
    cached = cli("due", *args, "--format", "json", "--all")
    plain_ = cli("--no-cache", "due", *args, "--format", "json", "--all")
    assert (cached.out, cached.err, cached.code) == (plain_.out, plain_.err, plain_.code), day
    for command in (("due",), ("validate",)):
        a, b = cli(*command, *args), cli("--no-cache", *command, *args)
        assert (a.out, a.err, a.code) == (b.out, b.err, b.code), (command, day)
    return cached.out, cached.stats


@pytest.mark.parametrize("which", ["generated", "sample"])
def test_cached_runs_on_new_days_equal_uncached_ones(cli, generated, tmp_path, which):
    root = generated[1] if which == "generated" else copy_samples(tmp_path / "s")
    day = TODAY
    _same(cli, root, day)
    for step in [*LATER, timedelta(days=-1)]:
        _same(cli, root, day + step)
    for before, after in BOUNDARIES[:2]:
        _same(cli, root, before)
        _same(cli, root, after)
    _same(cli, root, day)  # and back


def test_a_new_day_inside_every_window_recomputes_nothing(generated):
    root = generated[0]
    handle = Cache()
    pipeline.results(root, TODAY, cache=handle).obligations()
    assert handle.stats.recomputed == 30
    handle = Cache()
    r = pipeline.results(root, TODAY + timedelta(days=1), cache=handle)
    r.obligations(history=True)
    recomputed = handle.stats.recomputed
    assert recomputed < 30
    # the cases computed again are exactly those whose window ended
    caseload = load(root)
    book = load_rules(caseload.programs)
    ended = {cid for cid, folder in caseload.cases.items()
             if case_window(folder, book, caseload.settings, TODAY, caseload.config_file)[1] <= TODAY + timedelta(days=1)}
    assert recomputed == len(ended)


def test_an_edit_on_a_later_day_is_seen(cli, tmp_path):
    root = copy_samples(tmp_path / "s")
    _same(cli, root, TODAY)
    plan = next(root.glob("cases/*/plan.yaml"))
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("due: 2026-10-30", "due: 2026-12-30", 1), encoding="utf-8")
    out, _stats = _same(cli, root, TODAY + timedelta(days=3))
    assert "2026-12-30" in out


# ---------------------------------------------------------------- the Day the checks are given

OPS = ["<", "<=", ">", ">=", "==", "!="]


def _compare(a, op: str, b) -> bool:
    import operator

    return {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq,
            "!=": operator.ne}[op](a, b)


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
       st.lists(st.tuples(st.integers(-60, 60), st.sampled_from(OPS), st.integers(-30, 30), st.booleans()),
                min_size=1, max_size=8),
       st.integers(0, 120))
def test_a_day_holds_its_answers_through_its_window(start, comparisons, later):
    """Comparisons of the day (moved by whole days) with fixed dates, either way round: the same
    answers on every day of the window; the window ends on a day where some answer changed."""
    window = Window(start)
    day = window.day()
    xs = [(start + timedelta(days=dx), op, off, left) for dx, op, off, left in comparisons]

    def answers(t) -> list[bool]:
        return [_compare(x, op, t + timedelta(days=off)) if left else _compare(t + timedelta(days=off), op, x)
                for x, op, off, left in xs]

    first = answers(day)
    assert first == answers(start)
    d = start + timedelta(days=later)
    if d < window.until:
        assert answers(d) == first
    if window.until < date.max:
        assert answers(window.until) != answers(window.until - timedelta(days=1))


def test_a_day_used_as_a_value_holds_for_today_only():
    for use in (lambda d: d.isoformat(), lambda d: str(d), lambda d: hash(d), lambda d: d.year,
                lambda d: f"{d:%Y}", lambda d: date(2030, 1, 1) - d, lambda d: d - date(2000, 1, 1),
                lambda d: plain(d), lambda d: d.replace(day=1), lambda d: {d: 1}):
        window = Window(TODAY)
        use(window.day())
        assert window.until == TODAY + timedelta(days=1)
    window = Window(TODAY)
    d = window.day()
    assert isinstance(d, date) and (d + timedelta(days=3)) - d == timedelta(days=3) and d < d + timedelta(days=1)
    assert window.until == date.max  # itself, moved by days: moves with it
    assert d == TODAY and window.until == TODAY + timedelta(days=1)  # equal to a date: that day only
    assert type(plain([d])[0]) is date  # nothing of it is stored


def test_future_dates_check_holds_until_the_event_day(tmp_path, caseload):
    root = caseload({"cases/a/case.yaml": """
        id: a
        status: active
        opened: 2026-01-05
        person: {name: Test Person, birth_date: 1990-01-01, language: en}
        staff: {navigator: jsmith}
        enrollments:
          ca-dds-ccp: {joined: 2026-01-05, regional_center: GGRC, uci: '1234567'}
        """, "cases/a/events/2026-12-01-contact.yaml": "date: 2026-12-01\ntype: contact\nsummary: planned\n"})
    cl = load(root)
    one = Caseload(cl.root, cl.config, cl.config_file, dict(cl.cases), [], cl.programs)
    window = Window(TODAY)
    found = plain(run_checks(one, window.day()))
    assert any(d.code == "future-date" for d in found)
    # the message names today: it holds for today only
    assert window.until == TODAY + timedelta(days=1)
    assert isinstance(Day(Window(TODAY)), date)

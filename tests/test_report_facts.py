"""``report dashboard`` and ``report outcomes`` counted from the results cache write what a run over the
loaded caseload writes.

Through the cache these reports load no case: each case's report facts
(careerpath/reports/facts.py) are kept beside its obligations and counted one
case at a time. These tests compare its page, stderr and exit code with
``--no-cache`` (which loads every case and computes the facts from the models)
on the sample and a generated caseload, with every filter, on days that move
windows and stages, after random edits, and with an unreadable case; and they
fail if the cached run loads the caseload.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import ROOT, TODAY, copy_samples

sys.path.insert(0, str(ROOT / "benchmarks"))

from careerpath import pipeline  # noqa: E402
from careerpath.reports import facts as report_facts  # noqa: E402

from test_cache import STEPS, generated, trust_fresh_files  # noqa: E402,F401 (the same fixtures)


def _report(cli, monkeypatch, root: Path, out: Path, day: date, kind: str, *extra) -> dict:
    """``report KIND`` through the cache (loading no case), checked against --no-cache: {file name: text}."""
    args = ("report", kind, "--caseload", root, "--today", day.isoformat(), *extra)
    with monkeypatch.context() as m:
        m.setattr(pipeline, "load", lambda *_a, **_k: pytest.fail(f"the cached {kind} report loaded the caseload"))
        cached = cli(*args, "--out", out / "cached")
    plain = cli("--no-cache", *args, "--out", out / "plain")
    assert (cached.code, cached.err.replace(str(out / "cached"), "OUT")) == \
        (plain.code, plain.err.replace(str(out / "plain"), "OUT")), (kind, day, extra)
    if cached.code == 2:
        return {}
    files = {p.name: p.read_text(encoding="utf-8") for p in sorted((out / "cached").iterdir())}
    assert files and files == {p.name: p.read_text(encoding="utf-8") for p in sorted((out / "plain").iterdir())}, \
        (kind, day, extra)
    return files


def _dashboard(cli, monkeypatch, root: Path, out: Path, day: date, *extra) -> str:
    """The dashboard page and the outcomes report (both counted from the cache) equal --no-cache's: the page."""
    _report(cli, monkeypatch, root, out / "outcomes", day, "outcomes", *extra)
    return _report(cli, monkeypatch, root, out, day, "dashboard", *extra).get("dashboard.html", "")


FILTERS = [(), ("--period", "2026"), ("--case", "c000003", "--case", "c000005"), ("--staff", "cur01"),
           ("--program", "ru-czn"), ("--staff", "nobody"), ("--program", "nope"), ("--lang", "ru")]


def test_every_filter_counts_what_the_loaded_caseload_counts(cli, monkeypatch, generated, tmp_path):
    pages = {extra: _dashboard(cli, monkeypatch, generated, tmp_path / str(i), TODAY, *extra)
             for i, extra in enumerate(FILTERS)}
    assert pages[()] != pages[("--case", "c000003", "--case", "c000005")]  # the filters narrow something
    assert pages[("--staff", "nobody")] == ""  # an unknown staff id is the same usage error


def test_the_samples_and_a_staff_member_named_only_on_a_case(cli, monkeypatch, tmp_path):
    samples = copy_samples(tmp_path / "samples")
    from careerpath import load

    loaded = load(samples)
    from careerpath.reports.select import case_staff

    on_cases = set().union(*(case_staff(cf, loaded.programs) for cf in loaded.cases.values())) - loaded.staff_ids()
    for i, extra in enumerate([(), ("--period", "2026"), *[("--staff", s) for s in sorted(on_cases)[:2]]]):
        assert _dashboard(cli, monkeypatch, samples, tmp_path / str(i), TODAY, *extra)


def test_new_days_and_changes_count_as_an_uncached_run(cli, monkeypatch, generated, tmp_path):
    """Days that end windows (a month's first, a quarter's end, a year on, a day back) and random edits:
    each dashboard equals --no-cache's."""
    rng = random.Random(5)
    month = date(TODAY.year + (TODAY.month == 12), TODAY.month % 12 + 1, 1)
    days = [TODAY, TODAY + timedelta(days=1), month, date(2027, 1, 1), TODAY + timedelta(days=400), TODAY]
    for n, day in enumerate(days):
        _dashboard(cli, monkeypatch, generated, tmp_path / f"d{n}", day, "--period", str(day.year))
        cases = sorted(p.name for p in (generated / "cases").iterdir())
        rng.choice(STEPS)(generated, rng.choice(cases))


def test_an_unreadable_case_is_named_and_counted_nowhere(cli, monkeypatch, generated, tmp_path):
    (generated / "cases/c000004/case.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    page = _dashboard(cli, monkeypatch, generated, tmp_path / "a", TODAY)
    assert "c000004" in page
    _dashboard(cli, monkeypatch, generated, tmp_path / "b", TODAY, "--case", "c000003")


def test_stages_read_on_a_day_hold_through_its_window():
    """The facts a case's stages give through a noting Day equal those of a plain date on every day of the
    window they note (the cache keeps them for that window)."""
    from careerpath import load
    from careerpath.daywindow import Window

    samples = ROOT / "sample-cases"
    loaded = load(samples)
    for cid, case_folder in sorted(loaded.cases.items()):
        window = Window(TODAY)
        kept = report_facts.of_case(case_folder, loaded.programs, window.day())
        last = min(window.until, TODAY + timedelta(days=120))
        for offset in range(0, (last - TODAY).days):
            day = TODAY + timedelta(days=offset)
            assert report_facts.of_case(case_folder, loaded.programs, day) == kept, (cid, day)


def test_a_job_that_starts_later_moves_the_stage_on_its_day(cli, monkeypatch, generated, tmp_path):
    """A person whose job begins in ten days stands "employed" from that day: the facts kept from today
    must not hold past it (their window ends on the job's first day), and the page says so."""
    cid = next(p.parent.name for p in sorted((generated / "cases").glob("*/case.yaml"))
               if "jobs: []" in p.read_text(encoding="utf-8") and "status: active" in p.read_text(encoding="utf-8"))
    path = generated / "cases" / cid / "case.yaml"
    start = TODAY + timedelta(days=10)
    job = f'jobs:\n  - employer: "Invented Bakery"\n    start: {start.isoformat()}\n    integrated: true'
    path.write_text(path.read_text(encoding="utf-8").replace("jobs: []", job, 1), encoding="utf-8")
    one = pipeline.load_one(generated, cid)
    case_folder = one.cases[cid]
    blob, until = pipeline._facts(case_folder, one.programs, TODAY)
    assert until == start
    before = report_facts.of_case(case_folder, one.programs, TODAY)
    after = report_facts.of_case(case_folder, one.programs, start)
    assert before.stages != after.stages
    for n, day in enumerate([TODAY, start - timedelta(days=1), start, start + timedelta(days=1)]):
        _dashboard(cli, monkeypatch, generated, tmp_path / str(n), day, "--case", cid)

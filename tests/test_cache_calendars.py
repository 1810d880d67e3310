"""Working-day calendars kept in the cache (careerpath/cache/calendars.py): a case computed again after an
edit needs no import of the holidays package, and its results are still the uncached ones."""

from __future__ import annotations

import sys
from datetime import date

import pytest

from conftest import ROOT, TODAY

sys.path.insert(0, str(ROOT / "benchmarks"))

from careerpath import pipeline  # noqa: E402
from careerpath.cache import Cache, calendars, scan, store  # noqa: E402
from careerpath.obligations import dates  # noqa: E402


@pytest.fixture(autouse=True)
def fresh(monkeypatch, tmp_path):
    """Fresh files trusted (racy checks are tested on their own), a cache of the test's own, no calendar
    known to this process yet."""
    monkeypatch.setattr(scan, "RACY_NS", 0)
    monkeypatch.setenv("CAREERPATH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(dates, "_SEEDED", {})
    monkeypatch.setattr(dates, "_SEEN", {})
    dates._holidays.cache_clear()
    yield
    dates._holidays.cache_clear()


def test_a_seeded_year_is_looked_up_not_computed(monkeypatch):
    monkeypatch.setitem(sys.modules, "holidays", None)  # any import of it fails
    weekend = frozenset({5, 6})
    dates.seed_calendars({("RU", 2026): (frozenset({date(2026, 3, 9)}), weekend, frozenset({date(2026, 3, 7)}))})
    assert dates.add_working_days(date(2026, 3, 6), 1, "RU") == date(2026, 3, 7)  # a Saturday made a working day
    assert dates.add_working_days(date(2026, 3, 7), 1, "RU") == date(2026, 3, 10)  # the Monday off
    assert set(dates.calendars_seen()) == {("RU", 2026)}
    with pytest.raises(ImportError):
        dates.is_working_day(date(2027, 1, 4), "RU")  # a year not seeded: the package is asked


def test_the_package_key_is_found_without_importing_it():
    was = "holidays" in sys.modules
    assert store.package_key() is not None
    assert ("holidays" in sys.modules) == was


def test_after_an_edit_the_case_is_computed_from_the_kept_calendars(tmp_path, monkeypatch):
    from make_caseload import generate

    root = tmp_path / "gen"
    generate(str(root), 12, 5, TODAY)
    pipeline.results(root, TODAY, cache=Cache()).obligations(history=True)
    kept = calendars.read(Cache().folder(root), Cache().key_for(root))
    assert ("RU", TODAY.year) in kept
    russian = [p.parent for p in sorted((root / "cases").glob("*/case.yaml")) if "ru-czn" in p.read_text("utf-8")]
    assert russian, "the generator made no case of the program with working days"
    plan = russian[0] / "case.yaml"
    plan.write_text(plan.read_text("utf-8") + "\n# edited\n", encoding="utf-8")
    expected = [o.to_dict() for o in pipeline.results(root, TODAY).obligations(history=True)]

    dates._holidays.cache_clear()
    monkeypatch.setattr(dates, "_SEEDED", {})
    key = store.package_key()
    monkeypatch.setattr(store, "package_key", lambda: key)  # (find_spec gives None for a blocked module)
    monkeypatch.setitem(sys.modules, "holidays", None)  # computing the edited case may not import it
    handle = Cache()
    got = pipeline.results(root, TODAY, cache=handle)
    assert [o.to_dict() for o in got.obligations(history=True)] == expected
    assert handle.stats.recomputed == 1


def test_another_package_key_is_a_miss(tmp_path):
    calendars.write(tmp_path, b"k" * 16, {("RU", 2026): (frozenset(), frozenset({5, 6}), frozenset())})
    assert calendars.read(tmp_path, b"k" * 16)
    assert calendars.read(tmp_path, b"j" * 16) == {}


def test_another_holidays_package_is_another_code_key(monkeypatch):
    """Cached results hold deadlines counted in working days: a new holidays release (new holiday lists)
    must not be answered from results computed with the old one."""
    before = store.code_key()
    assert store.code_key() == before
    monkeypatch.setattr(store, "package_key", lambda: b"holidays 99.0")
    assert store.code_key() != before

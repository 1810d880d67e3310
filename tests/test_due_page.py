"""due's plain table kept as written (careerpath/cli/page.py): after a change, the changed cases' lines are
swapped into the page and the rest is not made again; what it prints is what the whole table prints."""

from __future__ import annotations

import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import ROOT, TODAY

sys.path.insert(0, str(ROOT / "benchmarks"))

from careerpath.cli import page as pages  # noqa: E402
from careerpath.obligations import sort_key  # noqa: E402
from careerpath.obligations.query import Query, tally  # noqa: E402

from test_cache import generated, trust_fresh_files  # noqa: E402,F401 (the same fixtures)

HEADERS = ["STATUS", "DUE", "CASE", "WHAT"]
MARKS = ["overdue!", "due-soon", "upcoming", "partial!", "invalid!", "done"]


def _closing(marks) -> str:
    t = tally(marks)
    return f"{t.total} rows: {t.past_due} past due, {t.due_soon} soon, {t.invalid} unreadable"


def _rows(rng: random.Random, case: str) -> list:
    """A case's rows: obligations as far as a page reads them, with cells and a mark."""
    out = []
    for _ in range(rng.randint(0, 4)):
        unreadable = rng.random() < 0.05
        due = None if unreadable else date(2026, 11, 1) + timedelta(days=rng.randint(0, 60))
        o = SimpleNamespace(case=case, due=due, past_due=bool(due and due < date(2026, 11, 22)), program="p",
                            rule=f"r{rng.randint(0, 3)}", item=str(rng.randint(0, 2)), basis=(), history=False,
                            done_on=None)
        o.mark = "invalid!" if unreadable else "overdue!" if o.past_due else rng.choice(MARKS[1:])
        o.status = o.mark.rstrip("!")
        o.cells = (o.mark.rstrip("!"), str(due or "-"), case, "x" * rng.randint(1, 12) + rng.choice(["", " é", " 東"]))
        out.append(o)
    return out


def _table(by_case: dict) -> tuple[list, list, list]:
    rows = sorted((o for rows in by_case.values() for o in rows), key=sort_key)
    return rows, [o.cells for o in rows], [o.mark for o in rows]


@pytest.mark.parametrize("seed", range(60))
def test_a_patched_page_is_the_page_made_whole(seed):
    """Random tables and random changes (cases edited, added, removed, emptied): the patched page is
    byte for byte and field for field the page made from the whole new table, or None exactly when a
    column's width changed or nothing is left."""
    rng = random.Random(seed)
    by_case = {f"c{n:06d}": _rows(rng, f"c{n:06d}") for n in range(rng.randint(1, 30))}
    rows, body, marks = _table(by_case)
    fps = {cid: bytes([n % 256]) for n, cid in enumerate(by_case)}
    text, page = pages.make(fps, HEADERS, body, rows, marks, _closing(marks), "utf-8", "strict")
    for _step in range(4):
        changed = set(rng.sample(sorted(by_case), rng.randint(0, min(3, len(by_case)))))
        if rng.random() < 0.3:
            changed.add(f"c{rng.randint(0, 40):06d}x")  # a new case (or one long gone)
        for cid in changed:
            if rng.random() < 0.2:
                by_case.pop(cid, None)
            else:
                by_case[cid] = _rows(rng, cid)
                fps[cid] = bytes([rng.randint(0, 255), len(fps) % 256])
        for cid in list(fps):
            if cid not in by_case:
                del fps[cid]
        rows, body, marks = _table(by_case)
        theirs = sorted((o for cid in changed for o in by_case.get(cid, ())), key=sort_key)
        patched = pages.patch(page, text, changed, theirs, [o.cells for o in theirs], [o.mark for o in theirs], HEADERS,
                              _closing, "utf-8", "strict", fps)
        if not body:
            assert patched is None
            return
        whole_text, whole = pages.make(fps, HEADERS, body, rows, marks, _closing(marks), "utf-8", "strict")
        if whole.widths != page.widths:
            assert patched is None
            text, page = whole_text, whole
            continue
        assert patched is not None
        text, page = patched
        assert bytes(text) == whole_text
        assert bytes(text).decode().count("\n") == len(rows) + 2
        assert (page.sizes, page.places, page.lengths, page.widths, page.fps, page.check, page.head) == \
            (whole.sizes, whole.places, whole.lengths, whole.widths, whole.fps, whole.check, whole.head)
        assert [page.names[i] for i in page.who] == [o.case for o in rows]
        assert [page.kinds[i] for i in page.marks] == marks
        assert [page.states[i] for i in page.state] == [(pages.state_of(o), pages.place(o)) for o in rows]
        assert page.exact == whole.exact is True
        # text that is not the page's is never patched
        assert pages.patch(page, bytes(text)[:-1] + b"?", set(), [], [], [], HEADERS, _closing, "utf-8", "strict", fps) is None


def _due(cli, root: Path, *extra):
    """due through the cache, checked against --no-cache: (its output, exit code, Stats)."""
    args = ("due", "--caseload", root, "--today", TODAY, *extra)
    cached = cli(*args)
    plain = cli("--no-cache", *args)
    assert (cached.out, cached.err, cached.code) == (plain.out, plain.err, plain.code), extra
    return cached.out, cached.code, cached.stats


def _set_due(root: Path, case: str, day: date) -> bool:
    """Give ``case``'s first dated plan objective the due date ``day`` and no done date (False: none)."""
    path = root / "cases" / case / "plan.yaml"
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(r"(\{id: g\d+\.o\d+, text: [^,]*, )due: [0-9-]+, done: (?:[0-9-]+|null)",
                     lambda m: f"{m.group(1)}due: {day.isoformat()}, done: null", text, count=1)
    if n == 0 or new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


@pytest.mark.parametrize("options", [(), ("--fail-on", "overdue"), ("--within", "3w"), ("--lang", "ru", "--all")])
def test_value_edits_are_swapped_into_the_page(cli, generated, options):
    """A due date moved back and forth (overdue, due soon, later, past the window): each run after one case
    changed swaps that case's lines (page_cases 1, the kept view not read) and prints, with the exit code,
    what --no-cache prints."""
    _due(cli, generated, *options)
    cases = sorted(p.name for p in (generated / "cases").iterdir())
    rng = random.Random(repr(options))
    paged = 0
    for step in range(8):
        case = rng.choice(cases)
        if not _set_due(generated, case, TODAY + timedelta(days=rng.choice([-40, -3, 0, 5, 12, 90, 400]) + step)):
            continue
        out, code, stats = _due(cli, generated, *options)
        if stats.page_cases >= 0:
            assert (stats.page_cases, stats.view_cases) == (1, -1)
            paged += 1
    assert paged >= 3  # (a change of a column's width makes the whole table: rare, not every time)


def test_a_page_is_for_one_output_encoding(generated, tmp_path):
    """The page holds bytes: written for UTF-8, it is not used for an output in another encoding (the same
    command prints, patched or not, what --no-cache prints in each), and none is kept for UTF-16."""
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAREERPATH_CACHE_DIR": str(tmp_path / "cache")}
    args = ("due", "--caseload", str(generated), "--today", TODAY.isoformat(), "--lang", "ru", "--all")

    def both(encoding: str) -> bytes:
        e = {**env, "PYTHONIOENCODING": encoding}
        cached, plain = (subprocess.run([sys.executable, "-m", "careerpath", *more, *args], env=e, capture_output=True,
                                        timeout=120) for more in ((), ("--no-cache",)))
        assert (cached.stdout, cached.returncode) == (plain.stdout, plain.returncode), encoding
        return cached.stdout

    utf8 = both("utf-8")
    assert _set_due(generated, "c000003", TODAY + timedelta(days=4))
    koi = both("koi8-r:replace")
    assert koi != utf8 and koi.decode("koi8-r").split()[0] == utf8.decode().split()[0]  # the same Russian header
    assert both("utf-8") != utf8
    # UTF-16 puts a byte-order mark before every piece encoded apart: its table is never kept as a page
    both("utf-16")
    assert _set_due(generated, "c000003", TODAY + timedelta(days=8))
    assert both("utf-16").decode("utf-16").split()[0] == utf8.decode().split()[0]


def test_an_edit_seconds_old_is_patched_without_a_stored_output(cli, generated, monkeypatch):
    """A run right after a save cannot key the saved file (the racy rule), so its output is not stored; the
    page it was patched from stays as it was (true of its own stored output), and the next run patches that
    again (the racy case's lines made again too). A page made whole in that state keeps the text itself."""
    import time

    from careerpath.cache import scan, store

    _due(cli, generated)
    outputs = store.cache_dir(generated) / "outputs"
    stored = set(outputs.iterdir())
    kept = {p: p.read_bytes() for p in (store.cache_dir(generated) / "pages").iterdir()}
    trusted_until = time.time_ns()
    monkeypatch.setattr(scan, "racy_after", lambda: trusted_until)  # anything written from now on is too fresh
    time.sleep(0.01)
    assert _set_due(generated, "c000003", TODAY + timedelta(days=6))
    out, _, stats = _due(cli, generated)
    assert (stats.page_cases, stats.view_cases, stats.output_hit) == (1, -1, False)
    assert set(outputs.iterdir()) == stored  # nothing stored under a key of a file that fresh
    assert _set_due(generated, "c000005", TODAY + timedelta(days=9))
    out, _, stats = _due(cli, generated)
    assert (stats.page_cases, stats.view_cases) == (2, -1)  # c000005, and c000003 (still too fresh to trust)
    assert set(outputs.iterdir()) == stored
    assert {p: p.read_bytes() for p in (store.cache_dir(generated) / "pages").iterdir()} == kept
    # no page to patch (another request): the whole table is made, and its page holds the text
    out, _, stats = _due(cli, generated, "--case", "c000003", "--case", "c000005")
    assert (stats.page_cases, stats.output_hit) == (-1, False) and set(outputs.iterdir()) == stored
    out, _, stats = _due(cli, generated, "--case", "c000003", "--case", "c000005")
    assert (stats.page_cases, stats.view_cases) == (2, -1)


# ---------------------------------------------------------------- a later day's table from an earlier one's

def _obligations(rng: random.Random, case: str) -> list:
    """A case's obligations as computed: (due, basis, status, done_on, title), as the engine gives them (kinds
    of careerpath/obligations/engine.py: 0 fixed, 1 dated, 2 informational, 3 scheduled)."""
    out = []
    for n in range(rng.randint(0, 5)):
        if rng.random() < 0.04:
            out.append((None, (), "invalid", None, "case.yaml, 1 error"))
            continue
        due = date(2026, 11, 1) + timedelta(days=rng.randint(0, 90))
        kind = rng.choice([0, 1, 1, 1, 2, 3])
        bound = rng.choice([None, None, due + timedelta(days=rng.randint(1, 40))])
        status, done_on = ("partial", None) if kind == 0 else ("upcoming", None)
        title = f"{rng.choice(['Plan', 'Review', 'Report'])} {n}" + rng.choice(["", " é", " 東", "x" * rng.randint(1, 9)])
        out.append((due, (kind, rng.choice([7, 14]), bound), status, done_on, title))
    return out


def _on(case: str, computed: list, day: date) -> list:
    """The listed rows of a case on ``day`` (as ``due`` lists them by default), with their cells and marks."""
    from careerpath.cli.duelist import _when
    from careerpath.i18n import display
    from careerpath.obligations import state_on
    from careerpath.obligations.query import mark

    out = []
    for n, (due, basis, status, done_on, title) in enumerate(computed):
        past_due, history = False, False
        if basis:
            status, past_due, history, done_on = state_on(basis, due, status, done_on, day)
        if status != "invalid" and (status == "done" or history):
            continue
        o = SimpleNamespace(case=case, due=due, basis=basis, status=status, past_due=past_due, history=history,
                            done_on=done_on, program="p", rule=f"r{n}", item="")
        o.cells = (display("status", status), str(due or "-"), _when(status, due, done_on, day), case, title, "cur01")
        o.mark = mark(o)
        out.append(o)
    return out


def _whole(by_case: dict, stamps: dict, day: date):
    from careerpath.cli.duelist import _headers, summary

    rows = sorted((o for cid, computed in by_case.items() for o in _on(cid, computed, day)), key=sort_key)
    if not rows:
        return None, None, rows
    marks = [o.mark for o in rows]
    text, page = pages.make(stamps, _headers(False), [o.cells for o in rows], rows, marks, summary(marks), "utf-8",
                            "strict", day.toordinal())
    return text, page, rows


def _same(page, whole) -> None:
    fields = ("sizes", "places", "lengths", "widths", "check", "head", "day", "exact", "plain")
    assert [getattr(page, f) for f in fields] == [getattr(whole, f) for f in fields]
    assert [page.names[i] for i in page.who] == [whole.names[i] for i in whole.who]
    assert [page.kinds[i] for i in page.marks] == [whole.kinds[i] for i in whole.marks]
    assert [page.states[i] for i in page.state] == [whole.states[i] for i in whole.state]


@pytest.fixture(params=["en", "ru"])
def language(request):
    """The table worded in English (STATUS and WHEN a byte a character: lines are cut as bytes) and in Russian
    (they are not: lines are cut as text)."""
    from careerpath import i18n

    previous = i18n.current()
    i18n.use(request.param)
    yield request.param
    i18n.use(previous)


@pytest.mark.parametrize("seed", range(40))
def test_a_later_days_table_from_an_earlier_ones_is_the_table_made_whole(seed, language):
    """Random caseloads walked forward by random steps, a few cases computed again on some days: the table
    advanced to the new day (STATUS, WHEN, marks, order and closing line made again, done and history lines
    left out) is byte for byte and field for field the table made whole from the same results on that day,
    or None exactly when a column other than STATUS and WHEN changed its width or nothing is left; the lines
    of the cases computed again are then patched in as after an edit."""
    from careerpath.cli.duelist import _headers, _mover, summary

    rng = random.Random(seed)
    by_case = {f"c{n:06d}": _obligations(rng, f"c{n:06d}") for n in range(rng.randint(1, 25))}
    stamps = {cid: (bytes([n]), 0) for n, cid in enumerate(by_case)}
    day = date(2026, 11, 1) + timedelta(days=rng.randint(0, 20))
    text, page, _ = _whole(by_case, stamps, day)
    assert page is None or page.plain is (language == "en")
    advanced = 0
    for _step in range(6):
        if page is None:
            return
        later = day + timedelta(days=rng.choice([1, 1, 2, 5, 17, 40]))
        assert pages.advance(page, text, day.toordinal(), _mover(day, Query()), _headers(False), summary,
                             "utf-8", "strict") is None  # the same day: nothing to advance
        got = pages.advance(page, text, later.toordinal(), _mover(later, Query()), _headers(False), summary,
                            "utf-8", "strict")
        same_text, same, _ = _whole(by_case, page.fps, later)  # the same results on the later day
        if same is None or [same.widths[k] for k in (1, 3, 4)] != [page.widths[k] for k in (1, 3, 4)]:
            assert got is None
        else:
            assert got is not None
            advanced += 1
            assert got[0] == same_text
            _same(got[1], same)
            text, page = got
            changed = set(rng.sample(sorted(by_case), rng.randint(0, min(3, len(by_case)))))
            for cid in changed:
                by_case[cid] = _obligations(rng, cid)
                stamps[cid] = (bytes([rng.randint(0, 255)]), later.toordinal())
            theirs = sorted((o for cid in changed for o in _on(cid, by_case[cid], later)), key=sort_key)
            patched = pages.patch(page, text, changed, theirs, [o.cells for o in theirs], [o.mark for o in theirs],
                                  _headers(False), summary, "utf-8", "strict", stamps)
            whole_text, whole, _ = _whole(by_case, stamps, later)
            if patched is not None:
                assert bytes(patched[0]) == whole_text
                _same(patched[1], whole)
        day = later
        text, page, _ = _whole(by_case, stamps, day)
    assert advanced  # (a walk whose table empties returns above)


def test_a_table_that_does_not_decode_to_its_cells_is_not_advanced():
    """A page whose text lost characters on the way out (an encoding that replaces them) cannot be cut into its
    cells again: it is made whole on a later day."""
    from careerpath.cli.duelist import _headers, _mover, summary

    later = date(2026, 11, 23)
    o = SimpleNamespace(case="c000001", due=date(2026, 11, 30), basis=(1, 7, None), status="due-soon", past_due=False,
                        history=False, done_on=None, program="p", rule="r", item="")
    cells = [("due-soon", "2026-11-30", "in 8d", "c000001", "Plan é", "cur01")]
    # (cp500, EBCDIC: a byte a character, but not ASCII's bytes: STATUS and WHEN are encoded as the rest)
    for encoding, errors, exact in (("utf-8", "strict", True), ("cp500", "strict", True), ("ascii", "replace", False)):
        text, page = pages.make({"c000001": b"1"}, _headers(False), cells, [o], ["due-soon"], summary(["due-soon"]),
                                encoding, errors, later.toordinal() - 1)
        assert page.exact is exact
        got = pages.advance(page, text, later.toordinal(), _mover(later, Query()), _headers(False), summary,
                            encoding, errors)
        assert (got is not None) is exact
        if got is not None:
            whole, _ = pages.make({"c000001": b"1"}, _headers(False), [cells[0][:2] + ("in 7d",) + cells[0][3:]], [o],
                                  ["due-soon"], summary(["due-soon"]), encoding, errors, later.toordinal())
            assert got[0] == whole and "in 7d".encode(encoding) in got[0] and "Plan é".encode(encoding) in got[0]


@pytest.mark.parametrize("seed", range(20))
def test_the_lines_of_changed_cases_and_the_widths_left_are_those_counted_plainly(seed):
    """page._lines_of (array.index for a few cases, one pass for many) and _widths_after (a column measured
    again only when every line as wide as it leaves) against the plain loops they replace."""
    from array import array

    rng = random.Random(seed)
    cases = rng.randint(1, 60)
    who = array("I", (rng.randrange(cases) for _ in range(rng.randint(1, 400))))
    for count in (0, 1, 3, 8, 9, 30):
        numbers = rng.sample(range(cases), min(count, cases))
        assert pages._lines_of(who, numbers, cases) == [i for i, w in enumerate(who) if w in set(numbers)]
        removed = pages._lines_of(who, numbers, cases)
        lengths = [array("I", (rng.choice([1, 2, 5, 9]) for _ in who)) for _ in HEADERS]
        page = SimpleNamespace(lengths=lengths, widths=pages.widths_of(HEADERS, lengths))
        added = [tuple("y" * rng.randint(0, 10) for _ in HEADERS) for _ in range(rng.randint(0, 2))]
        left = [[v for i, v in enumerate(column) if i not in set(removed)] for column in lengths]
        plain = [max(len(h), max(column, default=0), max((len(row[c]) for row in added), default=0))
                 for c, (h, column) in enumerate(zip(HEADERS, left))]
        assert pages._widths_after(page, HEADERS, removed, added) == plain

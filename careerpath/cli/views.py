"""What the commands keep in the load cache besides results: ``due``'s rows, and whole outputs.

``views/<day>-<key>.pickle`` and ``.delta`` (:func:`view`)
    ``due``'s rows for one format and set of options: a base and a delta of
    the cases rendered again since, so after an edit only the edited case's
    rows are rendered.
``outputs/<key>.pickle`` (:func:`output_cached`, :mod:`careerpath.cache.outputs`)
    The whole stdout, stderr and exit code of a piped read-only command,
    replayed while nothing it reads has changed (``due``'s table patched after
    an edit: splices of the whole output it was patched from).

Both are stored with :mod:`careerpath.cache.store` in the caseload's cache
folder and keyed by what the results depend on (:mod:`careerpath.cache.results`)
plus the command's options and language; the CLI modules are in the code key.
"""

from __future__ import annotations

import bisect
import functools
import gc
import os
import sys
from contextvars import ContextVar
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional

if TYPE_CHECKING:  # the cache (and hashlib) are imported when a command runs, not for `careerpath --help`
    from ..cache import Cache

VIEWS_KEPT = 8


# ---------------------------------------------------------------- a table over the obligations, kept

def _fold_at(cases: int) -> int:
    """How many re-rendered cases a view's delta holds before they are folded into its base."""
    return max(100, cases // 50)


class Row:
    """One obligation of a kept view on the day asked: what ``select``, ``mark`` and a format's fill read of
    an :class:`~careerpath.obligations.Obligation` (status, past_due, history and done_on derived for the
    day, and the basis they follow), and the kept row it comes from."""

    __slots__ = ("case", "program", "rule", "item", "staff", "due", "status", "past_due", "history", "done_on",
                 "basis", "kept")


# a kept row: (0 for a case that could not be read else 1, due ordinal, case, program, rule, item, staff, basis,
# status, past_due, history, done_on (as computed, on its window's first day), {state key: piece});
# a view's rows are in the order of their first six fields
_ORDER = 6


def _kept_row(o: Any, pieces: dict, one: Any) -> tuple:
    """``o``'s kept row; ``one`` gives one object for equal values (stored once in the pickle)."""
    due = o.due
    return (0 if due is None else 1, due.toordinal() if due is not None else 0, one(o.case), one(o.program),
            one(o.rule), o.item, one(o.staff), one(o.basis), one(o.status), o.past_due, o.history, o.done_on, pieces)


def _order(row: tuple) -> tuple:
    return row[:_ORDER]


CHUNK_CASES = 512  # cases whose obligations are rendered together (whole shards of the results store)


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    """``ids`` in groups of whole results shards (each shard's file is read once), about
    :data:`CHUNK_CASES` cases each, in shard order."""
    from ..cache.store import shard_of

    by_shard: dict[int, list] = {}
    for cid in ids:
        by_shard.setdefault(shard_of(cid), []).append(cid)
    chunk: list = []
    for _n, group in sorted(by_shard.items()):
        chunk += group
        if len(chunk) >= CHUNK_CASES:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(rows: list, more: list) -> None:
    """Put ``more`` (a case's rows) into ``rows`` (sorted), each where its order says (after equal ones)."""
    if len(more) > len(rows) // 64:  # many: one sort (of mostly sorted runs)
        rows += more
        rows.sort(key=_order)
        return
    for row in more:
        bisect.insort_right(rows, row, key=_order)


def view(found: Any, request: str, render: Any, state: Any, pick: Any, *, history: bool = False,
         done: bool = True) -> tuple[list, list]:
    """The obligations a command lists on ``found``'s day and their pieces, kept across edits and days.

    ``found`` is a :class:`careerpath.pipeline.Results`; the rows are those of
    ``found.obligations(history=…, done=…)`` that ``pick(rows)`` keeps (a
    filter that reads them as obligations, order kept), in sort order.
    ``render(obligations)`` gives one piece per obligation (a JSON object, a
    CSV line, table cells...); it may depend only on the obligation, on
    ``request`` (the command's options and language) and on what the results
    key covers (settings, rules, code), and on the day only through what
    ``state(obligation, today)`` says it reads of the day (for a piece that
    holds the status: the status, past_due, history and done_on). Returns
    ``(rows, pieces)``: the rows (obligations, or :class:`Row` through the
    cache) and the pieces, exactly what rendering ``pick(obligations)``
    gives.

    Kept in two files under ``views/``, under the results key (no day in
    it): ``<key>.pickle``, the base (every row of every case, as its case's
    results were computed, with the pieces made for it so far, one per state;
    and the stamp of every case: fingerprint and window), and ``<key>.delta``,
    the rows of the cases rendered again since (changed, added, a window that
    moved, a state not yet rendered). A row's status and the rest are derived
    for the day asked (:func:`careerpath.obligations.state_on`), so a new day
    renders again only the cases whose window moved and the rows whose state
    has no piece yet; the order (unreadable cases, then past due, then by date)
    is the base's, split by what is past due on the day. The delta is folded
    into a new base when it holds more than :func:`_fold_at` cases. The
    :data:`VIEWS_KEPT` newest views of the current results key (settings,
    rules, code) are kept.
    """
    if not found.cached:
        rows = pick(found.obligations(history=history, done=done))
        return rows, render(rows)
    from ..collector import paused

    with paused():  # tens of thousands of rows, none of them garbage: the collector would scan them again and again
        return _kept_view(found, request, render, state, pick, history, done)


def _kept_view(found: Any, request: str, render: Any, state: Any, pick: Any, history: bool,
               done: bool) -> tuple[list, list]:
    """:func:`view` through the cache."""
    import hashlib

    from ..cache import store
    from ..obligations import on_day, state_on

    stored = found.stored
    stats = stored.stats
    today = stored.today
    vkey = hashlib.blake2b(stored.rkey + repr((history, done, request)).encode("utf-8", "surrogateescape"),
                           digest_size=16).digest()
    folder = stored.folder / "views"
    prefix = stored.rkey.hex()[:12]  # views of other settings or rules are deleted when a base is written
    base_path, delta_path = folder / f"{prefix}-{vkey.hex()[:20]}.pickle", folder / f"{prefix}-{vkey.hex()[:20]}.delta"
    base = store.read(base_path, vkey, stats)
    if not (isinstance(base, tuple) and len(base) == 3):
        base = (b"", {}, [])
    base_id, base_stamps, rows = base
    delta = store.read(delta_path, vkey, stats) if base_id else None
    if not (isinstance(delta, tuple) and len(delta) == 2 and delta[0] == base_id):
        delta = (base_id, {})
    rendered: dict = delta[1]  # case id -> (stamp, rows) of the cases rendered since the base
    stamps = stored.stamps
    stale = [cid for cid in found.cases
             if (rendered[cid][0] if cid in rendered else base_stamps.get(cid)) != stamps[cid]]
    live = set(found.cases)
    gone = [cid for cid in rendered if cid not in live]
    for cid in gone:
        del rendered[cid]
    rest = history or done

    def again(ids: list[str], old: dict) -> None:
        """Render the rows of ``ids`` for today into ``rendered``, keeping pieces made on other days (``old``:
        case id -> its rows as kept, for cases whose results did not change)."""
        by_case: dict = {cid: [] for cid in ids}
        one = {}.setdefault
        chunks = list(_chunks(ids))
        for chunk in chunks:  # a cold run's obligations are not all held at once: a few shards at a time
            kept = stored.kept(chunk, rest)
            derived = [on_day(o, today) for o in kept]
            pieces = render(derived)
            for o, now, piece in zip(kept, derived, pieces):
                if isinstance(piece, tuple):  # table cells: a few hundred dates, titles and staff lists
                    piece = one(tuple(one(cell, cell) for cell in piece), piece)
                by_case[o.case].append(_kept_row(o, {state(now, today): piece}, lambda v: one(v, v)))
            del kept, derived, pieces
            if len(chunks) > 1:
                # with the collector off, what rendering left in cycles (json.dumps with an indent makes a few
                # closures per call: ~2 KB an obligation) would stay until the view is done; the youngest
                # generation holds only this chunk's objects (the last collection promoted the others)
                gc.collect(0)
        for cid, new in by_case.items():
            new.sort(key=_order)  # as the view holds them: row by row the same obligations as ``old``'s
            before = old.get(cid)
            if before is not None and len(before) == len(new):  # the same results: keep their other pieces
                for row, was in zip(new, before):
                    if was[:-1] != row[:-1]:
                        break
                    more = {k: v for k, v in was[-1].items() if k not in row[-1]}
                    for k in list(more)[:7]:  # the newest first
                        row[-1][k] = more[k]
            rendered[cid] = (stamps[cid], new)

    if stale:
        again(stale, {})
    drop = rendered.keys() | (base_stamps.keys() - live)
    if drop:
        rows = [r for r in rows if r[2] not in drop]
    _insert(rows, [row for _stamp, extra in rendered.values() for row in extra])

    def on(found_rows: list) -> tuple[list, list]:
        """Every row on ``today``: the Rows ``pick`` keeps, in sort order, and the kept row of each."""
        invalid, late, other = [], [], []
        states: dict = {}
        dates: dict = {}

        def due_of(ordinal: int) -> date:  # a few hundred due dates among tens of thousands of rows
            found_date = dates.get(ordinal)
            return found_date if found_date is not None else dates.setdefault(ordinal, date.fromordinal(ordinal))

        for kept in found_rows:
            basis, status, past_due, history_, done_on = kept[7:12]
            if basis:
                key = (basis, kept[1], status, done_on)
                got = states.get(key)
                if got is None:
                    got = states[key] = state_on(basis, due_of(kept[1]), status, done_on, today)
                status, past_due, history_, done_on = got
            if (not history and history_) or (not done and status == "done"):
                continue
            row = Row()
            row.case, row.program, row.rule, row.item, row.staff = kept[2:7]
            row.due = due_of(kept[1]) if kept[0] else None
            row.status, row.past_due, row.history, row.done_on, row.kept = status, past_due, history_, done_on, kept
            row.basis = basis
            (invalid if not kept[0] else late if past_due else other).append(row)
        picked = pick(invalid + late + other)
        return picked, [row.kept for row in picked]

    picked, kept_rows = on(rows)
    missing = {row.case for row, kept in zip(picked, kept_rows) if state(row, today) not in kept[-1]}
    stats.view_cases = len(stale) + len(missing)
    if missing:  # states not rendered before (a new day's): those cases' rows again, with their other pieces
        ids = [cid for cid in found.cases if cid in missing]
        old: dict = {cid: [] for cid in ids}
        keep = []
        for r in rows:  # one pass: each missing case's rows (in view order) apart from the rest
            (old[r[2]] if r[2] in old else keep).append(r)
        again(ids, old)
        rows = keep
        _insert(rows, [row for cid in ids for row in rendered[cid][1]])
        picked, kept_rows = on(rows)
    pieces = [kept[-1][state(row, today)] for row, kept in zip(picked, kept_rows)]
    if not base_id or len(rendered) > _fold_at(len(live)):
        store.write(base_path, vkey, (os.urandom(8), dict(stamps), rows))
        store.forget(delta_path)
        store.prune(folder, VIEWS_KEPT, prefix)
    elif stale or gone or missing:
        store.write(delta_path, vkey, (base_id, rendered))
    return picked, pieces


# ---------------------------------------------------------------- the output of a command, for unchanged input

def output_token(root: Path, today: date, request: str, cache: Cache) -> Optional[bytes]:
    """:func:`careerpath.replay.output_token` (the start-up path computes the same key without typer)."""
    from ..replay import output_token as token

    return token(root, today, request, cache)


#: the key of the output the running command's stdout is being stored under (None: it is not being stored)
_MAKING: ContextVar[Optional[bytes]] = ContextVar("careerpath_output_making", default=None)


def making() -> Optional[bytes]:
    """The key the output now written to stdout will be stored under (:func:`output_cached`), or None."""
    return _MAKING.get()


def _stored(root: Path, token: bytes, cache: Cache) -> Optional[tuple[Any, bytes, int]]:
    from ..cache import outputs

    return outputs.read(cache.folder(root), token, cache.key, cache.stats)


def cached_output(root: Path, token: bytes, cache: Cache) -> Optional[tuple[Any, bytes, int]]:
    """(stdout as a :class:`~careerpath.cache.outputs.Text`, stderr, exit code) stored under ``token``, or None."""
    kept = _stored(root, token, cache)
    if kept is not None:
        cache.stats.output_hit = True
    return kept


def kept_stdout(root: Path, token: bytes, cache: Cache) -> Optional[Any]:
    """The stdout stored under ``token`` (a :class:`~careerpath.cache.outputs.Text`), or None (read to be
    patched, not replayed)."""
    kept = _stored(root, token, cache)
    return kept[0] if kept is not None else None


def write_stdout(data: Any) -> None:
    """Bytes (or a stored output's :class:`~careerpath.cache.outputs.Text`, run by run) to stdout, after what
    went there as text (decoded where stdout has no buffer). Through the output cache's :class:`_Tee`, a Text
    is kept as it is, not copied."""
    from ..cache.outputs import Text, write_to

    sys.stdout.flush()
    stream = sys.stdout
    if isinstance(stream, _Tee):
        stream.parts.append(data if isinstance(data, Text) else bytes(data))
        stream = stream.stream
        stream.flush()
    if hasattr(stream, "buffer"):
        write_to(stream.buffer, data)
    else:
        stream.write(bytes(Text.of(data)).decode(getattr(stream, "encoding", None) or "utf-8", "replace"))
    stream.flush()


def store_output(root: Path, token: bytes, out: Any, err: bytes, code: int, cache: Cache) -> None:
    """Keep this output (one file per token; :func:`careerpath.cache.outputs.write`)."""
    from ..cache import outputs

    outputs.write(cache.folder(root), token, out, err, code, cache.key)


def language_state() -> tuple:
    """:func:`careerpath.replay.language_state`."""
    from ..replay import language_state as state

    return state()


class _Tee:
    """A text stream that writes through and keeps a copy (for the output cache), as bytes in order:
    what is written as text (in the stream's encoding) and what goes to its ``buffer`` (a calendar).

    With ``shown`` (a terminal, behind the CLI's :class:`~careerpath.textsafe.EscapingStream`) the copy is what
    the terminal was sent: text escaped as that stream escapes it, and careerpath's own writes
    (:meth:`write_own`: a table's colours) as they are. A replay sends those bytes again unchanged.
    """

    def __init__(self, stream, shown: bool = False):
        self.stream, self.parts = stream, []
        self.buffer = _TeeBuffer(self)
        self._shown = getattr(stream, "shown", str) if shown else str  # (EscapingStream.shown: what it sends)

    def write(self, text: str) -> int:
        self.parts.append(self._shown(text).encode(self.encoding, self.errors or "strict"))
        return self.stream.write(text)

    def write_own(self, text: str) -> int:
        """:meth:`careerpath.textsafe.EscapingStream.write_own`, kept."""
        from ..textsafe import write_own

        self.parts.append(text.encode(self.encoding, self.errors or "strict"))
        return write_own(self.stream, text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", "utf-8")

    @property
    def errors(self) -> Optional[str]:
        return getattr(self.stream, "errors", None)

    def text(self) -> Any:
        """What went to the stream, as the bytes it wrote (its own encoding); a
        :class:`~careerpath.cache.outputs.Text` when a stored output's text went there (as splices of the
        whole output it is made from, with what else was written around it)."""
        from ..cache.outputs import Text

        texts = [part for part in self.parts if isinstance(part, Text)]
        if len(texts) == 1:
            pieces: list = []
            for part in self.parts:
                if part is texts[0]:
                    pieces.extend(part.runs())
                elif part:
                    pieces.append(part)
            return Text(texts[0].token, texts[0].base, pieces)
        whole = b"".join(bytes(part) for part in self.parts)
        self.parts = [whole]  # not kept twice (a large output is written block by block)
        return whole


class _TeeBuffer:
    """The binary side of a :class:`_Tee`: bytes written through to the stream's buffer, and kept."""

    def __init__(self, tee: _Tee):
        self.tee = tee

    def write(self, data: bytes) -> int:
        self.tee.parts.append(bytes(data))
        stream = self.tee.stream
        if hasattr(stream, "buffer"):
            return stream.buffer.write(data)
        return stream.write(bytes(data).decode(self.tee.encoding, "replace"))

    def flush(self) -> None:
        stream = self.tee.stream
        (stream.buffer if hasattr(stream, "buffer") else stream).flush()


def output_cached(command):
    """Let a read-only report command answer from the load cache when nothing it reads has changed.

    For piped text/json/csv/ics output, and a text table on a terminal (not
    ``--explain``, whose rich layout reads more of the terminal than its width;
    not --output): the command's stdout, stderr and exit code are stored under
    a key of every input (each file's stat key, careerpath.yaml, rule files,
    today, the code), of its options, and on a terminal of its width and
    colours (:func:`careerpath.replay.terminal`); the next identical run with
    unchanged input replays them without loading anything. Any change,
    --no-cache, or a file written in the last seconds runs the command as usual.
    """
    from .base import cache_of, caseload_of, today_of

    @functools.wraps(command)
    def wrapper(*args, **kw):
        ctx = kw.get("ctx")
        cache = cache_of(ctx, kw.get("no_cache", False)) if ctx is not None else None
        form = kw.get("format", "text")
        if (cache is None or kw.get("output") is not None or form not in ("text", "json", "csv", "ics")
                or (sys.stdout.isatty() and (form != "text" or kw.get("explain")))):
            return command(*args, **kw)
        root = caseload_of(ctx, kw.get("caseload"))
        day = today_of(ctx, kw.get("today"))
        try:
            return _replay_or_run(command, root, day, args, kw, cache)
        finally:
            cache.finish()

    return wrapper


def _replay_or_run(command, root: Path, day: date, args: tuple, kw: dict, cache: Cache):
    from .. import replay
    from .base import _globals

    encoding = getattr(sys.stdout, "encoding", "")
    options = replay.options(kw)
    terminal = replay.terminal()
    token = output_token(root, day, replay.request(command.__name__, encoding, options, terminal), cache)
    if token is None:
        return command(*args, **kw)
    ctx = kw["ctx"]
    given = _globals(ctx)

    def remember() -> None:  # how this command line was read, for the start-up path (careerpath/replay.py)
        from .base import _typed

        mine = kw.get("today")  # the day as today_of reads it: typed after the command, before it, the environment
        text = mine if _typed(ctx, "today", mine) else (given.today or mine)
        replay.remember(given.invocation, root, given.searched, text, command.__name__, encoding, options, cache)

    hit = cached_output(root, token, cache)
    if hit is not None:
        remember()
        out, error, code = hit
        write_stdout(out)
        sys.stderr.write(error.decode(getattr(sys.stderr, "encoding", None) or "utf-8", "replace"))
        return code
    out_tee, err_tee = _Tee(sys.stdout, shown=terminal is not None), _Tee(sys.stderr)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out_tee, err_tee
    making = _MAKING.set(token)
    try:
        code = command(*args, **kw)
    finally:
        _MAKING.reset(making)
        sys.stdout, sys.stderr = saved
    from ..collector import paused

    with paused():
        store_output(root, token, out_tee.text(), err_tee.text(), code if isinstance(code, int) else 0, cache)
    remember()
    return code

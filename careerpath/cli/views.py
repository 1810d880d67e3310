"""What the commands keep in the load cache besides results: ``due``'s rows, and whole outputs.

``views/<day>-<key>.pickle`` and ``.delta`` (:func:`view`)
    ``due``'s rows for one format and set of options: a base and a delta of
    the cases rendered again since, so after an edit only the edited case's
    rows are rendered.
``outputs/<key>.pickle`` (:func:`output_cached`)
    The whole stdout, stderr and exit code of a piped read-only command,
    replayed while nothing it reads has changed.

Both are stored with :mod:`careerpath.cache.store` in the caseload's cache
folder and keyed by what the results depend on (:mod:`careerpath.cache.results`)
plus the command's options and language; the CLI modules are in the code key.
"""

from __future__ import annotations

import functools
import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:  # the cache (and hashlib) are imported when a command runs, not for `careerpath --help`
    from ..cache import Cache

VIEWS_KEPT = 8
OUTPUTS_KEPT = 8


# ---------------------------------------------------------------- a table over the obligations, kept

def _fold_at(cases: int) -> int:
    """How many re-rendered cases a view's delta holds before they are folded into its base."""
    return max(100, cases // 50)


def view(found: Any, request: str, render: Any, *, history: bool = False, done: bool = True) -> tuple[list, list]:
    """The rows of a command's table over ``found``'s obligations, kept, and rendered again only for changed cases.

    ``found`` is a :class:`careerpath.pipeline.Results`. ``render(obligations)``
    turns sorted obligations (all of them, or those of some cases) into rows
    ``(case id, sort key, cells, mark)``, in order. What it gives may depend
    only on the obligations, on ``request`` (the command's options and
    language) and on what the results key covers (today, settings, rules,
    code). Returns ``(cells, marks)`` for every row in sort-key order: exactly
    what rendering ``found.obligations(history=…, done=…)`` gives.

    Kept in two files under ``views/``: ``<key>.pickle``, the base (every row,
    and the fingerprint of every case it was rendered from), and ``<key>.delta``,
    the rows of the cases rendered again since (changed, added). After an edit
    only the edited case is rendered, only the small delta is written, and the
    base's rows are sorted together with it; the delta is folded into a new base
    when it holds more than :func:`_fold_at` cases. The :data:`VIEWS_KEPT` newest
    views of the current results key (day, settings, rules, code) are kept.
    """
    if not found.cached:
        rows = render(found.obligations(history=history, done=done))
        return [r[2] for r in rows], [r[3] for r in rows]
    import hashlib

    from ..cache import store

    stored = found.stored
    stats = stored.stats
    vkey = hashlib.blake2b(stored.dkey + repr((history, done, request)).encode("utf-8", "surrogateescape"),
                           digest_size=16).digest()
    folder = stored.folder / "views"
    day = stored.dkey.hex()[:12]  # views of another day, settings or rules are deleted when a base is written
    base_path, delta_path = folder / f"{day}-{vkey.hex()[:20]}.pickle", folder / f"{day}-{vkey.hex()[:20]}.delta"
    base = store.read(base_path, vkey, stats)
    if not (isinstance(base, tuple) and len(base) == 6):
        base = (b"", {}, [], [], [], [])
    base_id, base_fps, owners, keys, cells, marks = base
    delta = store.read(delta_path, vkey, stats) if base_id else None
    if not (isinstance(delta, tuple) and len(delta) == 2 and delta[0] == base_id):
        delta = (base_id, {})
    rendered: dict = delta[1]  # case id -> (fp, keys, cells, marks) of the cases rendered since the base
    fps = found.fingerprints
    stale = [cid for cid in found.cases
             if (rendered[cid][0] if cid in rendered else base_fps.get(cid)) != fps[cid]]
    stats.view_cases = len(stale)
    live = set(found.cases)
    gone = [cid for cid in rendered if cid not in live]
    for cid in gone:
        del rendered[cid]
    if stale:
        new: dict = {cid: (fps[cid], [], [], []) for cid in stale}
        for case_id, key, row, mark in render(found.obligations(history=history, done=done, cases=stale)):
            _fp, k, c, m = new[case_id]
            k.append(key)
            c.append(row)
            m.append(mark)
        rendered.update(new)
    if not rendered and len(base_fps) == len(live):  # the base as it is (no case gone, none rendered again)
        return cells, marks
    drop = rendered.keys() | (base_fps.keys() - live)
    if drop:
        kept = [i for i, cid in enumerate(owners) if cid not in drop]
        if len(kept) != len(owners):
            owners, keys, cells, marks = ([seq[i] for i in kept] for seq in (owners, keys, cells, marks))
    for cid, (_fp, k, c, m) in rendered.items():
        owners += [cid] * len(k)
        keys += k
        cells += c
        marks += m
    order = sorted(range(len(keys)), key=keys.__getitem__)  # sorted base + a few rows: one merge
    owners, keys, cells, marks = ([seq[i] for i in order] for seq in (owners, keys, cells, marks))
    if not base_id or len(rendered) > _fold_at(len(live)):
        store.write(base_path, vkey, (os.urandom(8), dict(fps), owners, keys, cells, marks))
        store.forget(delta_path)
        for other in folder.glob("*"):
            if not other.name.startswith((day, ".")):  # (".": another run's file being written)
                store.forget(other)
        store.prune(folder, VIEWS_KEPT)
    elif stale or gone:
        store.write(delta_path, vkey, (base_id, rendered))
    return cells, marks


# ---------------------------------------------------------------- the output of a command, for unchanged input

def output_token(root: Path, today: date, request: str, cache: Cache) -> Optional[bytes]:
    """:func:`careerpath.replay.output_token` (the start-up path computes the same key without typer)."""
    from ..replay import output_token as token

    return token(root, today, request, cache)


def cached_output(root: Path, token: bytes, cache: Cache) -> Optional[tuple[bytes, bytes, int]]:
    """(stdout, stderr, exit code) stored under ``token``, or None."""
    from ..cache import store

    kept = store.read(cache.folder(root) / "outputs" / f"{token.hex()}.pickle", cache.key, cache.stats)
    if isinstance(kept, tuple) and len(kept) == 3:
        cache.stats.output_hit = True
        return kept
    return None


def store_output(root: Path, token: bytes, out: bytes, err: bytes, code: int, cache: Cache) -> None:
    """Keep this output (one file per token), and only the :data:`OUTPUTS_KEPT` newest."""
    from ..cache import store

    folder = cache.folder(root) / "outputs"
    store.write(folder / f"{token.hex()}.pickle", cache.key, (out, err, code))
    store.prune(folder, OUTPUTS_KEPT)


def language_state() -> tuple:
    """:func:`careerpath.replay.language_state`."""
    from ..replay import language_state as state

    return state()


class _Tee:
    """A text stream that writes through and keeps a copy (for the output cache), as bytes in order:
    what is written as text (in the stream's encoding) and what goes to its ``buffer`` (a calendar)."""

    def __init__(self, stream):
        self.stream, self.parts = stream, []
        self.buffer = _TeeBuffer(self)

    def write(self, text: str) -> int:
        self.parts.append(text.encode(self.encoding, getattr(self.stream, "errors", None) or "strict"))
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", "utf-8")

    def text(self) -> bytes:
        """What went to the stream, as the bytes it wrote (its own encoding)."""
        return b"".join(self.parts)


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

    For piped text/json/csv/ics output only (not a terminal, not --output): the
    command's stdout, stderr and exit code are stored under a key of every
    input (each file's stat key, careerpath.yaml, rule files, today, the code)
    and of its options; the next identical run with unchanged input replays
    them without loading anything. Any change, --no-cache, or a file written in
    the last seconds runs the command as usual.
    """
    from .common import cache_of, caseload_of, today_of

    @functools.wraps(command)
    def wrapper(*args, **kw):
        ctx = kw.get("ctx")
        cache = cache_of(ctx, kw.get("no_cache", False)) if ctx is not None else None
        if (cache is None or kw.get("output") is not None or kw.get("format", "text") not in ("text", "json", "csv", "ics")
                or sys.stdout.isatty()):
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
    from .common import _globals

    encoding = getattr(sys.stdout, "encoding", "")
    options = replay.options(kw)
    token = output_token(root, day, replay.request(command.__name__, encoding, options), cache)
    if token is None:
        return command(*args, **kw)
    ctx = kw["ctx"]
    given = _globals(ctx)

    def remember() -> None:  # how this command line was read, for the start-up path (careerpath/replay.py)
        from .common import _typed

        mine = kw.get("today")  # the day as today_of reads it: typed after the command, before it, the environment
        text = mine if _typed(ctx, "today", mine) else (given.today or mine)
        replay.remember(given.invocation, root, given.searched, text, command.__name__, encoding, options, cache)

    hit = cached_output(root, token, cache)
    if hit is not None:
        remember()
        out, error, code = hit
        sys.stdout.flush()
        if hasattr(sys.stdout, "buffer"):
            sys.stdout.buffer.write(out)
        else:
            sys.stdout.write(out.decode(getattr(sys.stdout, "encoding", None) or "utf-8", "replace"))
        sys.stdout.flush()
        sys.stderr.write(error.decode(getattr(sys.stderr, "encoding", None) or "utf-8", "replace"))
        return code
    out_tee, err_tee = _Tee(sys.stdout), _Tee(sys.stderr)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out_tee, err_tee
    try:
        code = command(*args, **kw)
    finally:
        sys.stdout, sys.stderr = saved
    store_output(root, token, out_tee.text(), err_tee.text(), code if isinstance(code, int) else 0, cache)
    remember()
    return code

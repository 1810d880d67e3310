"""``due``'s plain table as it was written, kept line by line: after an edit, the edited cases' lines are swapped;
on a new day, every line's STATUS and WHEN.

A piped ``due`` that must run again because one case changed used to derive
every row of its kept view for the day, fill 89,000 rows and format 89,000
lines (~0.45 s at 20,519 cases) to change a few of them. What is known of the
plain table it wrote is kept instead, as a *page* (``pages/<key>.pickle`` in
the caseload's cache folder, signed like every cache file): for each body
line its size, its case, its place in the order (unreadable, past due, the
rest; then the due date and the case), its mark (status, past due), the
length of each cell and its state (status, past due, history, done date and
how they follow the day); the day it lists, and the stamp of every case's
results it was made from (fingerprint and window).

The next run of the same request (command options, language, catalogues,
output encoding) through the same results key (settings, rules, code)
compares stamps: the lines of the cases whose results changed, that are gone
or that are new are made again (:func:`patch`) from those cases' obligations,
exactly as the whole table makes them, and put in their place; the closing
line is worded again from the marks. On a later day (:func:`advance`) each
line's state is first derived for the day, as the engine derives it
(:func:`careerpath.obligations.state_on`), and its STATUS and WHEN cells,
mark and place made again; a line that is now done or history leaves. That
is the table made whole only for a request whose lines can only leave as days
pass (no ``--within``, ``--overdue``, ``--status``, ``--all``: the caller
decides) and whose order stays (past due is "due before today" for every line
listed then): unreadable cases, past due, then by date. When a column's width
changes (a longer title, the longest cell gone), many cases changed, the text
cannot be cut into its cells again or the order would change, the whole table
is made as before.

A page holds no copy of the bytes when the output cache keeps them: it names
the stored output (``outputs/<token>``). When the output is not stored (a file
changed less than two seconds ago cannot be keyed: the racy rule of
:mod:`careerpath.cache.scan`), the page holds the bytes itself; a case with
such a file has a fingerprint that matches nothing, so its lines are made
again on every run until the file is old enough to key.
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass, field
from itertools import chain, compress, repeat
from operator import itemgetter, le, not_
from typing import Any, Callable, Optional

PAGES_KEPT = 4
#: more changed cases than this and the whole table is made again (each changed case's obligations are read, and
#: each of its lines placed by a search)
MOST_CHANGED = 1024
#: a place's due date (an ordinal) without its category
_ORDINAL = (1 << 32) - 1


@dataclass
class Page:
    """What is known of a table as written (header line, body lines, closing line, in the output's encoding):
    line by line of the body, its size in bytes, its place (:func:`place`), case (an index into ``names``), mark
    (an index into ``kinds``), cell lengths (one array per column) and state (an index into ``states``, each
    (what the day decides of the line and what it follows, :func:`state_of`; its place): 89,000 lines share a
    few thousand); the columns' ``widths``; the stamp of
    every case's results it was made from (``fps``: fingerprint and window); its ``day`` (an ordinal); whether
    its text decodes back to the very cells it was made of (``exact``), and whether what comes before CASE is
    a byte a character, as in ASCII (``plain``: STATUS, DUE and WHEN are). The bytes are the stored output
    ``token`` names (``outputs/``), or, when the output was not stored (a file too fresh to key), ``text``."""

    fps: dict
    token: bytes    # the key of the stored output holding the text (b"": ``text`` holds it)
    check: tuple    # the text's size, its first and last bytes (a stored output of other text is not patched)
    head: int       # the header line's size
    sizes: array
    places: array
    names: list
    who: array
    kinds: list
    marks: array
    lengths: list
    widths: list
    text: bytes = b""
    day: int = 0
    states: list = field(default_factory=list)
    state: array = field(default_factory=lambda: array("I"))
    exact: bool = False
    plain: bool = False

    def counts(self) -> dict[str, int]:
        """How many lines have each mark (counted as bytes: ~10 times faster than a Counter of 89,000 lines)."""
        data = self.marks.tobytes()
        return {kind: n for i, kind in enumerate(self.kinds) if (n := data.count(i))}


def place(o: Any) -> int:
    """Where an obligation's line goes: unreadable cases first, then past due, then the rest, each by due date
    (then by case: the lines of one case keep their own order)."""
    return 0 if o.due is None else _place(o.past_due, o.due.toordinal())


def _place(past_due: bool, ordinal: int) -> int:
    """:func:`place` of a line with a due date (an ordinal; :data:`_ORDINAL` of a place gives it back)."""
    return ((1 if past_due else 2) << 33) | (1 << 32) | ordinal


def state_of(o: Any) -> tuple:
    """What the day decides of a row's line (status, past_due, history, done_on) and how it follows the day
    (its ``basis``): enough to derive the line's state on a later day inside its case's window
    (:func:`careerpath.obligations.state_on` keeps a done or partial status and done date, and derives the
    others from the due date alone)."""
    return (o.basis, o.status, o.past_due, o.history, o.done_on)


def widths_of(headers: list, lengths: list) -> list[int]:
    return [max(len(h), max(column, default=0)) for h, column in zip(headers, lengths)]


def _line(form: str, cells: tuple) -> str:
    """One line of the table, as :func:`line_format`'s ``form`` lays out ``cells``."""
    return (form % cells).rstrip() + "\n"


def line_format(widths: list[int]) -> str:
    """One line of the table: cells padded to their column's width, two spaces apart (the last not padded)."""
    return "  ".join(f"%-{w}s" for w in widths[:-1]) + "  %s"


def _index(values: list, table: list, known: dict) -> array:
    """``values`` as indexes into ``table`` (extended with the new ones; ``known``: value -> index)."""
    return array("I", (_index_of(v, table, known) for v in values))


def _index_of(value: Any, table: list, known: dict) -> int:
    """``value``'s index into ``table``, which it joins when new (``known``: value -> index)."""
    i = known.get(value)
    if i is None:
        i = known[value] = len(table)
        table.append(value)
    return i


def check(text: Any) -> tuple:
    """What a page knows of its text (bytes, or a stored output's :class:`~careerpath.cache.outputs.Text`):
    its size, its first and last bytes."""
    from ..cache.outputs import Text

    text = Text.of(text)
    return (len(text), text.head(256), text.tail(256))


def _encoded(lines: list[str], encoding: str, errors: str) -> tuple[bytes, array, bool]:
    """``lines`` in the output's encoding: the bytes, each line's size, and whether they decode back to
    ``lines`` exactly (no character replaced or escaped)."""
    whole = "".join(lines)
    data = whole.encode(encoding, errors)
    if whole.isascii() and len(data) == len(whole):  # a byte a character: each line's size is its length
        return data, array("Q", map(len, lines)), True
    sizes = array("Q", (len(line.encode(encoding, errors)) for line in lines))
    return data, sizes, _decodes(data, encoding, errors, whole)


def _decodes(data: bytes, encoding: str, errors: str, text: str) -> bool:
    """Whether ``data`` (``text`` encoded with ``errors``) decodes back to ``text``: no character was replaced
    or escaped on the way out. A strict encoder replaces nothing (it fails instead): no need to decode 14 MB."""
    if errors == "strict":
        return True
    try:
        return data.decode(encoding) == text
    except (UnicodeDecodeError, LookupError):
        return False


def make(fps: dict, headers: list, body: list, rows: list, marks: list, closing: str, encoding: str,
         errors: str, day: int = 0) -> tuple[bytes, Page]:
    """The text of a whole table and its page (its ``token`` left to fill): ``body`` each row's cells, ``rows``
    its obligations, ``marks`` their marks; ``fps`` the stamp of every case's results; ``day`` an ordinal."""
    columns = list(zip(*body))
    lengths = [array("I", map(len, column)) for column in columns]
    widths = widths_of(headers, lengths)
    form = line_format(widths)
    heading = _line(form, tuple(headers))
    head = heading.encode(encoding, errors)
    plain = len(head) == len(heading) and heading.isascii() and all("".join(c).isascii() for c in columns[:3])
    data, sizes, exact = _encoded([line + "\n" for line in map(str.rstrip, map(form.__mod__, body))], encoding,
                                  errors)  # (:func:`_line`, each step over all the rows at once)
    text = b"".join([head, data, (closing + "\n").encode(encoding, errors)])
    names: list = []
    kinds: list = []
    states: list = []
    places = array("Q", map(place, rows))
    return text, Page(dict(fps), b"", check(text), len(head), sizes, places, names,
                      _index([o.case for o in rows], names, {}), kinds, array("B", _index(marks, kinds, {})),
                      lengths, widths, day=day, states=states,
                      state=_index(list(zip(map(state_of, rows), places)), states, {}), exact=exact, plain=plain)


def patch(page: Page, text: Any, changed: set, rows: list, body: list, marks: list, headers: list,
          closing: Callable[[dict], str], encoding: str, errors: str, fps: dict) -> Optional[tuple[Any, Page]]:
    """``text`` (the table ``page`` describes: bytes, or a stored output's
    :class:`~careerpath.cache.outputs.Text`) with the lines of the ``changed`` cases replaced by ``body`` (the
    cells of their rows on the page's day, ``rows`` the obligations, ``marks`` their marks), and its page (its
    ``token`` left to fill); None when a column's width would change or nothing is left to list. ``closing``
    words the last line from the count of each mark.

    The new text is a :class:`~careerpath.cache.outputs.Text` of runs of the whole output ``text`` is made
    from and the new lines (nothing of 14 MB is copied here: it is written out run by run, and stored as
    splices of that output)."""
    from ..cache.outputs import Text

    text = Text.of(text)
    if check(text) != page.check:
        return None
    n = len(page.who)
    who, places, names = page.who, page.places, page.names
    numbers = dict(zip(names, range(len(names))))
    removed = _lines_of(who, [numbers[cid] for cid in changed if cid in numbers], len(names))
    if _widths_after(page, headers, removed, body) != page.widths:
        return None
    where = [(place(o), o.case) for o in rows]
    order = sorted(range(len(rows)), key=where.__getitem__)  # stable: a case's own order
    adding = [(bisect.bisect_right(range(n), where[k], key=lambda i: (places[i], names[who[i]])), k) for k in order]
    form = line_format(page.widths)
    sizes = page.sizes
    parts: list = text.cut(0, page.head)
    offset = [0, page.head]  # a line and where its bytes start: each copy goes on from the last one's end
    kinds = list(page.kinds)
    states = list(page.states)
    new = Page(dict(fps), b"", (), page.head, array("Q"), array("Q"), names, array("I"), kinds, array("B"),
               [array("I") for _ in page.lengths], page.widths, day=page.day, states=states, exact=page.exact,
               plain=page.plain)
    new_who = _index([o.case for o in rows], names, numbers)
    new_marks = _index(marks, kinds, {kind: i for i, kind in enumerate(kinds)})
    new_states = _index([(state_of(o), at[0]) for o, at in zip(rows, where)], states,
                        {s: i for i, s in enumerate(states)})

    def start(i: int) -> int:
        line, at = offset
        if i != line:
            at += sum(sizes[line:i])
            offset[:] = [i, at]
        return at

    def copy(a: int, b: int) -> None:  # old lines a..b-1
        if a < b:
            parts.extend(text.cut(start(a), start(b)))
            new.sizes.extend(sizes[a:b])
            new.places.extend(places[a:b])
            new.who.extend(who[a:b])
            new.marks.extend(page.marks[a:b])
            new.state.extend(page.state[a:b])
            for column, old in zip(new.lengths, page.lengths):
                column.extend(old[a:b])

    # each cut, in order: the old lines before it are copied, then one is left out or a new one put in
    cuts = sorted([(i, 0, 0) for i in removed] + [(pos, 1, j) for j, (pos, _k) in enumerate(adding)])
    at = 0
    for pos, kind, j in cuts:
        if pos > at:
            copy(at, pos)
            at = pos
        if kind == 0:
            at = pos + 1
            continue
        k = adding[j][1]
        line = _line(form, body[k])
        data = line.encode(encoding, errors)
        if new.exact and not line.isascii():
            new.exact = _decodes(data, encoding, errors, line)
        if new.plain and not "".join(body[k][:3]).isascii():
            new.plain = False
        parts.append(data)
        new.sizes.append(len(data))
        new.places.append(where[k][0])
        new.who.append(new_who[k])
        new.marks.append(new_marks[k])
        new.state.append(new_states[k])
        for column, cell in zip(new.lengths, body[k]):
            column.append(len(cell))
    copy(at, n)
    if not new.who:
        return None  # nothing left to list: the command says so in its own words
    parts.append((closing(new.counts()) + "\n").encode(encoding, errors))
    out = Text(text.token, text.base, parts)
    new.check = check(out)
    return out, new


def _lines_of(who: array, numbers: list[int], cases: int) -> list[int]:
    """The lines (in order) whose case is one of ``numbers`` (indexes into a page's ``names``, of which there are
    ``cases``). A few cases' lines are found by ``array.index`` (C, from each line found on); many by one pass
    over every line."""
    if len(numbers) > 8:
        gone = bytearray(cases)
        for k in numbers:
            gone[k] = 1
        return list(compress(range(len(who)), map(gone.__getitem__, who)))
    found = []
    for k in numbers:
        i = -1
        try:
            while True:
                i = who.index(k, i + 1)
                found.append(i)
        except ValueError:
            pass
    return sorted(found)


def _widths_after(page: Page, headers: list, removed: list, body: list) -> list[int]:
    """The columns' widths once the ``removed`` lines (in order) are gone and the rows ``body`` added: a column
    is measured again over the lines left only when every line as wide as it is removed (an edit removes a few
    lines of 89,000; how many are as wide is counted in C)."""
    widths = []
    for h, column, width, added in zip(headers, page.lengths, page.widths, zip(*body) if body else repeat(())):
        widest = sum(1 for i in removed if column[i] >= width)
        if not widest or column.count(width) > widest:  # a line as wide as the column stays
            kept = width
        else:
            left = column.tolist()
            for i in removed:
                left[i] = 0
            kept = max(len(h), max(left, default=0))
        widths.append(max(kept, max(map(len, added), default=0)))
    return widths


def advance(page: Page, text: Any, day: int, moved: Callable[[tuple, int], Optional[tuple]], headers: list,
            closing: Callable[[dict], str], encoding: str, errors: str) -> Optional[tuple[bytes, Page]]:
    """``text`` (the table ``page`` describes, of an earlier day) as it reads on ``day`` (an ordinal), for the
    same results of every case, and its page (its ``token`` left to fill; its stamps still the earlier ones,
    so that :func:`patch` then makes again the lines of the cases computed again since).

    Each line's STATUS and WHEN cells, mark and place are made again from ``moved(state, due ordinal)``, which
    gives (the line's state on ``day``, STATUS, WHEN, mark) or None when the line is no longer listed (done,
    or history, now); the other cells are the line's own bytes. This is the table made whole only when the
    lines listed on ``day`` are among those listed before (a request whose rows leave as days pass and never
    come back: the caller's to know) and keep their order; None when it cannot be done here: a text that is
    not the page's or does not decode back to its cells, a page of the same or a later day, an order that
    would change, a column other than STATUS and WHEN that would change its width, nothing left to list.

    Each of the few thousand (state, place) pairs the page's lines share is derived once; every step over the
    89,000 lines is one pass in C (a list indexed by the line's pair, a compress, a split, a join)."""
    if not page.exact or day <= page.day or len(page.widths) != 6:
        return None
    text = bytes(text)  # (a stored output's Text: every line is made again here)
    if check(text) != page.check:
        return None
    n = len(page.who)
    states: list = []
    known_states: dict = {}
    kinds = list(page.kinds)
    known_kinds = {kind: i for i, kind in enumerate(kinds)}
    # by the line's (state, place) pair: STATUS, WHEN, the new pair, mark and place; listed or not
    status_of: list = []
    when_of: list = []
    pair_of: list = []
    mark_of: list = []
    place_of: list = []
    listed: list = []
    for state, p in page.states:
        got = moved(state, p & _ORDINAL)
        listed.append(got is not None)
        if got is None:  # no line of this pair is listed on ``day``: what stands for it is never read
            status_of.append("")
            when_of.append("")
            place_of.append(0)
            pair_of.append(0)
            mark_of.append(0)
            continue
        state, status, when, mark = got
        at = _place(state[2], p & _ORDINAL) if p else 0
        status_of.append(status)
        when_of.append(when)
        place_of.append(at)
        pair_of.append(_index_of((state, at), states, known_states))
        mark_of.append(_index_of(mark, kinds, known_kinds))
    keep = list(map(listed.__getitem__, page.state))
    pairs = array("I", compress(page.state, keep))  # each listed line's pair on the page's day
    if not pairs:
        return None  # nothing left to list: the command says so in its own words
    lengths = [array("I", map([len(c) for c in status_of].__getitem__, pairs)) if c == 0 else
               array("I", map([len(c) for c in when_of].__getitem__, pairs)) if c == 2 else
               array("I", compress(column, keep)) for c, column in enumerate(page.lengths)]
    widths = _widths_after(page, headers, list(compress(range(n), map(not_, keep))), [])
    widths[0], widths[2] = (max(len(headers[c]), max(lengths[c])) for c in (0, 2))  # (made again: measured again)
    old = page.widths
    if widths[1] != old[1] or widths[3:5] != old[3:5]:
        return None  # only STATUS and WHEN are made again here (a column's width that changes moves every cell)
    places = array("Q", map(place_of.__getitem__, pairs))
    if not all(map(le, places, places[1:])):
        return None
    at_due = old[0] + 2
    at_when = at_due + old[1] + 2
    at_case = at_when + old[2] + 2
    sizes = array("Q", compress(page.sizes, keep))
    if min(sizes) <= at_case:
        return None  # (every line has a case after WHEN)
    first = dict(zip(reversed(pairs), range(len(pairs) - 1, -1, -1)))  # a listed line of each pair
    body = text[page.head:page.head + sum(page.sizes)]
    after_case = itemgetter(slice(at_case, None))
    plain = page.plain and all(status_of[k].isascii() and when_of[k].isascii() for k in first)
    if plain:  # the bytes before CASE are one a character: each line's own bytes from CASE on are kept as they are
        end = "\n".encode(encoding, errors)  # (in this encoding: EBCDIC's is not b"\n")
        lines = body.split(end)
        if len(lines) != n + 1 or lines[-1]:
            return None  # (a cell holding a line break: never written so, but not assumed)
        lines = list(compress(lines, keep))
        # a line's cells before CASE follow from its pair (DUE from the due date): made once each, after the end
        # of the line before (all but the first line's)
        sep = "  ".encode(encoding, errors)
        before = {k: b"".join([end, status_of[k].ljust(widths[0]).encode(encoding, errors), sep,
                               lines[i][at_due:at_when], when_of[k].ljust(widths[2]).encode(encoding, errors), sep])
                  for k, i in first.items()}
        heads = map(before.__getitem__, pairs)
        data = b"".join(chain.from_iterable(zip(chain([next(heads)[len(end):]], heads), map(after_case, lines))))
        data += end
        sizes = array("Q", map((widths[0] - old[0] + widths[2] - old[2]).__add__, sizes))
        exact = True
    else:
        try:
            lines = body.decode(encoding).split("\n")
        except (UnicodeDecodeError, LookupError):
            return None
        if len(lines) != n + 1 or lines[-1]:
            return None
        lines = list(compress(lines, keep))
        if min(map(len, lines)) <= at_case:
            return None
        before_text = {k: f"{status_of[k].ljust(widths[0])}  {lines[i][at_due:at_when]}{when_of[k].ljust(widths[2])}  "
                       for k, i in first.items()}
        data, sizes, exact = _encoded(list(map("".join, zip(map(before_text.__getitem__, pairs), map(after_case, lines),
                                                           repeat("\n")))), encoding, errors)
    head = _line(line_format(widths), tuple(headers)).encode(encoding, errors)
    new = Page(page.fps, b"", (), len(head), sizes, places, page.names, array("I", compress(page.who, keep)), kinds,
               array("B", map(mark_of.__getitem__, pairs)), lengths, widths, day=day, states=states,
               state=array("I", map(pair_of.__getitem__, pairs)), exact=exact, plain=plain)
    text = b"".join([head, data, (closing(new.counts()) + "\n").encode(encoding, errors)])
    new.check = check(text)
    return text, new


def naming(page: Page, token: Optional[bytes], text: Any) -> Page:
    """``page`` naming the stored output ``token`` that holds ``text``, or holding ``text`` itself (as bytes)
    when the output is not stored (a file too fresh to key: the output cache does not keep it)."""
    page.token, page.text = (token, b"") if token is not None else (b"", bytes(text))
    return page


def key(stored: Any, request: str, encoding: str, errors: str) -> bytes:
    """A page's key: the results key, the request (options, language, catalogues) and the encoding; not the day
    (a page says which day it lists: a later day's table may be made from it, :func:`advance`)."""
    import hashlib

    what = repr(("page", request, encoding, errors)).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(stored.rkey + what, digest_size=16).digest()


def path_of(stored: Any, pkey: bytes):
    return stored.folder / "pages" / f"{stored.rkey.hex()[:12]}-{pkey.hex()[:20]}.pickle"


def read(stored: Any, pkey: bytes) -> Optional[Page]:
    from ..cache import store

    found = store.read(path_of(stored, pkey), pkey, stored.stats)
    return found if isinstance(found, Page) else None


def write(stored: Any, pkey: bytes, page: Page) -> None:
    """Keep ``page`` (and only the :data:`PAGES_KEPT` newest pages of this results key)."""
    from ..cache import store

    path = path_of(stored, pkey)
    store.write(path, pkey, page)
    store.prune(path.parent, PAGES_KEPT, stored.rkey.hex()[:12])


def changed_cases(page: Page, cases: list, fps: dict) -> set:
    """The cases whose lines must be made again: changed, gone or new since ``page``."""
    old = page.fps
    out = {cid for cid in cases if old.get(cid) != fps[cid]}
    out.update(old.keys() - fps.keys())
    return out

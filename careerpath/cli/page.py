"""``due``'s plain table as it was written, kept line by line: after an edit, the edited cases' lines are swapped.

A piped ``due`` that must run again because one case changed used to derive
every row of its kept view for the day, fill 89,000 rows and format 89,000
lines (~0.45 s at 20,519 cases) to change a few of them. What is known of the
plain table it wrote is kept instead, as a *page* (``pages/<key>.pickle`` in
the caseload's cache folder, signed like every cache file): for each body
line its size, its case, its place in the order (unreadable, past due, the
rest; then the due date and the case), its mark (status, past due) and the
length of each cell, and the fingerprint of every case it was made from.

The next run of the same request (command options, language, catalogues,
output encoding) on the same day, through the same results key (settings,
rules, code), compares fingerprints: the lines of the cases whose fingerprint
changed, that are gone or that are new are made again (:func:`patch`) from
those cases' obligations, exactly as the whole table makes them, and put in
their place; the closing line is worded again from the marks. When a column's
width changes (a longer title, the longest cell gone) or many cases changed,
the whole table is made as before. A page is for one day: a new day's
statuses and WHEN column change on most lines.

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
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Callable, Optional

PAGES_KEPT = 4
#: more changed cases than this and the whole table is made again (each changed case costs a search and a splice)
MOST_CHANGED = 64


@dataclass
class Page:
    """What is known of a table as written (header line, body lines, closing line, in the output's encoding):
    line by line of the body, its size in bytes, its place (:func:`place`), case (an index into ``names``), mark
    (an index into ``kinds``) and cell lengths (one array per column); the columns' ``widths``; the fingerprint
    of every case it shows (``fps``). The bytes are the stored output ``token`` names (``outputs/``), or, when
    the output was not stored (a file too fresh to key), ``text``."""

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

    def counts(self) -> dict[str, int]:
        """How many lines have each mark."""
        return {self.kinds[k]: n for k, n in Counter(self.marks).items()}


def place(o: Any) -> int:
    """Where an obligation's line goes: unreadable cases first, then past due, then the rest, each by due date
    (then by case: the lines of one case keep their own order)."""
    if o.due is None:
        return 0
    return ((1 if o.past_due else 2) << 33) | (1 << 32) | o.due.toordinal()


def widths_of(headers: list, lengths: list) -> list[int]:
    return [max(len(h), max(column, default=0)) for h, column in zip(headers, lengths)]


def line_format(widths: list[int]) -> str:
    """One line of the table: cells padded to their column's width, two spaces apart (the last not padded)."""
    return "  ".join(f"%-{w}s" for w in widths[:-1]) + "  %s"


def _index(values: list, table: list, known: dict) -> array:
    """``values`` as indexes into ``table`` (extended with the new ones; ``known``: value -> index)."""
    out = array("I")
    for v in values:
        i = known.get(v)
        if i is None:
            i = known[v] = len(table)
            table.append(v)
        out.append(i)
    return out


def check(text: bytes) -> tuple:
    return (len(text), text[:256], text[-256:])


def make(fps: dict, headers: list, body: list, rows: list, marks: list, closing: str, encoding: str,
         errors: str) -> tuple[bytes, Page]:
    """The text of a whole table and its page (its ``token`` left to fill): ``body`` each row's cells, ``rows``
    its obligations, ``marks`` their marks; ``fps`` the fingerprint of every case of the caseload."""
    lengths = [array("I", map(len, column)) for column in zip(*body)]
    widths = widths_of(headers, lengths)
    form = line_format(widths)
    head = ((form % tuple(headers)).rstrip() + "\n").encode(encoding, errors)
    lines = [line + "\n" for line in map(str.rstrip, map(form.__mod__, body))]
    whole = "".join(lines)
    data = whole.encode(encoding, errors)
    if whole.isascii() and len(data) == len(whole):  # a byte a character: each line's size is its length
        sizes = array("Q", map(len, lines))
    else:
        sizes = array("Q", (len(line.encode(encoding, errors)) for line in lines))
    text = b"".join([head, data, (closing + "\n").encode(encoding, errors)])
    names: list = []
    kinds: list = []
    return text, Page(dict(fps), b"", check(text), len(head), sizes, array("Q", map(place, rows)), names,
                      _index([o.case for o in rows], names, {}), kinds, array("B", _index(marks, kinds, {})),
                      lengths, widths)


def patch(page: Page, text: bytes, changed: set, rows: list, body: list, marks: list, headers: list,
          closing: Callable[[dict], str], encoding: str, errors: str, fps: dict) -> Optional[tuple[bytes, Page]]:
    """``text`` (the table ``page`` describes) with the lines of the ``changed`` cases replaced by ``body`` (the
    cells of their rows on the page's day, ``rows`` the obligations, ``marks`` their marks), and its page (its
    ``token`` left to fill); None when a column's width would change or nothing is left to list. ``closing``
    words the last line from the count of each mark."""
    if check(text) != page.check:
        return None
    n = len(page.who)
    who, places, names = page.who, page.places, page.names
    numbers = {name: i for i, name in enumerate(names)}
    removed = []
    for cid in changed:
        i = numbers.get(cid)
        at = -1
        while i is not None:
            try:
                at = who.index(i, at + 1)
            except ValueError:
                break
            removed.append(at)
    removed.sort()
    lengths = [array("I", column) for column in page.lengths]
    for i in reversed(removed):
        for column in lengths:
            del column[i]
    if body:
        for column, added in zip(lengths, zip(*body)):
            column.extend(map(len, added))
    if widths_of(headers, lengths) != page.widths:
        return None
    where = [(place(o), o.case) for o in rows]
    order = sorted(range(len(rows)), key=where.__getitem__)  # stable: a case's own order
    adding = [(bisect.bisect_right(range(n), where[k], key=lambda i: (places[i], names[who[i]])), k) for k in order]
    form = line_format(page.widths)
    sizes = page.sizes
    starts = list(accumulate(sizes, initial=page.head))
    parts = [text[:page.head]]
    kinds = list(page.kinds)
    new = Page(dict(fps), b"", (), page.head, array("Q"), array("Q"), names, array("I"), kinds, array("B"),
               [array("I") for _ in lengths], page.widths)
    new_who = _index([o.case for o in rows], names, numbers)
    new_marks = _index(marks, kinds, {kind: i for i, kind in enumerate(kinds)})

    def copy(a: int, b: int) -> None:  # old lines a..b-1
        if a < b:
            parts.append(text[starts[a]:starts[b]])
            new.sizes.extend(sizes[a:b])
            new.places.extend(places[a:b])
            new.who.extend(who[a:b])
            new.marks.extend(page.marks[a:b])
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
        data = ((form % body[k]).rstrip() + "\n").encode(encoding, errors)
        parts.append(data)
        new.sizes.append(len(data))
        new.places.append(where[k][0])
        new.who.append(new_who[k])
        new.marks.append(new_marks[k])
        for column, cell in zip(new.lengths, body[k]):
            column.append(len(cell))
    copy(at, n)
    if not new.who:
        return None  # nothing left to list: the command says so in its own words
    parts.append((closing(new.counts()) + "\n").encode(encoding, errors))
    text = b"".join(parts)
    new.check = check(text)
    return text, new


def naming(page: Page, token: Optional[bytes], text: bytes) -> Page:
    """``page`` naming the stored output ``token`` that holds ``text``, or holding ``text`` itself when the
    output is not stored (a file too fresh to key: the output cache does not keep it)."""
    page.token, page.text = (token, b"") if token is not None else (b"", text)
    return page


def key(stored: Any, request: str, encoding: str, errors: str) -> bytes:
    """A page's key: the results key, the day, the request (options, language, catalogues) and the encoding."""
    import hashlib

    what = repr(("page", request, encoding, errors)).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(stored.dkey + what, digest_size=16).digest()


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

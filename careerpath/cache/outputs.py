"""Stored outputs (``outputs/<token>.pickle``): a command's stdout, stderr and exit code, replayed while nothing
it read has changed (:func:`careerpath.cli.views.output_cached`, :func:`careerpath.replay.replay`).

A token is a key of every input the output was made from, so two outputs stored under one token hold the same
bytes. Most outputs are kept whole. One made by changing a few lines of another (``due``'s table after an edit:
:func:`careerpath.cli.page.patch`) is kept as *splices* instead: the token and size of the whole output it was
made from, and its pieces in order, each a run of that output's bytes (start, end) or bytes of its own. An edit
at 20,519 cases then writes a few kilobytes where it wrote 14 MB (~40 ms: the copy, the tag, the write), and
the run that replays it reads the whole output it names, as it would have read its own.

Splices always name a whole output, never other splices: an output patched from splices is spliced from the
same whole output again (:meth:`Text.cut` maps its runs back). Writing splices touches the whole output they
name, so that it is among the newest kept (:data:`KEPT`, by time); when it is gone or of another size after
all, the splices are a miss like any missing file. Once an output's own bytes pass :data:`MOST_OWN`, it is kept
whole again.
"""

from __future__ import annotations

import bisect
import os
from itertools import accumulate
from pathlib import Path
from typing import Any, Optional, Union

from . import store

KEPT = 8
#: an output holding more bytes of its own than this (many edits since the whole output it splices) is kept whole
MOST_OWN = 1 << 20
_SPLICES = "splices"

Piece = Union[tuple, bytes]  # (start, end) of the base, or bytes of the text's own


class Text:
    """An output's stdout: ``base`` (the whole stdout of the output ``token``; b"" for bytes stored nowhere) and
    its ``pieces`` in order (each (start, end) of ``base``, or bytes of its own), or None when it is ``base``."""

    __slots__ = ("token", "base", "pieces", "_ends")

    def __init__(self, token: bytes, base: bytes, pieces: Optional[list] = None):
        self.token, self.base, self.pieces = token, base, pieces
        self._ends: Optional[list[int]] = None

    @classmethod
    def of(cls, text: Union["Text", bytes]) -> "Text":
        """``text`` as a Text (bytes stored nowhere: a base without a token)."""
        return text if isinstance(text, Text) else cls(b"", bytes(text))

    def runs(self) -> list:
        """Its pieces (the whole of ``base`` as one run when it is ``base``)."""
        return self.pieces if self.pieces is not None else [(0, len(self.base))]

    def ends(self) -> list[int]:
        """Where each piece ends in the text."""
        if self._ends is None:
            self._ends = list(accumulate(p[1] - p[0] if isinstance(p, tuple) else len(p) for p in self.runs()))
        return self._ends

    def __len__(self) -> int:
        ends = self.ends()
        return ends[-1] if ends else 0

    def buffers(self) -> list:
        """The text's bytes in order, as buffers (runs of ``base`` are not copied)."""
        if self.pieces is None:
            return [self.base]
        view = memoryview(self.base)
        return [view[p[0]:p[1]] if isinstance(p, tuple) else p for p in self.pieces]

    def __bytes__(self) -> bytes:
        return self.base if self.pieces is None else b"".join(self.buffers())

    def own(self) -> int:
        """How many of its bytes are its own (not runs of ``base``)."""
        return 0 if self.pieces is None else sum(len(p) for p in self.pieces if not isinstance(p, tuple))

    def cut(self, start: int, end: int) -> list:
        """The pieces (as :attr:`pieces` holds them) of the text's bytes ``start`` to ``end``."""
        if start >= end:
            return []
        if self.pieces is None:
            return [(start, end)]
        ends = self.ends()
        k = bisect.bisect_right(ends, start)
        out: list = []
        while start < end:
            first = ends[k - 1] if k else 0  # where piece k starts in the text
            p = self.pieces[k]
            a, b = start - first, min(end, ends[k]) - first
            out.append((p[0] + a, p[0] + b) if isinstance(p, tuple) else p[a:b])
            start = first + b
            k += 1
        return out

    def head(self, n: int) -> bytes:
        return b"".join(self._bytes(self.cut(0, min(n, len(self)))))

    def tail(self, n: int) -> bytes:
        size = len(self)
        return b"".join(self._bytes(self.cut(max(0, size - n), size)))

    def _bytes(self, pieces: list) -> list:
        return [self.base[p[0]:p[1]] if isinstance(p, tuple) else p for p in pieces]


def path_of(folder: Path, token: bytes) -> Path:
    """Where the output ``token`` of the cache folder ``folder`` is kept."""
    return folder / "outputs" / f"{token.hex()}.pickle"


def read(folder: Path, token: bytes, key: bytes, stats: Optional[store.Stats] = None
         ) -> Optional[tuple[Text, bytes, int]]:
    """(stdout, stderr, exit code) of the output ``token``, or None (missing, damaged, untrusted, or splices
    whose whole output is gone)."""
    kept = store.read(path_of(folder, token), key, stats)
    if not (isinstance(kept, tuple) and len(kept) == 3 and isinstance(kept[1], bytes) and isinstance(kept[2], int)):
        return None
    out, err, code = kept
    if isinstance(out, bytes):
        return Text(token, out), err, code
    if not (isinstance(out, tuple) and len(out) == 4 and out[0] == _SPLICES and isinstance(out[1], bytes)
            and out[1] != token and isinstance(out[3], list)):
        return None
    _, base_token, size, pieces = out
    base = store.read(path_of(folder, base_token), key, stats)
    if not (isinstance(base, tuple) and len(base) == 3 and isinstance(base[0], bytes) and len(base[0]) == size):
        return None  # the whole output it splices was pruned, damaged or never kept
    if not all(isinstance(p, bytes) or (isinstance(p, tuple) and len(p) == 2 and type(p[0]) is type(p[1]) is int
                                        and 0 <= p[0] <= p[1] <= size) for p in pieces):
        return None  # (never written so: a reader that cannot use a file treats it as missing)
    return Text(base_token, base[0], pieces), err, code


def write(folder: Path, token: bytes, out: Union[Text, bytes], err: bytes, code: int, key: bytes) -> None:
    """Keep an output (as splices of the whole output its text is made from, when it is kept and this text holds
    no more than :data:`MOST_OWN` bytes of its own), and only the :data:`KEPT` newest."""
    text = Text.of(out)
    path = path_of(folder, token)
    if text.token and text.token != token and text.own() <= MOST_OWN and _touch(path_of(folder, text.token)):
        store.write(path, key, ((_SPLICES, text.token, len(text.base), list(text.runs())), err, code))
    elif text.token != token or text.pieces is not None:
        store.write(path, key, (bytes(text), err, code))
    else:  # the output it replays: kept already
        _touch(path)
    store.prune(path.parent, KEPT)


def _touch(path: Path) -> bool:
    """Make a kept output the newest (pruning goes by time); whether it is there."""
    try:
        os.utime(path)
        return True
    except OSError:
        return False


def write_to(stream: Any, text: Union[Text, bytes]) -> None:
    """``text``'s bytes to the binary ``stream``, run by run."""
    for part in Text.of(text).buffers():
        stream.write(part)

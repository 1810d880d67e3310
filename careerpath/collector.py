"""The cyclic garbage collector, paused while large acyclic data is built or read.

A warm ``due`` over 20,519 cases holds a few million objects (the scan's index, the
kept view's rows); each full collection walks all of them, and building ~90,000 table
rows or unpickling a cache file triggers several. Nothing built in those stretches
forms a cycle (tuples, strings, dates, dicts of them), so nothing is lost by not
collecting there; reference counting still frees what is dropped. Code that does
make cycles (computing a case's obligations) runs with the collector as it was.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Any, Iterator

#: set by :func:`careerpath.start.run`: the process leaves with ``os._exit``, freeing nothing (:func:`leave`)
LEAVING = False
_LEFT: list = []


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, then back as it was (nested blocks leave it off until the outer one ends).

    What the block made is then filed with the oldest objects (``gc.freeze()`` and ``gc.unfreeze()``
    move every tracked object there, scanning none): left young, the first collection after the
    block would walk all of it at once (~0.1 s for a kept view's rows). It stays collectable: a full
    collection still looks at it. (Nothing in careerpath freezes objects for good.)
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def leave(*objects: Any) -> None:
    """Keep ``objects`` (a command's results, its scan) until the process ends, when it ends with ``os._exit``
    (:data:`LEAVING`): freeing them object by object when the function holding them returns buys nothing
    there (~20 ms after an edit at 20,519 cases: the index's 270,000 paths, every case's stamp). Anywhere else
    (a library caller, the tests' in-process CLI) they are freed as usual."""
    if LEAVING:
        _LEFT.extend(objects)

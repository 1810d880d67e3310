"""What is the same for every document of one batch, worked out once per batch.

A batch of documents (``report quarterly``: one per case, thousands at once)
asks the same questions for every document: where the templates are, which
template file a name means, which msgids a template uses, which catalogues a
language has. Each answer costs file-system calls (stat, realpath) that added
up to a fifth of a document's time. Inside :func:`batch` each is answered once
and kept until the batch ends; outside one, nothing is kept (every call looks
again, as a single ``render`` always did). The files are taken as they were
when first asked for: a template or catalogue changed while a batch runs is
seen by the next batch, and every document of one batch is made from the same
files. A pool's worker forked inside a batch fills its own copy.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Hashable, Iterator, Optional

_kept: Optional[dict] = None


@contextmanager
def batch() -> Iterator[None]:
    """Keep answers (:func:`kept`) until the outermost ``with batch()`` ends."""
    global _kept
    outer = _kept is not None
    if not outer:
        _kept = {}
    try:
        yield
    finally:
        if not outer:
            _kept = None


def kept(key: Hashable, make: Callable[[], Any]) -> Any:
    """``make()``, once per batch for ``key`` (every time outside a batch); an exception is not kept."""
    if _kept is None:
        return make()
    try:
        return _kept[key]
    except KeyError:
        value = _kept[key] = make()
        return value

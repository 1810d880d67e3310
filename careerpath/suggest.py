"""Did-you-mean: the known name a mistyped one most likely means.

One ranking for every "did you mean …" careerpath prints (event types, staff
ids, program and rule ids, closure reasons, case ids): difflib's similarity,
with a small bonus for a shared beginning, so ``worksite-visit`` suggests
``worksite-monitoring`` before ``home-visit`` (a typo keeps the first word
more often than the last).
"""

from __future__ import annotations

import difflib
from typing import Iterable, Optional, Union

from .i18n.messages import Message

CUTOFF = 0.6


def _score(value: str, choice: str) -> float:
    ratio = difflib.SequenceMatcher(None, value, choice).ratio()
    prefix = 0
    for a, b in zip(value, choice):
        if a != b:
            break
        prefix += 1
    return ratio + 0.05 * min(prefix, 10) / 10


def nearest(value: str, choices: Iterable[str], n: int = 1) -> list[str]:
    """Up to ``n`` choices close to ``value`` (similarity at least :data:`CUTOFF`), best first."""
    scored = [(_score(value, c), c) for c in set(choices)
              if difflib.SequenceMatcher(None, value, c).ratio() >= CUTOFF]
    scored.sort(key=lambda sc: (-sc[0], sc[1]))
    return [c for _s, c in scored[:n]]


def one(value: str, choices: Iterable[str]) -> Optional[str]:
    """The best choice for ``value``, or None when nothing is close."""
    found = nearest(value, choices, 1)
    return found[0] if found else None


def did_you_mean(name: str) -> Message:
    """``did you mean `name`?`` as a message (the one msgid every did-you-mean shares)."""
    return Message("did you mean `{name}`?", name=name)


def hint(value: str, choices: Iterable[str]) -> Union[Message, str]:
    """``did you mean `x`?`` for the best choice, or '' when nothing is close."""
    found = one(value, choices)
    return did_you_mean(found) if found else ""

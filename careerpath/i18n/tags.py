"""Language tags as people write them in files: BCP 47, checked against the IANA subtag registry.

``language: vx`` used to validate clean and silently give English. A tag is
now checked with ``langcodes`` (which carries the IANA Language Subtag
Registry, so ``mww``, ``hnj`` and ``hyw`` are known though CLDR lacks them);
an unknown one is an error whose hint suggests the closest tag careerpath has
a catalogue for, or a known variant (:data:`~.languages.VARIANTS`).
"""

from __future__ import annotations

import difflib
from typing import Optional

from .languages import LANGUAGES, VARIANTS, base_language


#: The tags nearly every file holds (a catalogue's language or a known variant, bare): accepted without
#: importing langcodes, whose registry costs ~0.2 s to load; any other tag is checked against it.
_COMMON = frozenset({*LANGUAGES, *VARIANTS})


def is_valid(tag: str) -> bool:
    """``tag`` is a well-formed BCP 47 tag whose subtags the IANA registry lists (``vi``, ``es-MX``, ``mww``)."""
    if not isinstance(tag, str) or "_" in tag or not tag:
        return False
    if tag in _COMMON:
        return True
    import langcodes
    try:
        return bool(langcodes.tag_is_valid(tag))
    except Exception:  # noqa: BLE001 - a tag langcodes cannot parse is simply not valid
        return False


def suggestions(tag: str) -> list[str]:
    """Tags careerpath knows that look like ``tag`` (its catalogues' languages and the known variants first)."""
    base = base_language(tag) if isinstance(tag, str) else ""
    known = list(LANGUAGES) + list(VARIANTS)
    return difflib.get_close_matches(base, known, n=2, cutoff=0.5)

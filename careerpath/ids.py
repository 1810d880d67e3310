"""Case ids (FORMAT.md): 1-64 of a-z 0-9 - _, starting with a letter or digit.

Kept in a module of its own, importing nothing heavy, because a case id given
on the command line becomes a path (``cases/<id>/``) and must be checked before
anything else is loaded.
"""

import re

CASE_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
CASE_ID = re.compile(CASE_ID_PATTERN)


def is_case_id(text: str) -> bool:
    return CASE_ID.match(text) is not None

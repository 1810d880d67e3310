"""Where the caseload is: the nearest folder upward holding careerpath.yaml.

A module of its own, importing nothing, because the start-up path
(:mod:`careerpath.replay`) asks it before anything heavy is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional


def find_caseload(start: Path) -> Optional[Path]:
    """The nearest folder at or above ``start`` holding careerpath.yaml (as git finds .git)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "careerpath.yaml").is_file():
            return folder
    return None

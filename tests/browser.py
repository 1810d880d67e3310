"""Real headless Chromium (Debian's `chromium` package) for tests that must look at a page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)")


def screenshot(page: Path, png: Path, width: int = 1000, height: int = 1400) -> Path:
    """Open ``page`` in headless Chromium (no network) and save a PNG of the window."""
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={png.parent / (png.stem + '-profile')}", f"--screenshot={png}",
           f"--window-size={width},{height}", page.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, timeout=120)
    assert png.is_file(), proc.stderr.decode(errors="replace")[-2000:]
    return png


def colour_counts(png: Path) -> dict[tuple[int, int, int], int]:
    """How many pixels have each RGB colour (Pillow does the PNG decoding)."""
    from PIL import Image

    with Image.open(png) as im:
        return {rgb: n for n, rgb in im.convert("RGB").getcolors(maxcolors=1 << 24)}

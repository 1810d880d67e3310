"""The HTML plan in a real browser (headless Chromium), and the templates inside a built wheel."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, TODAY

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and the raw (still filtered) scanlines of a PNG: enough to tell a blank page."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return width, height, zlib.decompress(idat)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)")
def test_html_plan_renders_non_blank_in_chromium(tmp_path):
    from careerpath.documents import render
    from careerpath.loader import load

    doc = render(load(SAMPLE), "pccp", "linh-tran", today=TODAY, fmt="html")
    page = tmp_path / "plan.html"
    page.write_text(doc.text, encoding="utf-8")
    shot = tmp_path / "plan.png"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1000,1400",
           page.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, timeout=120)
    assert shot.is_file(), proc.stderr.decode(errors="replace")[-2000:]
    width, height, raw = png_pixels(shot.read_bytes())
    assert (width, height) == (1000, 1400)
    # a blank page decompresses to a handful of byte values; text, rules and tables give many
    assert len(set(raw)) > 40
    # and ink is not everywhere: most of a document page is background
    assert raw.count(0) + raw.count(255) > len(raw) // 3


def test_package_data_covers_every_template_and_catalog():
    """Each file under templates/ and careerpath/locale/ matches a package-data pattern (fast; the build test is opt-in)."""
    import fnmatch
    import tomllib

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["careerpath"]
    assert (ROOT / "careerpath" / "templates").resolve() == (ROOT / "templates").resolve()
    files = [f"templates/{p.name}" for p in (ROOT / "templates").iterdir() if p.is_file()]
    files += [p.relative_to(ROOT / "careerpath").as_posix() for p in (ROOT / "careerpath" / "locale").rglob("*")
              if p.is_file()]
    assert files
    assert [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)] == []


@pytest.mark.skipif(os.environ.get("CAREERPATH_WHEEL_TEST") != "1",
                    reason="builds a wheel (~10 s): set CAREERPATH_WHEEL_TEST=1 (CI does)")
def test_wheel_ships_templates_and_catalogs(tmp_path):
    """Build the wheel and render from its unpacked contents: an installed careerpath finds its templates."""
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    wheels = list(tmp_path.glob("careerpath-*.whl"))
    if proc.returncode != 0 or not wheels:
        pytest.skip(f"cannot build a wheel here: {proc.stderr.strip()[-300:]}")
    names = zipfile.ZipFile(wheels[0]).namelist()
    sources = sorted(p.name for p in (ROOT / "templates").iterdir() if p.is_file())
    assert [n for n in sources if f"careerpath/templates/{n}" not in names] == []
    assert "careerpath/locale/ru/LC_MESSAGES/documents.po" in names
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheels[0]).extractall(unpacked)
    code = ("import sys; from datetime import date; from careerpath.loader import load; "
            "from careerpath.documents import render, builtin_templates; "
            f"d = render(load({str(SAMPLE)!r}), 'czn-plan', 'alsu-galieva', today=date(2026, 11, 22)); "
            "print(builtin_templates()); print(d.text)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path, env={"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.splitlines()[0].startswith(str(unpacked))
    assert "Экземпляр для личного дела" in run.stdout

"""The HTML plan in a real browser (headless Chromium), and the templates inside a built wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from browser import colour_counts, needs_chromium, screenshot
from conftest import ROOT, SAMPLE, TODAY


@needs_chromium
def test_html_plan_renders_non_blank_in_chromium(tmp_path):
    from careerpath.documents import render
    from careerpath.loader import load

    doc = render(load(SAMPLE), "pccp", "linh-tran", today=TODAY, fmt="html")
    page = tmp_path / "plan.html"
    page.write_text(doc.text, encoding="utf-8")
    counts = colour_counts(screenshot(page, tmp_path / "plan.png"))
    total = sum(counts.values())
    assert total == 1000 * 1400
    white = counts.get((255, 255, 255), 0)
    assert white < total * 0.97, "the page is (nearly) blank"
    assert white > total * 0.5, "a document page is mostly background"
    assert len(counts) > 20  # text anti-aliasing, rules, table headers, the quote box


def test_package_data_covers_every_template_and_catalog():
    """Each file under templates/ and careerpath/locale/ matches a package-data pattern (fast; the build test is opt-in)."""
    import fnmatch
    import tomllib

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["careerpath"]
    assert (ROOT / "careerpath" / "templates").resolve() == (ROOT / "templates").resolve()
    files = [f"templates/{p.name}" for p in (ROOT / "templates").iterdir() if p.is_file()]
    package = ROOT / "careerpath"
    files += [p.relative_to(package).as_posix() for p in (package / "locale").rglob("*") if p.is_file()]
    program_files = [p for p in (package / "programs").glob("*/**/*")
                     if p.is_file() and "__pycache__" not in p.parts and p.parent != package / "programs"]
    files += [p.relative_to(package).as_posix() for p in program_files]
    files += ["documents/kinds.yaml"]
    assert "programs/ca-dds-ccp/templates/pccp.j2" in files and "programs/ru-czn-disability/documents.yaml" in files
    assert [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)] == []


@pytest.mark.skipif(os.environ.get("CAREERPATH_WHEEL_TEST") != "1",
                    reason="builds a wheel (~10 s): set CAREERPATH_WHEEL_TEST=1 (CI does)")
def test_wheel_ships_templates_and_catalogs(tmp_path):
    """Build the wheel and render from its unpacked contents: an installed careerpath finds its templates."""
    import shutil

    src = tmp_path / "src"  # build from a copy: pip builds in place and would leave build/ in the tree
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(ROOT / "careerpath", src / "careerpath", symlinks=True, ignore=ignore)
    shutil.copytree(ROOT / "templates", src / "templates")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(src)],
                          capture_output=True, text=True, timeout=300)
    wheels = list(tmp_path.glob("careerpath-*.whl"))
    if proc.returncode != 0 or not wheels:
        pytest.skip(f"cannot build a wheel here: {proc.stderr.strip()[-300:]}")
    names = zipfile.ZipFile(wheels[0]).namelist()
    sources = sorted(p.name for p in (ROOT / "templates").iterdir() if p.is_file())
    assert [n for n in sources if f"careerpath/templates/{n}" not in names] == []
    assert "careerpath/locale/ru/LC_MESSAGES/documents.po" in names
    assert "careerpath/documents/kinds.yaml" in names
    assert {"careerpath/programs/ca-dor-vr/program.yaml", "careerpath/programs/ca-dor-vr/rules.yaml",
            "careerpath/programs/ca-dor-vr/documents.yaml", "careerpath/programs/ca-dor-vr/templates/referral-dor.j2",
            "careerpath/programs/ru-czn-disability/checks.py"} <= set(names)  # a program is a folder, shipped whole
    program_templates = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "careerpath" / "programs").glob("*/templates/*"))
    assert program_templates and [n for n in program_templates if n not in names] == []
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


_MEASURE = ('<script>document.body.setAttribute("data-fit", '
            'document.documentElement.scrollWidth + "/" + window.innerWidth)</script></body>')


@needs_chromium
@pytest.mark.parametrize("kind,case", [("czn-plan", "alsu-galieva"), ("quarterly-report", "sofia-ramirez")])
def test_html_reflows_at_200_percent_zoom(kind, case, tmp_path):
    """At 500 px (a 1000 px window at 200% zoom) nothing scrolls sideways: table rows become cards.

    The measuring script is added here, for the test only; documents carry no scripts.
    """
    import re

    from careerpath.documents import render
    from careerpath.loader import load
    from browser import CHROMIUM

    doc = render(load(SAMPLE), kind, case, today=TODAY, fmt="html", lang="en")
    page = tmp_path / "page.html"
    page.write_text(doc.text.replace("</body>", _MEASURE), encoding="utf-8")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", "--window-size=500,1400", page.as_uri()]
    dom = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    fit = re.search(r'data-fit="(\d+)/(\d+)"', dom)
    assert fit, dom[-500:]
    assert int(fit.group(1)) <= int(fit.group(2))

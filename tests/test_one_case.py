"""One person costs one person: ``show``, ``render`` and ``render --list CASE`` load one case folder.

The one-case path (:func:`careerpath.pipeline.load_one`) must print exactly
what the whole-caseload path prints. Each test runs a command twice in the
same process: as it is, and with ``load_one`` replaced by the whole load
(``loader.load``, every case folder read: what these commands did before),
and compares stdout, stderr and the exit code byte for byte, for every case of
the sample caseload and of a generated one with broken files, links and
strays added. A third run with ``--no-cache`` must agree too.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE, TODAY, copy_samples

sys.path.insert(0, str(ROOT / "benchmarks"))

from careerpath import loader, pipeline  # noqa: E402

DAY = ("--today", TODAY.isoformat())


@pytest.fixture(autouse=True)
def private_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("CAREERPATH_CACHE_DIR", str(tmp_path / "cache"))


def _damaged(root: Path) -> Path:
    """Strays a whole load reports and one case's load must leave alone or report the same way."""
    cases = sorted(p for p in (root / "cases").iterdir() if p.is_dir())
    first, second, third = cases[0], cases[1], cases[2]
    # a broken event file: the case's obligations are incomplete, render refuses the case
    events = first / "events"
    events.mkdir(exist_ok=True)
    (events / "2026-10-01-broken.yaml").write_text("date: 2026-10-01\ntype: [unclosed\n", encoding="utf-8")
    # a case.yaml that does not parse: the case is one `invalid` line
    (second / "case.yaml").write_text("id: " + second.name + "\nperson: {name: \n", encoding="utf-8")
    # an unknown staff id (a check against careerpath.yaml; show and render print no check diagnostics)
    text = (third / "case.yaml").read_text(encoding="utf-8")
    (third / "case.yaml").write_text(text.replace("staff:\n", "staff:\n  job_coach: nobody-here\n", 1), encoding="utf-8")
    # strays under cases/: a file, a hidden folder, a folder whose name is no case id, a link leading outside
    (root / "cases" / "notes.yaml").write_text("x: 1\n", encoding="utf-8")
    (root / "cases" / ".trash").mkdir()
    shutil.copytree(cases[3], root / "cases" / "Bad Name")
    outside = root.parent / f"{root.name}-outside"
    shutil.copytree(cases[4], outside)
    os.symlink(outside, root / "cases" / "linked-out")
    return root


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from make_caseload import generate

    root = tmp_path_factory.mktemp("one") / "gen"
    generate(str(root), 16, 7, TODAY)
    return _damaged(root)


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    return _damaged(copy_samples(tmp_path_factory.mktemp("one") / "samples"))


_WHOLE: dict = {}


def _whole(root, case_id):
    """The whole-caseload path these commands took before: every case folder loaded (once per caseload here:
    the commands only read it, and the fixtures do not change after they are made)."""
    key = str(root)
    if key not in _WHOLE:
        _WHOLE[key] = loader.load(root)
    return _WHOLE[key]


def _both(cli, monkeypatch, *args):
    """(one-case run, whole-caseload run, --no-cache run) of one command."""
    one = cli(*args)
    with monkeypatch.context() as m:
        m.setattr(pipeline, "load_one", _whole)
        whole = cli(*args)
    uncached = cli("--no-cache", *args)
    return one, whole, uncached


WARNING = "files have errors; obligations are computed from what loaded"


def _others_warning(err: str) -> str:
    """stderr without show's count of files with errors: the whole load counted every case's, the one-case
    path counts the files the case was computed from (test_show_warns_about_its_own_files)."""
    return "".join(line for line in err.splitlines(keepends=True) if WARNING not in line and "1 file has errors" not in line)


def _same(runs, what):
    one, whole, uncached = runs
    assert (one.code, one.out, _others_warning(one.err)) == (whole.code, whole.out, _others_warning(whole.err)), what
    assert (one.code, one.out, one.err) == (uncached.code, uncached.out, uncached.err), what
    return one


def _ids(root: Path) -> list[str]:
    return sorted(loader.load(root).cases)


@pytest.mark.parametrize("which", ["samples", pytest.param("generated", marks=pytest.mark.slow)])
def test_show_and_render_of_every_case_equal_the_whole_caseload_path(which, request, cli, monkeypatch):
    root = request.getfixturevalue(which)
    ids = _ids(root)
    assert "Bad Name" in ids and "linked-out" not in ids  # the strays are there, as a whole load sees them
    rendered = refused = 0
    for cid in ids:
        _same(_both(cli, monkeypatch, "show", cid, "-C", root, *DAY), ("show", cid))
        shown = _same(_both(cli, monkeypatch, "show", cid, "-C", root, *DAY, "--format", "json"), ("show json", cid))
        assert shown.code == 0 and json.loads(shown.out)["case"] == cid
        listing = _same(_both(cli, monkeypatch, "render", "--list", cid, "-C", root, *DAY, "--format", "json"),
                        ("render --list", cid))
        rows = json.loads(listing.out) if listing.code == 0 else []
        # every kind the case is ready for, and one it lacks data for (refused alike)
        kinds = [r["kind"] for r in rows if not r["missing"]] + [r["kind"] for r in rows if r["missing"]][:1]
        kinds = kinds or ["pccp"]
        for n, kind in enumerate(kinds):
            fmt = "html" if n % 2 == 0 else "md"  # both formats, without rendering every kind twice
            run = _same(_both(cli, monkeypatch, "render", kind, cid, "-C", root, *DAY, "--format", fmt),
                        ("render", kind, cid, fmt))
            rendered += run.code == 0
            refused += run.code == 1
    assert rendered > len(ids) and refused > 0  # documents were made, and broken cases refused alike


def test_an_unknown_case_is_the_same_usage_error(samples, cli, monkeypatch):
    for case in ("linh-tra", "linked-out", ".trash", "notes.yaml", "../cases", "cases/linh-tran", "."):
        show = _same(_both(cli, monkeypatch, "show", case, "-C", samples, *DAY), ("show", case))
        assert show.code == 2 and show.out == ""
        _same(_both(cli, monkeypatch, "render", "pccp", case, "-C", samples, *DAY), ("render", case))
        _same(_both(cli, monkeypatch, "render", "--list", case, "-C", samples, *DAY), ("render --list", case))
    assert "linh-tran" in cli("show", "linh-tra", "-C", samples, *DAY).err  # did you mean, from the listing


def test_load_one_is_the_whole_load_narrowed_to_the_case(generated, samples):
    """Library level: the case's parsed files and every diagnostic that is not another case folder's."""
    for root in (samples, generated):
        whole = loader.load(root)
        for cid in sorted(whole.cases):
            one = pipeline.load_one(root, cid)
            assert list(one.cases) == [cid]
            assert one.config == whole.config and one.settings == whole.settings
            got, want = one.cases[cid], whole.cases[cid]
            assert [(d.file, d.model, d.valid) for d in got.files()] == [(d.file, d.model, d.valid) for d in want.files()]
            others = [d for d in whole.diagnostics
                      if not (d.file.startswith("cases/") and d.file != f"cases/{cid}"
                              and not d.file.startswith(f"cases/{cid}/"))]
            assert one.diagnostics == others, cid
        assert pipeline.load_one(root, "no-such-case").cases == {}
        assert pipeline.load_one(root, "linked-out").cases == {}  # refused as the whole load refuses it


def test_show_reads_only_its_case(samples, cli, monkeypatch):
    """No other case folder is opened: a case that cannot be read stays out of another's show."""
    read: list[str] = []
    real = loader.load_case

    def spy(root, folder, *args, **kw):
        read.append(folder.name)
        return real(root, folder, *args, **kw)

    monkeypatch.setattr(loader, "load_case", spy)
    assert cli("show", "linh-tran", "-C", samples, *DAY).code == 0
    assert cli("render", "pccp", "linh-tran", "-C", samples, *DAY).code == 0
    assert read == ["linh-tran", "linh-tran"]


def test_redact_still_numbers_placeholders_over_the_whole_caseload(samples, cli):
    """--redact reads every case (the placeholders and the names hidden span them): as before."""
    r = cli("show", "linh-tran", "-C", samples, *DAY, "--redact")
    assert r.code == 0 and "Linh" not in r.out and "linh-tran" not in r.out


def test_show_warns_about_its_own_files(samples, generated, cli):
    """The stderr line counts the files with errors among those the case was computed from: its own folder,
    careerpath.yaml and the programs (the whole load counted every case's; `validate` still does)."""
    for root in (samples, generated):
        whole = loader.load(root)
        for cid in sorted(whole.cases):
            own = {d.file for d in whole.diagnostics if d.severity == "error" and not (
                d.file.startswith("cases/") and d.file != f"cases/{cid}" and not d.file.startswith(f"cases/{cid}/"))}
            err = cli("show", cid, "-C", root, *DAY).err
            if not own:
                assert "has errors" not in err and "have errors" not in err, cid
            elif len(own) == 1:
                assert "1 file has errors" in err, cid
            else:
                assert f"{len(own)} {WARNING}" in err, cid

"""Issue 21, point 2: every --out/--output writes only regular files.

A new file, or a regular file replaced atomically; a symbolic link, a
folder, a device node or a FIFO at the target is refused with exit 1 naming
the path, and left exactly as it was. ``-`` and ``/dev/stdout`` are standard
output, written as a stream. An empty path is a usage error (exit 2). Each
test compares the folders involved before and after: nothing else changed.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, TODAY, copy_samples, run_process

DAY = TODAY.isoformat()
ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root; device-node targets are tested as root (CI is)")


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder`` (itself included): its type and content, link target or device number."""
    out: dict[str, tuple] = {}
    for path in [folder, *sorted(folder.rglob("*"))]:
        st = path.lstat()
        rel = path.relative_to(folder).as_posix()
        if stat.S_ISLNK(st.st_mode):
            out[rel] = ("link", os.readlink(path))
        elif stat.S_ISREG(st.st_mode):
            out[rel] = ("file", path.read_bytes(), stat.S_IMODE(st.st_mode))
        elif stat.S_ISDIR(st.st_mode):
            out[rel] = ("dir",)
        else:
            out[rel] = ("special", stat.S_IFMT(st.st_mode), st.st_rdev)
    return out


@pytest.fixture
def samples(tmp_path):
    return copy_samples(tmp_path / "caseload")


@pytest.fixture
def place(tmp_path):
    folder = tmp_path / "place"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me\n")
    return folder


def special(place: Path, kind: str) -> Path:
    """A target of ``kind`` inside ``place``: link (to precious.txt), dangling link, folder, fifo, device."""
    path = place / f"target-{kind}"
    if kind == "link":
        path.symlink_to(place / "precious.txt")
    elif kind == "dangling":
        path.symlink_to(place / "nothing-here")
    elif kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":  # like /dev/full: writes fail; the node must stay a node
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    return path


KINDS = ["link", "dangling", "folder", "fifo", pytest.param("device", marks=ROOT_ONLY)]


def _commands(samples: Path, target: Path) -> dict[str, list]:
    return {
        "due": ["due", "-C", samples, "--today", DAY, "--format", "csv", "--output", target],
        "due-ics": ["due", "-C", samples, "--today", DAY, "--format", "ics", "--output", target],
        "render": ["render", "pccp", "sofia-ramirez", "-C", samples, "--today", DAY, "--out", target],
        "render-html": ["render", "pccp", "sofia-ramirez", "-C", samples, "--today", DAY, "--format", "html",
                        "--out", target],
    }


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", ["due", "due-ics", "render", "render-html"])
def test_a_file_output_that_is_not_a_regular_file_is_refused(cli, samples, place, kind, command):
    target = special(place, kind)
    before, cases_before = snapshot(place), snapshot(samples)
    r = cli(*_commands(samples, target)[command])
    assert r.code == 1, r.err
    assert str(target) in r.err and "regular files" in r.err
    assert "Traceback" not in r.err and r.out == ""
    assert snapshot(place) == before          # the link, folder, FIFO or node is still there, unchanged
    assert snapshot(samples) == cases_before
    assert (place / "precious.txt").read_text() == "keep me\n"


def test_the_refusal_says_it_once(cli, samples, place):
    """Not "cannot write X: cannot write X"."""
    target = special(place, "folder")
    r = cli("due", "-C", samples, "--today", DAY, "--format", "json", "--output", target)
    assert r.code == 1
    assert r.err.count(str(target)) == 1, r.err


def test_a_regular_file_is_replaced_and_a_new_one_made(cli, samples, place):
    existing = place / "due.csv"
    existing.write_text("old\n")
    os.chmod(existing, 0o640)
    assert cli("due", "-C", samples, "--today", DAY, "--format", "csv", "--output", existing).code == 0
    assert existing.read_text().startswith("case,program,rule,")
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640     # a replaced file keeps its mode
    new = place / "sub" / "plan.md"
    r = cli("render", "pccp", "sofia-ramirez", "-C", samples, "--today", DAY, "--out", new)
    assert r.code == 0, r.err
    assert stat.S_IMODE(new.stat().st_mode) == 0o600
    assert not [p for p in place.rglob(".*.tmp")]


@pytest.mark.parametrize("name", ["-", "/dev/stdout"])
def test_dash_and_dev_stdout_are_a_stream(samples, name, tmp_path):
    """As a real process, so /dev/stdout is the real one: it is written to, never replaced."""
    dev = Path("/dev/stdout")
    dev_before = (os.lstat(dev).st_mode, os.readlink(dev) if dev.is_symlink() else None) if os.path.lexists(dev) else None
    out_file = tmp_path / "captured"
    with open(out_file, "w") as fh:  # stdout is a regular file here: the classic way /dev/stdout got replaced
        proc = subprocess.run([sys.executable, "-m", "careerpath", "due", "-C", samples, "--today", DAY,
                               "--format", "csv", "--output", name],
                              stdout=fh, stderr=subprocess.PIPE, text=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert out_file.read_text().startswith("case,program,rule,")
    if dev_before is not None:
        assert (os.lstat(dev).st_mode, os.readlink(dev) if dev.is_symlink() else None) == dev_before
    r = run_process("render", "pccp", "sofia-ramirez", "-C", samples, "--today", DAY, "--out", name)
    assert r.code == 0, r.err
    assert "# Su Plan de Carrera" in r.out and "wrote" not in r.err


@pytest.mark.parametrize("args", [
    ["due", "--format", "csv", "--output", ""],
    ["render", "pccp", "sofia-ramirez", "--out", ""],
    ["render", "pccp", "sofia-ramirez", "--out", " "],
    ["report", "dashboard", "--out", ""],
    ["report", "dashboard", "--out", "-"],
    ["schema", "--out", ""],
])
def test_an_empty_output_path_is_a_usage_error(cli, samples, tmp_path, monkeypatch, args):
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    before = snapshot(samples)
    r = cli(*args, "-C", samples, "--today", DAY)
    assert r.code == 2, r.err
    assert "--out" in r.err and "Traceback" not in r.err and "busy" not in r.err
    assert list(here.iterdir()) == []
    assert snapshot(samples) == before


@pytest.mark.parametrize("kind", ["link-to-file", "fifo", pytest.param("device", marks=ROOT_ONLY), "file"])
@pytest.mark.parametrize("command", ["report", "schema"])
def test_an_output_folder_that_is_not_a_folder_is_refused(cli, samples, place, kind, command):
    if kind == "link-to-file":
        target = special(place, "link")
    elif kind == "file":
        target = place / "precious.txt"
    else:
        target = special(place, kind)
    before, cases_before = snapshot(place), snapshot(samples)
    args = ["report", "dashboard"] if command == "report" else ["schema"]
    r = cli(*args, "-C", samples, "--today", DAY, "--out", target)
    assert r.code == 1, r.err
    assert str(target) in r.err and "not a folder" in r.err and "Traceback" not in r.err
    assert snapshot(place) == before and snapshot(samples) == cases_before


def test_a_linked_output_folder_the_user_names_is_followed(cli, samples, tmp_path):
    """/tmp on macOS is a link: a folder the user names may be one."""
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "via").symlink_to(real)
    assert cli("report", "dashboard", "-C", samples, "--today", DAY, "--out", tmp_path / "via", "--quiet").code == 0
    assert (real / "dashboard.html").is_file()


@pytest.mark.parametrize("kind", KINDS)
def test_a_report_file_that_is_not_a_regular_file_is_refused(cli, samples, tmp_path, kind):
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me\n")
    target = out / "dashboard.html"
    if kind == "link":
        target.symlink_to(outside / "precious.txt")
    elif kind == "dangling":
        target.symlink_to(outside / "made-by-careerpath.html")
    elif kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        os.mknod(target, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    before, outside_before = snapshot(out), snapshot(outside)
    r = cli("report", "dashboard", "-C", samples, "--today", DAY, "--out", out)
    assert r.code == 1, r.err
    assert "dashboard.html" in r.err and "regular files" in r.err and "Traceback" not in r.err
    assert snapshot(out) == before and snapshot(outside) == outside_before


def test_a_fifo_where_the_quarterly_folder_goes_is_refused_without_hanging(cli, samples, tmp_path):
    """A cloned caseload's reports/quarterly-2026-Q3 is a FIFO: the documents are refused, and the fsync of their
    folder afterwards must not open the FIFO (an open of a FIFO blocks until a writer comes: the fuzzer found the
    quarterly report hanging there)."""
    import signal

    reports = samples / "reports"
    reports.mkdir(exist_ok=True)
    os.mkfifo(reports / "quarterly-2026-Q3")

    class Hung(BaseException):  # (not an OSError: the interrupted open must not take it for its own failure)
        pass

    def hung(*_):
        raise Hung("report quarterly did not finish in 60 s: a FIFO was opened")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    try:
        r = cli("report", "quarterly", "-C", samples, "--today", DAY, "--period", "2026-Q3")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert r.code == 1, r.err
    assert "internal error" not in r.err and "Traceback" not in r.err
    assert stat.S_ISFIFO(os.lstat(reports / "quarterly-2026-Q3").st_mode)


def test_reports_never_write_outside_out_through_a_linked_subfolder(cli, samples, tmp_path):
    """A cloned caseload's reports/quarterly-2026-Q3 linking elsewhere: the quarterly files are refused."""
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (out / "quarterly-2026-Q3").symlink_to(outside, target_is_directory=True)
    r = cli("report", "quarterly", "--period", "2026-Q3", "-C", samples, "--today", DAY, "--out", out)
    assert r.code == 1
    assert "quarterly-2026-Q3" in r.err and "symbolic link" in r.err and "Traceback" not in r.err
    assert list(outside.iterdir()) == []


def test_a_cloned_caseloads_reports_and_schemas_links_are_not_followed(cli, samples, tmp_path):
    """The default output folders come from the caseload: a link in them leading outside is refused."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (samples / "reports").symlink_to(outside, target_is_directory=True)
    r = cli("report", "dashboard", "-C", samples, "--today", DAY)
    assert r.code == 1 and "reports" in r.err and "outside the caseload" in r.err
    shutil.rmtree(samples / "schemas")
    (samples / "schemas").symlink_to(outside, target_is_directory=True)
    r = cli("schema", "-C", samples)
    assert r.code == 1 and "schemas" in r.err and "outside the caseload" in r.err
    assert list(outside.iterdir()) == []


def test_a_schema_file_that_is_a_link_is_refused(cli, samples, tmp_path):
    outside = tmp_path / "precious.json"
    outside.write_text("{}\n")
    link = samples / "schemas" / "case.schema.json"
    link.unlink()
    link.symlink_to(outside)
    r = cli("schema", "-C", samples)
    assert r.code == 1 and "case.schema.json" in r.err and "regular files" in r.err
    assert link.is_symlink() and outside.read_text() == "{}\n"


def test_atomic_write_refuses_a_target_swapped_in_while_writing(tmp_path, monkeypatch):
    """The target is checked again just before the rename: a link put there meanwhile is not replaced."""
    from careerpath import fsio

    target = tmp_path / "out.csv"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("keep\n")

    def swap(tmp: Path, path: Path) -> None:
        path.symlink_to(elsewhere)

    monkeypatch.setattr(fsio, "before_replace", swap)
    with pytest.raises(fsio.WriteError, match="symbolic link"):
        fsio.atomic_write(target, "new\n")
    assert target.is_symlink() and elsewhere.read_text() == "keep\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "out.csv"]


def test_a_clones_linked_gitattributes_is_not_replaced(cli, samples, tmp_path):
    """The team files go through the same writer: `setup-merge` refuses a .gitattributes that is a link."""
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=samples, check=True)
    outside = tmp_path / "attributes-elsewhere"
    outside.write_text("*.bin binary\n")
    (samples / ".gitattributes").symlink_to(outside)
    r = cli("setup-merge", "-C", samples)
    assert r.code == 1, r.err
    assert ".gitattributes" in r.err and "symbolic link" in r.err and "regular files" in r.err
    assert os.readlink(samples / ".gitattributes") == str(outside) and outside.read_text() == "*.bin binary\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attributes-elsewhere", "caseload"]


@pytest.mark.parametrize("kind", ["link", "fifo", "folder"])
def test_the_output_layer_writes_only_regular_files(tmp_path, kind, capsys):
    """cli/output.write (what emit and every --output use) refuses what is not a regular file, exit 1."""
    from careerpath.cli.common import CliError, Output
    from careerpath.cli.output import emit, write

    place = tmp_path / "place"
    place.mkdir()
    (place / "precious.txt").write_text("keep me\n")
    target = special(place, kind)
    before = snapshot(place)
    for call in (lambda: write("x\n", Output(target)), lambda: write(b"x", target),
                 lambda: emit([{"a": "=1"}], "csv", columns=["a"], output=target)):
        with pytest.raises(CliError) as found:
            call()
        assert found.value.code == 1 and str(target) in str(found.value.message)
    assert snapshot(place) == before
    write("to the stream\n", Output(None))
    write("and again\n", "-")
    assert capsys.readouterr().out == "to the stream\nand again\n"

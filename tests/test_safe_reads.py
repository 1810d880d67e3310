"""Every file a caseload holds is read through the safe reader (careerpath/fsio.py: read_regular, open_regular).

A cloned caseload is someone else's input (docs/security.md): a file of it can be
a FIFO (a read blocks for ever), a link to /dev/zero (never ends) or to a private
file outside the caseload, or a huge blob. The safe reader refuses all of those.
This test reads the package's source (an AST scan, no imports) and fails when a
raw read — ``open()``, ``os.open``, ``Path.open``, ``read_bytes``,
``read_text`` — appears anywhere but in the functions listed below, each with
the reason its files are not a caseload's. A new raw read of a caseload file
fails here: route it through ``fsio.read_regular`` instead, or, when the file is
not a caseload's, add it with its reason.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from careerpath.fsio import ReadRefused, open_regular, read_regular

PACKAGE = Path(__file__).resolve().parents[1] / "careerpath"
READS = {"read_bytes", "read_text", "open"}

#: (file under careerpath/, enclosing function) -> why its raw read is not of a caseload file
ALLOWED = {
    ("cache/journal.py", "address"): "opens the cache's own watch/ folder (O_DIRECTORY) to address its socket by fd",
    ("cache/watcher.py", "filesystem"): "/proc/self/mounts: which file system the caseload is on",
    ("signing.py", "key_of_file"): "the staff member's own SSH key file, named by their git config, never by a caseload",
    ("fsio.py", "open_regular"): "the safe reader itself",
    ("fsio.py", "_fsync_dir"): "opens a folder it just wrote into, to fsync it",
    ("gitio.py", "_holders_proc"): "/proc/<pid>/comm: the system's, to tell a live git from a stale lock",
    ("gitio.py", "shallow"): "git's own .git/shallow file, where `git rev-parse --git-path` says it is",
    ("cache/store.py", "code_key"): "careerpath's own source files (the cache's code key)",
    ("cache/store.py", "read_payload"): "cache files: opened O_NOFOLLOW|O_NONBLOCK, checked regular, yours and private",
    ("cache/store.py", "package_key"): "the installed holidays package's version file (the key of kept calendars)",
    ("cache/trust.py", "_read_key"): "the user's cache key outside every caseload, O_NOFOLLOW, owner-checked",
    ("cache/trust.py", "_create"): "the user's cache key, from the private temporary file this process wrote",
    ("cache/health.py", "_problem"): "cache files after trust.owner_problem (regular, yours, private) on their lstat",
    ("cache/scan.py", "_changed_entries"): "the caseload folder opened as a directory for fstatat, never read as a file",
    ("team/merge.py", "merge_files"): "git's temporary files (%O %A %B) for the merge driver, written by git",
    ("team/merge.py", "read_conflicts"): "the driver's own report in the clone's .git folder",
    ("team/server.py", "install_hook"): "the server's own hooks folder, on the server",
    ("record.py", "plan_attach"): "FILE named on the command line by the user (a scan to attach; checked is_file)",
    ("review.py", "import_review"): "a PO file named on the command line (i18n import)",
    ("catalogs.py", "*"): "careerpath's own catalogues (maintainer tool)",
    ("glossary.py", "*"): "careerpath's own glossary and memory files (maintainer tool)",
    ("i18n/catalogues.py", "*"): "careerpath's own compiled catalogues",
    ("plainlang.py", "load_jargon"): "careerpath's own jargon list",
    ("scaffold.py", "init"): "careerpath's own JSON schemas, copied into a new caseload",
    ("obligations/export.py", "schema"): "careerpath's own JSON schema",
    ("cli/completion.py", "_schema_paths"): "careerpath's own JSON schemas",
}


def _raw_reads() -> list[tuple[str, str, int, str]]:
    """(file, enclosing function, line, call) of every raw read in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), rel)
        stack: list[str] = []

        def visit(node: ast.AST) -> None:
            is_func = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            if is_func:
                stack.append(node.name)
            if isinstance(node, ast.Call):
                name = _read_call(node)
                if name:
                    found.append((rel, stack[-1] if stack else "<module>", node.lineno, name))
            for child in ast.iter_child_nodes(node):
                visit(child)
            if is_func:
                stack.pop()

        visit(tree)
    return found


def _writes(node: ast.Call) -> bool:
    """open(..., "w"/"a"/"x") and os.open(..., O_WRONLY...): writes, which fsio's writer rules cover."""
    args = list(node.args[1:2]) + [k.value for k in node.keywords if k.arg in ("mode", "flags")]
    for arg in args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and set(arg.value) & set("wax"):
            return True
        if any(isinstance(n, ast.Attribute) and n.attr in ("O_WRONLY", "O_RDWR", "O_CREAT") for n in ast.walk(arg)):
            return True
    return False


def _read_call(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name) and func.id == "open":
        return "" if _writes(node) else "open()"
    if isinstance(func, ast.Attribute) and func.attr in READS:
        if func.attr == "open" and _writes(node):
            return ""
        return f".{func.attr}()"
    return ""


def test_every_raw_read_is_of_a_file_no_caseload_holds():
    unexplained = [f"careerpath/{rel}:{line} {call} in {func}()" for rel, func, line, call in _raw_reads()
                   if (rel, func) not in ALLOWED and (rel, "*") not in ALLOWED]
    assert not unexplained, ("raw reads outside the safe reader (route them through careerpath.fsio.read_regular, "
                             "or list why the file is not a caseload's):\n" + "\n".join(unexplained))


def test_the_allow_list_names_only_reads_that_exist():
    """A stale entry would let a new raw read in the same function pass unseen."""
    present = {(rel, func) for rel, func, _line, _call in _raw_reads()} | {(rel, "*") for rel, *_ in _raw_reads()}
    assert not set(ALLOWED) - present, sorted(set(ALLOWED) - present)


def test_the_scan_sees_a_raw_read(tmp_path, monkeypatch):
    """The scan can fail: a module with a raw read of a case file is found."""
    (tmp_path / "careerpath").mkdir()
    (tmp_path / "careerpath" / "new.py").write_text(
        "from pathlib import Path\n\ndef peek(root):\n    return (Path(root) / 'careerpath.yaml').read_bytes()\n"
        "\ndef also(p):\n    with open(p) as fh:\n        return fh.read()\n\ndef writes(p):\n    open(p, 'w').close()\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path / "careerpath")
    assert [(f, func, call) for f, func, _l, call in _raw_reads()] == [("new.py", "peek", ".read_bytes()"),
                                                                     ("new.py", "also", "open()")]


# ---------------------------------------------------------------- the reader itself

def test_reads_a_regular_file_and_a_link_inside(tmp_path):
    (tmp_path / "a.yaml").write_bytes(b"x: 1\n")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    assert read_regular(tmp_path / "a.yaml", root=tmp_path) == b"x: 1\n"
    assert read_regular(tmp_path / "b.yaml", root=tmp_path) == b"x: 1\n"


@pytest.mark.parametrize("kind, code", [("fifo", "file-unreadable"), ("dev-zero", "symlink-outside"),
                                        ("folder", "file-unreadable"), ("large", "file-too-large"),
                                        ("outside", "symlink-outside"), ("missing", "file-unreadable")])
def test_refuses_what_is_not_a_small_regular_file_inside(tmp_path, kind, code):
    root = tmp_path / "caseload"
    root.mkdir()
    target = root / "careerpath.yaml"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "dev-zero":
        target.symlink_to("/dev/zero")
    elif kind == "folder":
        target.mkdir()
    elif kind == "large":
        target.write_bytes(b"#" * 2048)
    elif kind == "outside":
        (tmp_path / "secret").write_text("private")
        target.symlink_to(tmp_path / "secret")
    with pytest.raises(ReadRefused) as e:
        read_regular(target, root=root, limit=1024)
    assert e.value.code == code
    assert e.value.missing == (kind == "missing")


def test_a_device_through_a_link_inside_is_refused_without_root_too(tmp_path):
    (tmp_path / "zero").symlink_to("/dev/zero")
    with pytest.raises(ReadRefused) as e:
        read_regular(tmp_path / "zero")   # no root: links followed, but a device is never read
    assert e.value.code == "file-unreadable"
    with pytest.raises(ReadRefused):
        open_regular(tmp_path / "zero", limit=None)

"""No import circles inside careerpath.

Every ``import`` and ``from … import`` statement of every module counts,
wherever it stands: at module level AND inside functions (a deferred import
is still a dependency; the circles this test was written against,
loader ↔ cache ↔ checks and catalogs ↔ cli, were all deferred ones). Only
imports under ``if TYPE_CHECKING:`` are left out: they never run. Imports
made by name at run time (``importlib.import_module``, as ``careerpath.__getattr__``
does for the public names) are not seen.

An edge goes to the module named: ``from .cache import scan`` is an edge to
``careerpath.cache.scan`` when that is a module, ``from .cache import Cache``
an edge to the package ``careerpath.cache`` (its ``__init__``). Python's own
import of a package's ``__init__`` before its submodules is not an edge.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "careerpath"


def _modules(package: Path) -> dict[str, tuple[Path, bool]]:
    """{dotted name: (file, is a package)} for every module of ``package``."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes inside ``if TYPE_CHECKING:`` blocks."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                skipped.update(id(n) for n in ast.walk(inner))
    return skipped


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """{module: the modules of ``package`` it imports}."""
    modules = _modules(package)
    top = package.name

    def known(name: str) -> str:
        while name not in modules:  # `import careerpath.cli.common as c` names the module; an attribute does not
            name = name.rsplit(".", 1)[0]
        return name

    graph: dict[str, set[str]] = {}
    for name, (path, is_package) in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        skipped = _type_checking_only(tree)
        here = name.split(".") if is_package else name.split(".")[:-1]
        edges = set()
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                edges.update(known(a.name) for a in node.names if a.name.split(".")[0] == top)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here[:len(here) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if target.split(".")[0] != top:
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    edges.add(sub if sub in modules else known(target))
        edges.discard(name)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_no_import_circles_inside_careerpath():
    assert cycles(import_graph()) == []


def test_the_walker_sees_deferred_imports_and_skips_type_checking(tmp_path):
    """The check itself can fail: a circle made by a function-level import is found; one that only
    type checkers see is not a circle."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from .c import C\n")
    (pkg / "a.py").write_text("def f():\n    from . import b\n")
    (pkg / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .c import C\n"
                              "from .a import f\n")
    (pkg / "c.py").write_text("import pkg.b\nC = 1\n")
    graph = import_graph(pkg)
    assert graph == {"pkg": {"pkg.c"}, "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}, "pkg.c": {"pkg.b"}}
    assert cycles(graph) == [["pkg.a", "pkg.b"]]
    real = import_graph()
    assert "careerpath.pipeline" in real["careerpath.cli.duelist"]  # imported inside the command functions
    assert "careerpath.cache.store" in real["careerpath.cache.scan"]  # `from . import store`


def test_the_pipeline_stands_above_the_cache_and_the_cache_above_nothing_but_the_loader():
    """The layering docs/architecture.md draws: storage never calls back into what computes."""
    graph = import_graph()
    for module in [m for m in graph if m.startswith("careerpath.cache")]:
        assert not graph[module] & {"careerpath.pipeline", "careerpath.checks", "careerpath.obligations",
                                    "careerpath.cli"}, module
        assert not any(m.startswith("careerpath.cli") for m in graph[module]), module
    for module in ("careerpath.loader", "careerpath.checks"):
        assert not any(m.startswith(("careerpath.cache", "careerpath.pipeline")) for m in graph[module]), module

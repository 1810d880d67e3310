"""Each package opens with a map of its modules (issue 14: "Each subpackage opens with a short map").

A module added without a line in its package's docstring fails here, so the
next engineer's first read (``careerpath/<package>/__init__.py``) stays true.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "careerpath"
PACKAGES = sorted(p.parent for p in PACKAGE.rglob("__init__.py")
                  if not any(part.startswith((".", "_")) for part in p.parent.relative_to(PACKAGE).parts)
                  and p.parent.parent.name != "programs")   # programs/<id>/ are data folders, not packages of modules


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_every_module_is_on_its_package_map(package):
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
    assert "Modules" in doc, f"{package.name}/__init__.py opens without a map of its modules"
    names = sorted(p.stem for p in package.glob("*.py") if not p.stem.startswith("__"))
    names += sorted(p.name + "/" for p in package.iterdir() if (p / "__init__.py").exists() and p.name != "__pycache__"
                    and package.name != "programs")
    missing = [n for n in names
               if not re.search(r"(?<![\w.])" + re.escape(n.rstrip("/")) + r"\b", doc)
               and not (n.startswith("cmd_") and "cmd_*" in doc)]
    assert missing == [], f"{package.name}/__init__.py does not name: {', '.join(missing)}"

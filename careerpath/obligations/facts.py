"""The facts of one case, addressable by dotted paths, each with where it is written.

A rule names dates as paths (``enrollment.applied``, ``item.start``,
``plan.goals.*.objectives.*``); :class:`Facts` resolves them against plain
dicts dumped from the models and remembers, for every value, the document and
the path inside it, so an obligation can cite ``cases/x/case.yaml:12``.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple, Optional


@lru_cache(maxsize=1024)
def _split(path: str) -> tuple[str, tuple[str, ...], bool]:
    head, *rest = path.split(".")
    return head, tuple(rest), "*" not in rest


class Node(NamedTuple):
    """A value, the document it comes from (None for settings defaults) and its path there."""

    value: Any
    doc: Any
    path: tuple

    def source(self) -> str:
        if self.doc is None:
            return ""
        line, _ = self.doc.at(*self.path)
        return f"{self.doc.file}:{line}"

    def label(self) -> str:
        """Where the value is written, as text: ``jobs[0]``, or a referral's file name."""
        if not self.path:
            name = getattr(self.doc, "file", "") or ""
            return name.rsplit("/", 1)[-1].removesuffix(".yaml")
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out


class Facts:
    """Named roots (``case``, ``enrollment``, ``plan``, ``referrals``, ``settings``, ``item``)."""

    __slots__ = ("roots",)

    def __init__(self, roots: dict[str, Node]):
        self.roots = roots

    def with_item(self, item: Node) -> "Facts":
        return Facts({**self.roots, "item": item})

    def _walk(self, node: Node, parts: list[str]) -> list[Node]:
        nodes = [node]
        for part in parts:
            nxt: list[Node] = []
            for n in nodes:
                value = n.value
                if isinstance(value, Node):
                    n, value = value, value.value
                if part == "*":
                    if isinstance(value, list):
                        for i, v in enumerate(value):
                            nxt.append(v if isinstance(v, Node) else Node(v, n.doc, n.path + (i,)))
                elif isinstance(value, dict) and part in value:
                    nxt.append(Node(value[part], n.doc, n.path + (part,)))
            nodes = nxt
        return nodes

    def each(self, path: str) -> list[Node]:
        """Every node the path reaches (``*`` walks a list)."""
        head, rest, plain = _split(path)
        root = self.roots.get(head)
        if root is None:
            return []
        if plain:  # the common case, a chain of keys: no lists to fan out
            value, doc, where = root
            for part in rest:
                if isinstance(value, Node):
                    value, doc, where = value
                if not isinstance(value, dict) or part not in value:
                    return []
                value, where = value[part], where + (part,)
            return [Node(value, doc, where)]
        return self._walk(root, list(rest))

    def get(self, path: str) -> Optional[Node]:
        found = self.each(path)
        return found[0] if found else None

    def value(self, path: str) -> Any:
        node = self.get(path)
        return None if node is None else node.value

    def date(self, path: str) -> Optional[Node]:
        node = self.get(path)
        return node if node is not None and isinstance(node.value, date) else None

    def holds(self, condition: Any) -> bool:
        """Whether every ``(path, expected)`` of a :class:`~.rules.Condition` holds.

        ``expected``: null (unset), a list (one of), ``{set: bool}``,
        ``{on_or_after: path}`` (a date not before another fact's, when that is set), or a value.
        """
        for path, expected in condition.items:
            value = self.value(path)
            if isinstance(expected, dict) and "on_or_after" in expected:
                other = self.value(expected["on_or_after"])
                ok = isinstance(value, date) and (not isinstance(other, date) or value >= other)
            elif isinstance(expected, dict) and "set" in expected:
                ok = (value not in (None, [], {}, "")) == bool(expected["set"])
            elif expected is None:
                ok = value in (None, [], {}, "")
            elif isinstance(expected, tuple):
                ok = value in expected
            else:
                ok = value == expected
            if not ok:
                return False
        return True

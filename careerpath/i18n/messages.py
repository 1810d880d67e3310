"""Messages as values: English text that remembers how to be said in another language.

The library never translates. It makes a :class:`Message` from a msgid (the
English template, which ``python -m careerpath.catalogs update`` extracts into
the ``cli`` catalogue) and its arguments::

    Message("`{path}` should be {what}", path="person.birth_date", what=Message("a whole number"))

A Message *is* its English text (a ``str``), so diagnostics and errors compare,
sort, hash, pickle and serialise to JSON exactly as the English strings they
were; English output is unchanged. It also keeps ``msgid``, ``context`` and
``args``, so the CLI can render it again at display time from the catalogues
(:func:`careerpath.i18n.text`): the template is looked up, each argument is
rendered (a Message argument is translated too, a date shown the language's
way) and filled in. Only ``{name}`` placeholders are filled, by plain
substitution: a translation can reorder them but can reach nothing else,
which matters since a caseload's program folder may bring its own catalogue.

Arguments name things (field paths, ids, counts, dates, file names), never
personal values: fields are named by path, not by value. Text declared in
program data (a check's ``message``) is a msgid too: :meth:`Message.declared`.
A ``str`` operation on a Message (``+``, an f-string) gives plain English text
that cannot be translated any more: build a new Message instead (:func:`join`).
"""

from __future__ import annotations

import os
import re
from datetime import date
from typing import Any, Callable, Iterable, Optional, Union

#: The msgctxt of every message the library makes (diagnostics, errors the CLI shows,
#: obligation details): it keeps them apart from the CLI's own words in the catalogue.
CONTEXT = "diagnostic"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

Arg = Union[str, int, float, date, "Message"]
#: (msgid, context) -> the translated template, or None
Lookup = Callable[[str, Optional[str]], Optional[object]]


def fill(template: str, values: dict[str, str]) -> str:
    """``template`` with each ``{name}`` that ``values`` has replaced; everything else is kept as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _arg(name: str, value: Any) -> Arg:
    if isinstance(value, (str, int, float, date)):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"message argument {name!r} must be text, a number, a date or a Message, "
                    f"not {type(value).__name__}")


def _english(value: Arg) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


class Message(str):
    """English text (the ``str`` value) made from ``msgid`` and ``args``, to be rendered again in any language."""

    __slots__ = ("msgid", "context", "args")
    msgid: str
    context: Optional[str]
    args: tuple[tuple[str, Arg], ...]

    def __new__(cls, msgid: str, /, **args: Any) -> "Message":
        return _make(msgid, CONTEXT, args)

    @classmethod
    def declared(cls, msgid: str, context: Optional[str] = CONTEXT, /, **args: Any) -> "Message":
        """A message whose msgid is declared in data (program.yaml, rules.yaml), not in code."""
        return _make(msgid, context, args)

    def render(self, lookup: Lookup, show_date: Callable[[date], str]) -> str:
        """This message in the language of ``lookup`` (its translation of a msgid, or None)."""
        found = lookup(self.msgid, self.context)
        template = found if isinstance(found, str) else self.msgid
        return fill(template, {k: _render(v, lookup, show_date) for k, v in self.args})

    def map_text(self, fn: Callable[[str], str]) -> "Message":
        """The same message with ``fn`` applied to every text argument (e.g. redaction)."""
        args = {k: v.map_text(fn) if isinstance(v, Message) else fn(v) if isinstance(v, str) else v
                for k, v in self.args}
        return _make(self.msgid, self.context, args)

    def __reduce__(self):
        return (_restore, (str(self), self.msgid, self.context, self.args))


def _render(value: Arg, lookup: Lookup, show_date: Callable[[date], str]) -> str:
    if isinstance(value, Message):
        return value.render(lookup, show_date)
    if isinstance(value, date):
        return show_date(value)
    return str(value)


def _make(msgid: str, context: Optional[str], args: dict) -> Message:
    checked = tuple((k, _arg(k, v)) for k, v in args.items())
    english = fill(msgid, {k: _english(v) for k, v in checked}) if checked else msgid
    return _restore(english, msgid, context, checked)


def _restore(text: str, msgid: str, context: Optional[str], args: tuple) -> Message:
    m = str.__new__(Message, text)
    m.msgid, m.context, m.args = msgid, context, args
    return m


def join(parts: Iterable[Arg], sep: str = "; ") -> Union[Message, str]:
    """Parts (messages or text) joined by ``sep``, each still translatable; '' when there are none."""
    parts = list(parts)
    if len(parts) < 2:
        return parts[0] if parts else ""
    names = [f"p{i}" for i in range(len(parts))]
    return _make(sep.join("{%s}" % n for n in names), None, dict(zip(names, parts)))


def message_of(exc: BaseException) -> str:
    """What a library exception says: its Message when it carries one (``str(exc)`` would lose it)."""
    found = getattr(exc, "message", None)
    if isinstance(found, str):
        return found
    if exc.args and isinstance(exc.args[0], str):
        return exc.args[0]
    return str(exc)

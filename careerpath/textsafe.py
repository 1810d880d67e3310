"""Text from a caseload made inert for a terminal, a line-oriented output or a spreadsheet.

A cloned caseload is someone else's input. Its values and file names may hold
characters that act instead of showing: ESC starts a terminal control sequence
(``\\e[2J`` clears the screen, ``\\e]0;…\\a`` retitles the window, some terminals
act on more), a line break in a file name splits one output line into two, and
the Unicode direction overrides (U+202A-U+202E, U+2066-U+2069) make text read in
another order than it is stored. :func:`unsafe_char` finds them (the loader
refuses them in every text value and file name); :func:`escaped` shows them as
``\\x1b``, ``\\u202e`` so a person sees they are there and nothing acts on them.

Line separators of the text itself (LF in a multi-line note) and tabs are kept
by :func:`escaped` unless ``one_line``; the direction *marks* U+200E/U+200F and
joiners are ordinary text and kept.
"""

from __future__ import annotations

import re
from typing import Optional

# C0 except tab and LF, DEL, C1 (NEL and the 8-bit CSI among them), U+2028/2029 (line breaks to some tools),
# the bidi embeddings, overrides and isolates
_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_UNSAFE_RE = re.compile(f"[{_UNSAFE}]")
_UNSAFE_LINE_RE = re.compile(f"[{_UNSAFE}\t\n]")


def unsafe_char(text: str, *, one_line: bool = False) -> Optional[str]:
    """The first character of ``text`` that acts on a terminal or on the order of text, or None."""
    m = (_UNSAFE_LINE_RE if one_line else _UNSAFE_RE).search(text)
    return m.group() if m else None


def code_of(char: str) -> str:
    """``U+001B``: how messages name a character (never the character itself)."""
    return f"U+{ord(char):04X}"


def _escape(m: re.Match) -> str:
    c = m.group()
    if c == "\n":
        return "\\n"
    if c == "\t":
        return "\\t"
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def escaped(text: str, *, one_line: bool = False) -> str:
    """``text`` with every acting character shown as an escape (``\\x1b``, ``\\u202e``); fast when there is none."""
    rx = _UNSAFE_LINE_RE if one_line else _UNSAFE_RE
    return rx.sub(_escape, text) if rx.search(text) else text


class EscapingStream:
    """A text stream that escapes acting characters on their way to a terminal.

    Wrapped around ``sys.stdout``/``sys.stderr`` by the CLI when they are
    terminals: whatever a command prints (a value the loader reported, a name
    in a message), the terminal shows it and never obeys it. Line breaks and
    tabs pass, as the command's own layout needs them.
    """

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(self.shown(text))
        return len(text)

    @staticmethod
    def shown(text: str) -> str:
        """What :meth:`write` sends the terminal for ``text`` (the output cache keeps that, cli/views.py)."""
        return escaped(text)

    def write_own(self, text: str) -> int:
        """Write ``text`` as it is: careerpath's own control sequences (a table's colours) around parts the
        caller has already passed through :func:`escaped` (cli/tables.py does, cell by cell)."""
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def write_own(stream, text: str) -> int:
    """``text`` written to ``stream`` as careerpath's own (:meth:`EscapingStream.write_own` where ``stream`` escapes;
    else its ``write``)."""
    return getattr(stream, "write_own", stream.write)(text)


class OwnStream:
    """``stream`` for a writer whose every control sequence is careerpath's own: rich's colours and rules around
    cells already passed through :func:`escaped`. Its writes go past an :class:`EscapingStream`'s escaping
    (which would show rich's own codes as ``\\x1b[1m``); everything else is the stream's."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return write_own(self._stream, text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


# ---------------------------------------------------------------- spreadsheets

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text, never runs as a formula (OWASP's CSV-injection advice).

    A text cell that starts with ``= + - @``, a tab or a CR gets a leading
    apostrophe: ``=HYPERLINK(…)`` becomes ``'=HYPERLINK(…)``, shown as written.
    Numbers, dates and None pass unchanged (``-3`` as a number stays a number).
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value

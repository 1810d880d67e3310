"""Limits on what a template may cost: a caseload's ``templates/`` is someone else's input.

Jinja's sandbox stops a template from reaching Python's internals; it does
not stop one from asking for a billion loop turns, a gigabyte string or an
endless recursion. A template in a cloned caseload may do all three, so the
one environment (:func:`careerpath.documents.engine.make_environment`) is a
:class:`LimitedSandbox`:

* ``range`` is capped by the sandbox itself (100,000 items: ``OverflowError``);
* ``*`` on text or lists, ``**`` on numbers and ``%`` formatting are
  intercepted: a result past :data:`MAX_TEXT` characters, an exponent past
  what fits :data:`MAX_POWER_BITS` bits, or a field width or precision past
  :data:`MAX_WIDTH` is refused before Python builds it;
* ``str.format``/``format_map`` and the ``format``, ``center``, ``indent``
  and ``wordwrap`` filters are checked the same way;
* a recursive macro ends in Python's recursion limit;
* the whole render runs under a wall-clock limit (:data:`SECONDS`, through
  ``SIGALRM`` in the main thread) and its output is capped at
  :data:`MAX_OUTPUT` characters.

Each limit ends in :class:`TemplateLimit`, which the engine reports as a
template error (exit 1) naming the template and line, never a traceback.
What is left (a template can still make the machine busy for up to
:data:`SECONDS` seconds per document) is in docs/security.md.
"""

from __future__ import annotations

import contextlib
import re
import signal
import string
import threading
import time
from typing import Any, Iterator

from ..i18n.messages import Message

#: Characters a text, list or rendered document may reach.
MAX_TEXT = 1_000_000
MAX_OUTPUT = 20_000_000
#: Field width or precision in a format (``%0999999999d`` allocates a gigabyte).
MAX_WIDTH = 1_000
#: Bits of an integer power (``10**10**8`` runs for minutes).
MAX_POWER_BITS = 100_000
#: Seconds one document may take (built-in templates take milliseconds).
SECONDS = 10.0


class TemplateLimit(Exception):
    """A template asked for more than a document may cost; the message says which limit."""


_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_NUMBER = re.compile(r"\d+")


def check_percent_format(text: str) -> None:
    """Refuse a ``%`` format whose width or precision is ``*`` or past :data:`MAX_WIDTH`."""
    for m in _PERCENT_FIELD.finditer(text):
        for part in m.groups():
            if part == "*" or (part and int(part) > MAX_WIDTH):
                raise TemplateLimit(Message("a format width or precision above {n}", n=MAX_WIDTH))


def check_brace_format(text: str) -> None:
    """Refuse a ``str.format`` pattern with a width past :data:`MAX_WIDTH` or one taken from an argument."""
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return  # str.format raises the same error itself, caught as a template error
    for _literal, _name, spec, _conv in fields:
        if spec and ("{" in spec or any(int(n) > MAX_WIDTH for n in _NUMBER.findall(spec))):
            raise TemplateLimit(Message("a format width or precision above {n}", n=MAX_WIDTH))


def _check_size(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_TEXT:
        raise TemplateLimit(Message("a text or list longer than {n} items", n=format(MAX_TEXT, ",")))
    return value


def _repeat_size(left: Any, right: Any) -> None:
    for seq, n in ((left, right), (right, left)):
        if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and not isinstance(n, bool):
            if len(seq) * max(n, 0) > MAX_TEXT:
                raise TemplateLimit(Message("a text or list longer than {n} items", n=format(MAX_TEXT, ",")))


def _power_size(left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
        if abs(left).bit_length() * right > MAX_POWER_BITS:
            raise TemplateLimit(Message("a number too large"))
    elif isinstance(left, (int, float)) and isinstance(right, (int, float)) and abs(right) > 10_000:
        raise TemplateLimit(Message("a number too large"))


def limited_sandbox_class():
    """The sandbox with the limits above (made on first use: jinja2 is imported only to render)."""
    from jinja2.sandbox import SandboxedEnvironment

    class LimitedSandbox(SandboxedEnvironment):
        intercepted_binops = frozenset(["*", "**", "%"])

        def call_binop(self, context, operator, left, right):
            if operator == "*":
                _repeat_size(left, right)
            elif operator == "**":
                _power_size(left, right)
            elif operator == "%" and isinstance(left, str):
                check_percent_format(left)
            return _check_size(super().call_binop(context, operator, left, right))

        def wrap_str_format(self, value):
            wrapper = super().wrap_str_format(value)
            if wrapper is None:
                return None
            check_brace_format(value.__self__)
            return wrapper

    return LimitedSandbox


def limit_filters(env) -> None:
    """Wrap the built-in filters that take a size: ``format``, ``center``, ``indent``, ``wordwrap``."""
    plain = {name: env.filters[name] for name in ("format", "center", "indent", "wordwrap", "truncate")
             if name in env.filters}

    def format_(value, *args, **kwargs):
        check_percent_format(str(value))
        return _check_size(plain["format"](value, *args, **kwargs))

    def sized(name, arg_names):
        def filter_(value, *args, **kwargs):
            for i, arg in enumerate(args[:len(arg_names)]):
                if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_WIDTH:
                    raise TemplateLimit(Message("a `{name}` width above {n}", name=name, n=MAX_WIDTH))
            for key in arg_names:
                arg = kwargs.get(key)
                if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_WIDTH:
                    raise TemplateLimit(Message("a `{name}` width above {n}", name=name, n=MAX_WIDTH))
            return _check_size(plain[name](value, *args, **kwargs))
        return filter_

    env.filters["format"] = format_
    env.filters["center"] = sized("center", ("width",))
    env.filters["indent"] = sized("indent", ("width",))


def render_limited(template, ctx: dict) -> str:
    """Render with the output cap and the time limit."""
    out: list[str] = []
    size = 0
    with time_limit(SECONDS):
        for chunk in template.generate(ctx):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TemplateLimit(Message("a document longer than {n} characters", n=format(MAX_OUTPUT, ",")))
            out.append(chunk)
    return "".join(out)


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TemplateLimit` inside the block after ``seconds`` (main thread, where SIGALRM exists).

    An alarm already set by the caller (a test's, a cron wrapper's) is kept:
    the shorter of the two fires, the caller's with its own handler, and the
    caller's is re-armed with the time left.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return
    outer_handler = signal.getsignal(signal.SIGALRM)
    outer_left = signal.getitimer(signal.ITIMER_REAL)[0]
    ours_first = not outer_left or seconds < outer_left
    start = time.monotonic()

    def expired(signum, frame):
        if ours_first:
            raise TemplateLimit(Message("more than {n} seconds", n=format(seconds, "g")))
        signal.signal(signal.SIGALRM, outer_handler)
        if callable(outer_handler):
            outer_handler(signum, frame)
        else:
            signal.raise_signal(signal.SIGALRM)

    signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds if ours_first else outer_left)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_left:
            signal.setitimer(signal.ITIMER_REAL, max(outer_left - (time.monotonic() - start), 0.001))

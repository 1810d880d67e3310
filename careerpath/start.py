"""The console script and ``python -m careerpath``: a stored output when there is one, else the full CLI.

Kept apart from :mod:`careerpath.cli` (whose import is typer's) and from
:mod:`careerpath.replay` (which the CLI uses too), so that neither imports the other.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn


def run() -> NoReturn:
    """The console script and ``python -m careerpath``: :func:`main`, then out without tearing the heap down.

    A run that recomputed anything ends holding the caseload's index, its results' stamps and a page of 89,000
    lines at 20,519 cases: freeing them object by object took ~0.12 s after the last byte was written (a tenth
    of a warm ``due``, for nothing). So the streams are flushed, the atexit handlers run (multiprocessing's,
    a profiler's), and the process leaves with ``os._exit``; when a thread other than the main one is still
    alive, Python's own shutdown (which joins it) runs instead.
    """
    from . import collector

    collector.LEAVING = True  # what a command leaves to the end is not freed (:func:`collector.leave`)
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader left: nothing more to say to it
        pass
    except (OSError, ValueError):
        sys.exit(code)  # a stream that cannot be flushed: Python's own shutdown says what it can
    import threading

    if threading.active_count() != 1:
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()
    os._exit(code)


def main() -> int:
    """Replay the stored output of this command line (:func:`careerpath.replay.replay`), else run the CLI.

    A shell's completion of a case id is answered first, without typer (:func:`careerpath.cli.completion.quick`).
    """
    # pydantic looks for plugins among the entry points of every installed package when the first model class
    # is made (~40 ms of a run that loads a case); careerpath takes none. Set before the replay looks, so that
    # both see the same environment (it is part of an invocation's key); PYDANTIC_DISABLE_PLUGINS= (empty)
    # loads them anyway.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if os.environ.get("_CAREERPATH_COMPLETE"):  # the shell asks for a completion: a case id without typer
        from .cli.completion import quick

        answer = quick(sys.argv[1:])
        if answer is not None:
            try:
                sys.stdout.write(answer[0])  # encoded whole before a byte is written
                return answer[1]
            except UnicodeEncodeError:  # a folder name the stream cannot encode: typer's completion answers
                pass
            except BrokenPipeError:
                return 0
    from .replay import replay

    try:
        got = replay(sys.argv[1:])
    except Exception:  # the full CLI says what is wrong, in its own words
        got = None
    if got is not None and got[0] is not None:
        return got[0]
    from .cli import main as full

    return full(None, cache=got[1] if got is not None else None)

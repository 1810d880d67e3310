"""Start-up: replay a stored output before typer and pydantic are imported.

A read-only command (``due`` with text, json or csv output piped, or its table
on a terminal) keeps its whole output in the cache (:func:`careerpath.cli.views.output_cached`), keyed
by every input it read. Answering from it still cost the import of typer (and,
through typer's option parsing, pydantic): about a quarter of a warm ``due``.
Here the console script and ``python -m careerpath`` (:mod:`careerpath.start`)
first try to answer without them:

* When the full CLI stores (or replays) such an output, it also keeps an
  *invocation*: what it made of this exact command line, working folder,
  environment and output encoding (the caseload folder, whether it was found
  by looking upward, the day if one was given, the command's options as the
  output key has them, the language). It is a signed cache file
  (:mod:`careerpath.cache.store`) named by a hash of those inputs, in a
  folder of the user's (``invocations/`` beside the caseloads' caches).
* :func:`replay` looks that invocation up for the command line it was given,
  recomputes the output key exactly as the full CLI does (a fresh scan of the
  caseload, today's date, the catalogues' state), and writes the stored output
  when there is one under that key. Anything else (no invocation, a terminal
  of another width or without colours, a language note, a changed file, a
  caseload found elsewhere upward) returns None and the full CLI runs, with
  the scan already made.

The invocation only says how the full CLI parsed a command line it saw; the
output it leads to is found under the same key the full CLI would compute, so
a replay prints what the full CLI would print (tests/test_replay.py).
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import Any, Optional

#: environment variables that say nothing about a command's output (they change between shell prompts)
_VOLATILE = frozenset({"_", "OLDPWD", "PWD", "SHLVL", "TERM_SESSION_ID", "COLUMNS", "LINES"})
INVOCATIONS_KEPT = 64


def request(name: str, encoding: str, kw: list, terminal: Optional[tuple] = None) -> str:
    """What identifies a command's output besides its input files: the command, the output encoding, the
    language and its catalogues, and its options (``kw``: sorted (name, repr(value)) pairs); for a terminal,
    also what its table is laid out for (:func:`terminal`)."""
    what = (name, encoding, language_state(), kw)
    return repr(what if terminal is None else (*what, terminal))


def terminal() -> Optional[tuple]:
    """What ``due``'s table on the terminal standard output is drawn for: its width and whether it has colours
    (:func:`careerpath.cli.tables.terminal_width`, :func:`~careerpath.cli.tables.colours`); None off a terminal.
    The width is the terminal's at each run, so an output drawn for another width is never replayed."""
    if not _tty(sys.stdout):
        return None
    from .cli.tables import colours, terminal_width

    return ("terminal", terminal_width(), colours())


def options(kw: dict) -> list:
    """A command's keyword arguments as :func:`request` takes them (the context left out)."""
    return sorted((k, repr(v)) for k, v in kw.items() if k != "ctx")


def language_state() -> tuple:
    """What decides the wording of an output: the language and its catalogues in lookup order (file, size, mtime)."""
    from . import i18n

    lang = i18n.current()
    files = []
    for domain in ("cli", "documents"):
        for path in i18n.catalogues.translation_files(lang, domain, i18n.catalogues.caseload_in_use()):
            try:
                st = path.stat()
                files.append((str(path), st.st_size, st.st_mtime_ns))
            except OSError:
                files.append((str(path), None, None))
    return lang, tuple(files)


def output_token(root: Path, today: date, request: str, cache: Any) -> Optional[bytes]:
    """A key for a command's output: every input (files, settings, rules, today, code) and ``request``
    (the command and its options). None when some input is too fresh to trust.

    The scan it does is kept in ``cache`` for the results call that follows in the same command.
    """
    import hashlib

    prepared = cache.prepare(Path(root), today, keep=True)
    digest = prepared.digest()
    if digest is None:
        return None
    h = hashlib.blake2b(prepared.dkey + digest, digest_size=16)  # dkey: the results key and the day
    h.update(request.encode("utf-8", "surrogateescape"))
    return h.digest()


def _invocation_key(args: list[str]) -> bytes:
    import hashlib

    env = sorted((k, v) for k, v in os.environ.items() if k not in _VOLATILE)
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = ""
    what = repr((list(args), cwd, env, getattr(sys.stdout, "encoding", ""), getattr(sys.stderr, "encoding", "")))
    return hashlib.blake2b(what.encode("utf-8", "surrogateescape"), digest_size=16).digest()


def _folder() -> Path:
    """Where invocations are kept: beside every caseload's cache folder in the user's cache."""
    override = os.environ.get("CAREERPATH_CACHE_DIR")
    if override:
        return Path(override) / "invocations"
    base = os.environ.get("XDG_CACHE_HOME", "")
    user = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return user / "careerpath" / "invocations"


def remember(args: Optional[list], root: Path, searched: bool, today: Optional[str], name: str, encoding: str,
             kw: list, cache: Any) -> None:
    """Keep how the full CLI ran ``args`` (called when it stored or replayed an output)."""
    if args is None:
        return
    from . import i18n
    from .cache import store

    path = _folder() / f"{_invocation_key(args).hex()}.pickle"
    record = (str(root), searched, today, name, encoding, kw, i18n.current())
    _for_watcher(args, root, today, cache)
    try:
        if store.read(path, cache.key, cache.stats) == record:
            return
        store.write(path, cache.key, record)
        store.prune(path.parent, INVOCATIONS_KEPT)
    except OSError:
        pass  # an unwritable cache folder: the full CLI runs every time, as before


def _for_watcher(args: list, root: Path, today: Optional[str], cache: Any) -> None:
    """Keep the command line for the caseload's watcher, when one runs, to make its output again once an edit
    settles (:mod:`careerpath.cache.refresh`)."""
    from .cache import journal

    try:  # (after an output is written: nothing here may fail the command, or make the full CLI run again)
        folder = cache.folder(root)
        if journal.running(folder):
            from .cache import refresh

            drawn = terminal()  # (a table drawn for a terminal is made again on one as wide)
            refresh.register(folder, cache.key, root, args, dated=today is not None,
                             columns=drawn[1] if drawn is not None else 0)
    except Exception:
        pass


def replay(args: list[str]) -> Optional[tuple[int, Any]]:
    """(exit code, None) when the stored output of ``args`` was written; else (None, a Cache holding the scan
    made, for the full CLI to reuse) or None when nothing was looked at."""
    if os.environ.get("CAREERPATH_DEBUG") == "1":
        return None
    path = _folder() / f"{_invocation_key(args).hex()}.pickle"
    if not os.path.isfile(path):  # (most command lines: one stat, nothing imported)
        return None
    from . import i18n
    from .cache import Cache, outputs, store

    cache = Cache(ahead=compute_ahead)
    record = store.read(path, cache.key, cache.stats)
    if not (isinstance(record, tuple) and len(record) == 7):
        return None
    root_text, searched, today, name, encoding, kw, lang = record
    choice = i18n.choose(args, os.environ)
    # (a catalogue that cannot be read made the full CLI fall back to English: then lang differs; one broken
    # since changed its size or time, which is in the output key)
    if choice.note or choice.lang != lang:
        return None
    root = Path(root_text)
    if searched:
        from .where import find_caseload

        if find_caseload(Path.cwd()) != root:
            return None
    if not root.is_dir():
        return None
    try:
        day = date.fromisoformat(today) if today else date.today()
    except ValueError:
        return None
    i18n.use(lang)
    i18n.use_caseload(root)
    token = output_token(root, day, request(name, encoding, kw, terminal()), cache)
    if token is None:
        return None, cache
    kept = outputs.read(cache.folder(root), token, cache.key, cache.stats)
    if kept is None:
        return None, cache
    out, error, code = kept
    cache.stats.output_hit = True
    try:
        sys.stdout.flush()
        outputs.write_to(sys.stdout.buffer, out)
        sys.stdout.flush()
        if error:
            stream = sys.stderr
            if _tty(stream):
                from .textsafe import EscapingStream

                stream = EscapingStream(stream)
            stream.write(error.decode(getattr(sys.stderr, "encoding", None) or "utf-8", "replace"))
            stream.flush()
    except BrokenPipeError:
        code = 0
    finally:
        cache.finish()
    _for_watcher(args, root, today, cache)
    return code, None


def compute_ahead() -> None:
    """The ``ahead`` of a command's :class:`~careerpath.cache.Cache`: :func:`careerpath.pipeline.ready` (the
    imports of a recompute, done during the scan once one is known to be needed), imported only then, so that
    a run that replays never imports the pipeline."""
    from .pipeline import ready

    ready()


def _tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False

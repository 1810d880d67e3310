"""What the commands share that is not typer's: the error type, the root's options, caseload, day and cache.

Imports neither typer nor click (:mod:`careerpath.cli.common` adds the app and the reusable options): ``due``'s
plain command lines run from here without them (:mod:`careerpath.cli.direct`). A context here is anything with
``find_root()`` and ``get_parameter_source(name)``: click's, or :class:`careerpath.cli.direct.Context`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from .. import i18n
from ..i18n import _

if TYPE_CHECKING:
    from ..cache import Cache


class CliError(Exception):
    """A problem the user can fix; the CLI prints ``message`` and exits with ``code``."""

    def __init__(self, message: str, code: int = 1, hint: str = ""):
        super().__init__(message)
        self.message, self.code, self.hint = message, code, hint


@dataclass
class Globals:
    """The options given before the command, and what the command shares across its calls."""

    caseload: Optional[Path] = None
    today: Optional[str] = None
    lang: Optional[str] = None  # only an explicit root --lang (documents default to the person's language)
    cache: bool = True          # False with a root --no-cache
    stats: Any = None           # a careerpath.cache.Stats the command's cache fills (main(stats=...), for tests)
    handle: Optional["Cache"] = None  # the command's one Cache, made on first use (see cache_of)
    invocation: Optional[list] = None  # the command line main() ran (None in-process: nothing kept for start-up)
    searched: bool = False      # the caseload was found by looking upward from the working folder


#: Dates the command line accepts: the caseload's own span (periods, quarters and
#: deadlines computed from 0001-01-01 or 9999-12-31 would leave the calendar).
EARLIEST, LATEST = date(1900, 1, 1), date(2200, 12, 31)


def parse_date(text: str, option: str) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(_("{option} must be a real date written YYYY-MM-DD").format(option=option), code=2) from None
    if not EARLIEST <= day <= LATEST:
        raise CliError(_("{option} must be a date from {first} to {last}").format(
            option=option, first=EARLIEST.isoformat(), last=LATEST.isoformat()), code=2)
    return day


def _globals(ctx: Any) -> Globals:
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, Globals) else Globals()


def _typed(ctx: Any, name: str, value: object) -> bool:
    """Whether the command's own ``name`` option was typed on its command line (not read from the environment)."""
    if value is None:
        return False
    try:
        source = ctx.get_parameter_source(name)
    except (AttributeError, TypeError):
        return True
    return getattr(source, "name", "COMMANDLINE") != "ENVIRONMENT"


def today_of(ctx: Any, today: Optional[str]) -> date:
    """The date commands compute for: ``--today`` or the real date (the only call of date.today()).

    Typed after the command, before it, then the environment: an environment
    variable never beats a value on the command line, wherever it was typed.
    """
    text = today if _typed(ctx, "today", today) else (_globals(ctx).today or today)
    return parse_date(text, "--today") if text else date.today()


def cache_of(ctx: Any, no_cache: bool = False) -> Optional["Cache"]:
    """The load cache this command passes to the pipeline, or None (``--no-cache`` before or after the command).

    One :class:`~careerpath.cache.Cache` per command: the scan a stored output
    was keyed on is reused by the results call, and one Stats counts it all.
    """
    given = _globals(ctx)
    if no_cache or not given.cache:
        return None
    if given.handle is None:
        from ..cache import Cache
        from ..replay import compute_ahead

        given.handle = Cache(given.stats, ahead=compute_ahead)
    return given.handle


def caseload_of(ctx: Any, caseload: Optional[Path]) -> Path:
    """The caseload root: ``--caseload`` (as :func:`today_of` chooses) or the nearest folder upward with careerpath.yaml."""
    path = caseload if _typed(ctx, "caseload", caseload) else (_globals(ctx).caseload or caseload)
    if path is not None:
        if not path.is_dir():
            raise CliError(_("the caseload folder {path} does not exist").format(path=path), code=2)
    else:
        from ..where import find_caseload

        path = find_caseload(Path.cwd())
        _globals(ctx).searched = True
        if path is None:
            raise CliError(_("no caseload here: no careerpath.yaml in this folder or any folder above it"), code=2,
                           hint=_("pass --caseload PATH, or run `careerpath init` to start one"))
    # its own program folders may translate their messages: searched first when one is shown
    i18n.use_caseload(path)
    return path


@dataclass(frozen=True)
class Output:
    """Where a command's output goes: a regular file, or standard output (``path`` None)."""

    path: Optional[Path]

    @property
    def stream(self) -> bool:
        return self.path is None


def output_of(value: Optional[str], option: str) -> Optional[Output]:
    """A ``--out FILE``/``--output FILE`` value: None when not given.

    ``-`` and ``/dev/stdout`` mean standard output, written as a stream. An
    empty value is a usage error (exit 2): ``Path("")`` would be the current folder.
    """
    from ..fsio import STREAMS

    if value is None:
        return None
    if not value.strip():
        raise CliError(_("{option} needs a file name (`-` writes to standard output)").format(option=option), code=2)
    return Output(None) if value in STREAMS else Output(Path(value))


def folder_of(value: Optional[str], option: str) -> Optional[Path]:
    """A ``--out DIR`` value: None when not given; empty or ``-`` is a usage error, a non-folder exit 1.

    A folder the user names may be a link to a folder (``/tmp`` on macOS is
    one); the files written in it are checked one by one (fsio.check_target).
    """
    from ..fsio import STREAMS

    if value is None:
        return None
    if not value.strip() or value in STREAMS:
        raise CliError(_("{option} needs a folder name").format(option=option), code=2)
    path = Path(value)
    if (path.exists() or path.is_symlink()) and not path.is_dir():
        raise CliError(_("{path} is not a folder; {option} names the folder to write into").format(
            path=value, option=option), code=1)
    return path


def caseload_folder(root: Path, name: str) -> Path:
    """``<caseload>/<name>`` as a default output folder, unless it is a link leading outside the caseload.

    A caseload is often a cloned repository: its ``reports`` or ``schemas``
    may be a link to anywhere, and careerpath does not write through it.
    """
    from ..loader import inside

    folder = root / name
    if folder.is_symlink() and not inside(root, folder):
        raise CliError(_("{path} is a link leading outside the caseload; it is not followed").format(path=folder),
                       code=1, hint=_("remove the link, or name the output folder with --out DIR"))
    return folder


def display_prefix(root: Path) -> str:
    """How to write paths under ``root`` so an editor run from here can open them."""
    try:
        rel = os.path.relpath(root)
    except ValueError:  # another drive on Windows
        rel = str(root)
    return "" if rel == "." else rel


def err(message: str) -> None:
    print(message, file=sys.stderr)


def rule_book(programs: Any) -> Any:
    """Every obligation rule of ``programs``; a clear refusal when two programs define one rule id."""
    from ..obligations import RulesError, load_rules

    try:
        return load_rules(programs)
    except RulesError as e:
        raise CliError(_("a rule file is malformed: {problem}").format(problem=e.message)) from None

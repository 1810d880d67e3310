"""What every command shares: the app, the reusable options, the error type.

``--caseload`` and ``--today`` are accepted before the command (``careerpath
--caseload X due``) and after it (``careerpath due --caseload X``); the value
given after the command wins. Heavy modules are imported inside the commands,
never here, so ``careerpath --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..i18n import _

app = typer.Typer(
    name="careerpath",
    help="Caseloads of employment services for adults with disabilities, kept as YAML files under git.\n\n"
    "Validate a caseload, see what is due, render documents. Start with:\n\n"
    "    careerpath validate --caseload sample-cases",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # locals may hold personal data; main() maps errors
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class CliError(Exception):
    """A problem the user can fix; the CLI prints ``message`` and exits with ``code``."""

    def __init__(self, message: str, code: int = 1, hint: str = ""):
        super().__init__(message)
        self.message, self.code, self.hint = message, code, hint


CaseloadOpt = Annotated[
    Optional[Path],
    typer.Option("--caseload", "-C", metavar="PATH", show_default=False, envvar="CAREERPATH_CASELOAD",
                 help="The caseload folder. Default: the nearest folder upward holding careerpath.yaml."),
]
TodayOpt = Annotated[
    Optional[str],
    typer.Option("--today", metavar="YYYY-MM-DD", show_default=False, envvar="CAREERPATH_TODAY",
                 help="Compute as if today were this date (default: the real date)."),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="text or json.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Read every file again; neither read nor write the load cache.")]
#: The language of messages, help and dates. main() reads it from the command
#: line before typer runs (so help can be translated); a command that declares
#: it only makes `careerpath CMD --lang ru` legal; main() adds it to the others.
LangOpt = Annotated[
    Optional[str],
    typer.Option("--lang", metavar="LANG", show_default=False,
                 help="Language of messages, help and dates: en, es, vi, hy, hmn, ru. "
                      "Default: $CAREERPATH_LANG, then the locale, then English."),
]
RedactOpt = Annotated[bool, typer.Option(
    "--redact", help="Replace names, birth dates, phones, addresses, e-mails, SSN, SNILS, UCI and case ids with "
                     "stable placeholders (Person A, PHONE-1, case-a): for funders and bug reports.")]
RedactStaffOpt = Annotated[bool, typer.Option(
    "--redact-staff", help="With --redact, replace staff names and e-mails too (Staff A).")]


@dataclass
class Globals:
    caseload: Optional[Path] = None
    today: Optional[str] = None
    lang: Optional[str] = None  # only an explicit root --lang (documents default to the person's language)
    cache: bool = True


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


def _globals(ctx: typer.Context) -> Globals:
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, Globals) else Globals()


def _typed(ctx: typer.Context, name: str, value: object) -> bool:
    """Whether the command's own ``name`` option was typed on its command line (not read from the environment)."""
    if value is None:
        return False
    try:
        source = ctx.get_parameter_source(name)
    except (AttributeError, TypeError):
        return True
    return getattr(source, "name", "COMMANDLINE") != "ENVIRONMENT"


def today_of(ctx: typer.Context, today: Optional[str]) -> date:
    """The date commands compute for: ``--today`` or the real date (the only call of date.today()).

    Typed after the command, before it, then the environment: an environment
    variable never beats a value on the command line, wherever it was typed.
    """
    text = today if _typed(ctx, "today", today) else (_globals(ctx).today or today)
    return parse_date(text, "--today") if text else date.today()


def use_cache(ctx: typer.Context, no_cache: bool = False) -> bool:
    """Whether this command may use the load cache (``--no-cache`` before or after the command turns it off)."""
    return not no_cache and _globals(ctx).cache


def caseload_of(ctx: typer.Context, caseload: Optional[Path]) -> Path:
    """The caseload root: ``--caseload`` (as :func:`today_of` chooses) or the nearest folder upward with careerpath.yaml."""
    path = caseload if _typed(ctx, "caseload", caseload) else (_globals(ctx).caseload or caseload)
    if path is not None:
        if not path.is_dir():
            raise CliError(_("the caseload folder {path} does not exist").format(path=path), code=2)
        return path
    from ..loader import find_caseload

    found = find_caseload(Path.cwd())
    if found is None:
        raise CliError(_("no caseload here: no careerpath.yaml in this folder or any folder above it"), code=2,
                       hint=_("pass --caseload PATH, or run `careerpath init` to start one"))
    return found


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


def write_output(out: Output, data: str | bytes, *, mode: Optional[int] = None) -> None:
    """Write a command's output: standard output as a stream, else a regular file, atomically.

    Every ``--out``/``--output`` goes through here. A target that is a link,
    a folder, a device or a FIFO is refused with exit 1 naming it (fsio), and
    nothing is written.
    """
    if out.path is None:
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(data)
            sys.stdout.flush()
        return
    from ..fsio import WriteError, atomic_write

    try:
        atomic_write(out.path, data, mode=mode)
    except WriteError as e:
        raise CliError(str(e), code=1) from None


def display_prefix(root: Path) -> str:
    """How to write paths under ``root`` so an editor run from here can open them."""
    try:
        rel = os.path.relpath(root)
    except ValueError:  # another drive on Windows
        rel = str(root)
    return "" if rel == "." else rel


class _Tee:
    """A text stream that writes through and keeps a copy (for the output cache)."""

    def __init__(self, stream):
        self.stream, self.parts = stream, []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", "utf-8")

    def text(self) -> bytes:
        """What went to the stream, as the bytes it wrote (its own encoding)."""
        return "".join(self.parts).encode(self.encoding, getattr(self.stream, "errors", None) or "strict")


def output_cached(command):
    """Let a read-only report command answer from the load cache when nothing it reads has changed.

    For piped text/json/csv output only (not a terminal, not --output): the
    command's stdout, stderr and exit code are stored under a key of every
    input (each file's stat key, careerpath.yaml, rule files, today, the code)
    and of its options; the next identical run with unchanged input replays
    them without loading anything. Any change, --no-cache, or a file written in
    the last seconds runs the command as usual.
    """
    import functools

    @functools.wraps(command)
    def wrapper(*args, **kw):
        ctx = kw.get("ctx")
        if (ctx is None or kw.get("output") is not None or kw.get("format", "text") not in ("text", "json", "csv")
                or sys.stdout.isatty() or not use_cache(ctx, kw.get("no_cache", False))):
            return command(*args, **kw)
        root = caseload_of(ctx, kw.get("caseload"))
        day = today_of(ctx, kw.get("today"))
        from ..cache import forget_scan

        try:
            return _replay_or_run(command, root, day, args, kw)
        finally:
            forget_scan()

    return wrapper


def language_state() -> tuple:
    """What decides the wording of an output: the language and its catalogues (file, size, mtime)."""
    from .. import i18n

    lang = i18n.current()
    files = []
    for domain in ("cli", "documents"):
        path = i18n.catalogue_path(lang, domain)
        if path is not None:
            try:
                st = path.stat()
                files.append((str(path), st.st_size, st.st_mtime_ns))
            except OSError:
                files.append((str(path), None, None))
    return lang, tuple(files)


def _replay_or_run(command, root: Path, day: date, args: tuple, kw: dict):
    from ..cache import cached_output, output_token, store_output

    request = repr((command.__name__, getattr(sys.stdout, "encoding", ""), language_state(),
                    sorted((k, repr(v)) for k, v in kw.items() if k != "ctx")))
    token = output_token(root, day, request)
    if token is None:
        return command(*args, **kw)
    hit = cached_output(root, token)
    if hit is not None:
        out, error, code = hit
        sys.stdout.flush()
        if hasattr(sys.stdout, "buffer"):
            sys.stdout.buffer.write(out)
        else:
            sys.stdout.write(out.decode(getattr(sys.stdout, "encoding", None) or "utf-8", "replace"))
        sys.stdout.flush()
        sys.stderr.write(error.decode(getattr(sys.stderr, "encoding", None) or "utf-8", "replace"))
        return code
    out_tee, err_tee = _Tee(sys.stdout), _Tee(sys.stderr)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out_tee, err_tee
    try:
        code = command(*args, **kw)
    finally:
        sys.stdout, sys.stderr = saved
    store_output(root, token, out_tee.text(), err_tee.text(), code if isinstance(code, int) else 0)
    return code


def err(message: str) -> None:
    print(message, file=sys.stderr)

"""A ``due`` command line read without typer: the same keyword arguments, typer never imported.

A ``due`` that must compute (after an edit, on a new day) went through typer:
importing it with click and every command's module (~0.04 s), building the
click tree of every command (~0.08 s on the benchmark's machine) and
coercing each of its 19 options through a pydantic ``TypeAdapter`` typer 0.29
makes for it on every run (~0.08 s). The start-up replay
(:mod:`careerpath.replay`) skips typer only when the stored output is still
good; this module skips it for the run that makes a new one.

:func:`read` takes the command line only when every word of it is one this
module reads exactly as typer does: ``due`` first, then options spelled in
full (``--within 2w``, ``--within=2w``, ``-f json``, flags) whose values do
not start with ``-`` (``-`` itself does), each single-valued option at most
once. The option words, their kinds and environment variables are
:data:`careerpath.cli.duelist.OPTIONS`, the defaults those of
:func:`careerpath.cli.duelist.due`; ``tests/test_cli_direct.py`` reads the
same from typer's own reading of the declaration
(:func:`careerpath.cli.cmd_due.due`) and checks that the two agree word for
word. Any
other word (a root option before ``due``, ``--help``, ``-fjson``, a value
starting with ``-``, ``--``, an unknown option, a positional argument)
returns None, and typer reads the line, with its own errors and help.
``tests/test_cli_direct.py`` also checks, over many command lines and
environments, that what the command receives is what typer gives it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

#: the commands read here (the one whose recomputing runs a user waits for every morning)
COMMANDS = ("due",)


@dataclass(frozen=True)
class _Option:
    name: str                 # the keyword argument
    kind: str                 # "flag", "text", "path" or "list"
    envvar: Optional[str]
    default: Any


class _Source:
    """What ``click.Context.get_parameter_source`` gives: where a value came from, by ``name``."""

    def __init__(self, name: str) -> None:
        self.name = name


class Context:
    """The little of a click context the commands use (:func:`careerpath.cli.base._globals`, ``_typed``): the
    root's :class:`~careerpath.cli.base.Globals` and where each option's value came from."""

    def __init__(self, obj: Any, sources: dict[str, str]) -> None:
        self.obj = obj
        self.sources = sources

    def find_root(self) -> "Context":
        return self

    def get_parameter_source(self, name: str) -> Optional[_Source]:
        source = self.sources.get(name)
        return _Source(source) if source is not None else None


def spec_of(name: str) -> dict[str, _Option]:
    """{option word: what it sets} for the command ``name`` (one of :data:`COMMANDS`), without typer: its words,
    kinds and variables from :data:`careerpath.cli.duelist.OPTIONS`, its defaults from the command's own."""
    from . import duelist

    defaults = duelist.due.__wrapped__.__kwdefaults__  # (output_cached keeps the function it wraps there)
    return {word: _Option(arg, kind, env, defaults[arg]) for word, (arg, kind, env) in duelist.OPTIONS.items()}


def read(args: list[str], environ: Any = os.environ) -> Optional[tuple[str, dict, dict[str, str]]]:
    """(command name, its keyword arguments but ``ctx``, {option name: "COMMANDLINE", "ENVIRONMENT" or "DEFAULT"})
    as typer would give them for ``args``; None when typer must read the line (module docstring)."""
    if not args or args[0] not in COMMANDS:
        return None
    name = args[0]
    spec = spec_of(name)
    kw: dict[str, Any] = {}
    seen: set[str] = set()
    i = 1
    while i < len(args):
        word = args[i]
        value: Optional[str] = None
        if word.startswith("--") and "=" in word:
            word, value = word.split("=", 1)
        option = spec.get(word)
        if option is None:
            return None
        if option.kind == "flag":
            if value is not None:
                return None
            kw[option.name] = True
            i += 1
            continue
        if value is None:
            if i + 1 >= len(args):
                return None
            value = args[i + 1]
            i += 2
        else:
            i += 1
        if value.startswith("-") and value != "-":  # (click takes it as the value too; typer is left to say so)
            return None
        if option.kind == "list":
            kw.setdefault(option.name, []).append(value)
        elif option.name in seen:
            return None
        else:
            kw[option.name] = Path(value) if option.kind == "path" else value
        seen.add(option.name)
    sources = {opt.name: "COMMANDLINE" for opt in spec.values() if opt.name in kw}
    for opt in spec.values():
        if opt.name in kw:
            continue
        if opt.envvar and environ.get(opt.envvar):  # (click reads an empty variable as unset)
            text = environ[opt.envvar]
            kw[opt.name] = Path(text) if opt.kind == "path" else text
            sources[opt.name] = "ENVIRONMENT"
        else:
            kw[opt.name] = opt.default
            sources[opt.name] = "DEFAULT"
    return name, kw, sources


def run(args: list[str], given: Any) -> Optional[Callable[[], Any]]:
    """A call running the command ``args`` names with what :func:`read` made of it; None when typer must read
    the line. ``given``: the root's :class:`~careerpath.cli.base.Globals`, given here what typer's root
    would take from the environment (its ``--caseload`` and ``--today`` are the commands' own shared options,
    :data:`~careerpath.cli.common.CaseloadOpt` and :data:`~careerpath.cli.common.TodayOpt`)."""
    got = read(args)
    if got is None:
        return None
    name, kw, sources = got
    for opt in spec_of(name).values():
        if opt.name in ("caseload", "today") and opt.envvar and os.environ.get(opt.envvar):
            text = os.environ[opt.envvar]
            setattr(given, opt.name, Path(text) if opt.kind == "path" else text)
    command = _command(name)
    ctx = Context(given, sources)
    return lambda: command(ctx=ctx, **kw)


def _command(name: str) -> Callable:
    """The function of the command ``name`` (one of :data:`COMMANDS`), typer-free."""
    from . import duelist

    return {"due": duelist.due}[name]

"""``due`` read without typer (careerpath/cli/direct.py): the command receives what typer gives it.

Each command line is run twice in-process, once through the direct reading and once through typer (the direct
reading turned off), with a spy where the command first asks for the caseload's results: it records every
argument the command got and what the context says of them (the caseload and day it resolves to, the cache, the
language, where each value came from), then stops the run. The two records must be equal.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import Any, Callable, Optional, Union, get_args, get_origin

import pytest

from conftest import SAMPLE

from careerpath.cli import cmd_due, direct, duelist

#: what an option may not have to be read here: each changes what click does with the word or its value
_NOT_PLAIN = ("callback", "count", "prompt", "is_eager", "parser", "click_type", "exists", "resolve_path",
              "path_type", "allow_dash", "writable", "min", "max", "formats", "shell_complete")


def plain_options(command: Callable) -> Optional[dict[str, "direct._Option"]]:
    """{option word: what it sets} for ``command`` as typer reads its signature (what direct.spec_of must give for
    its declaration); None when some parameter is not one direct.py could read (an argument, a count, a prompt, a
    callback, a type other than bool, str, Path and a list of str)."""
    from typer.models import OptionInfo
    from typer.utils import get_params_from_function

    words: dict[str, "direct._Option"] = {}
    for name, meta in get_params_from_function(command).items():
        if name == "ctx":
            continue
        info = meta.default
        if not isinstance(info, OptionInfo) or not info.param_decls or not info.expose_value \
                or any(getattr(info, field, None) for field in _NOT_PLAIN):
            return None
        kind = _kind(meta.annotation)
        if kind is None or (kind == "flag" and info.default is not False) or any("/" in d for d in info.param_decls):
            return None
        envvar = info.envvar
        if envvar is not None and not (isinstance(envvar, str) and kind in ("text", "path")):
            return None  # (click splits a list's variable at spaces and reads a flag's as a boolean)
        default = info.default
        if not (default is None or type(default) is {"flag": bool, "text": str}.get(kind)):
            return None
        for word in info.param_decls:
            if not (word.startswith("--") and len(word) > 2 or len(word) == 2 and word[0] == "-" and word[1] != "-"):
                return None
            words[word] = direct._Option(name, kind, envvar, default)
    return words


def _kind(annotation: Any) -> Optional[str]:
    if get_origin(annotation) is Union:
        inner = [a for a in get_args(annotation) if a is not type(None)]
        if len(inner) != 1:
            return None
        annotation = inner[0]
    if annotation is bool:
        return "flag"
    if annotation is str:
        return "text"
    if annotation is Path:
        return "path"
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        return "list"
    return None


STATUSES = ["invalid", "overdue", "partial", "due-soon", "upcoming", "done"]


class _Stop(Exception):
    pass


@pytest.fixture
def spy(monkeypatch):
    """Runs of the CLI in-process, each giving (exit code, what the command received: None when it stopped
    before asking for results)."""
    from careerpath.cli import common, localize
    from careerpath.cli import main

    seen: list = []
    names = sorted({option.name for option in plain_options(cmd_due.due).values()})  # every option of due
    assert len(names) == 19

    def cached_results(ctx, caseload, today, *, no_cache=False):
        got = dict(sys._getframe(1).f_locals)  # due's own arguments
        record = {k: got[k] for k in names}
        record["sources"] = {k: getattr(ctx.get_parameter_source(k), "name", None) for k in names}
        record["typed"] = {name: common._typed(ctx, name, record[name]) for name in ("caseload", "today")}
        g = common._globals(ctx)
        record["globals"] = (g.caseload, g.today, g.lang, g.cache, g.invocation)
        record["root"] = common.caseload_of(ctx, caseload)
        record["day"] = common.today_of(ctx, today)
        record["cache"] = common.cache_of(ctx, no_cache) is None
        record["language"] = localize.content_language(ctx, got["lang"], "hy")
        seen.append(record)
        raise _Stop

    monkeypatch.setattr(duelist, "cached_results", cached_results)

    real = direct.run

    def run(args: list[str], typer_only: bool):
        seen.clear()
        monkeypatch.setattr(direct, "run", (lambda args, given: None) if typer_only else real)
        code = main(list(args))
        return code, (seen[0] if seen else None)

    from careerpath import i18n

    language = i18n.current()
    yield run
    i18n.use(language)  # (main() chose the language of the last line run: --lang ru, say)


def _spellings(rng: random.Random, words: list[str], value: str) -> list[str]:
    word = rng.choice(words)
    if word.startswith("--") and rng.random() < 0.4:
        return [f"{word}={value}"]
    return [word, value]


def _command_line(rng: random.Random, tmp: Path) -> list[str]:
    fmt = rng.choice(["text", "json", "csv", "ics"])
    parts: list[list[str]] = []
    if rng.random() < 0.7:
        parts.append(_spellings(rng, ["--caseload", "-C"], str(SAMPLE)))
    if rng.random() < 0.6:
        parts.append(_spellings(rng, ["--today"], rng.choice(["2026-11-22", "2027-02-01"])))
    if rng.random() < 0.5:
        parts.append(_spellings(rng, ["--format", "-f"], fmt))
    else:
        fmt = "text"
    for flag in ("--overdue", "--all", "--explain", "--wide", "--redact", "--redact-staff", "--no-cache"):
        if rng.random() < 0.15:
            parts.append([flag])
    for word, values in (("--status", STATUSES), ("--case", ["linh-tran", "c1", "x y"]),
                         ("--program", ["ca-dor-vr", "common"]), ("--rule", ["dor.*", "ccp.plan"]),
                         ("--staff", ["tnguyen", "kvang"])):
        for _ in range(rng.choice([0, 0, 1, 2])):
            parts.append(_spellings(rng, [word], rng.choice(values)))
    if rng.random() < 0.3:
        parts.append(_spellings(rng, ["--within"], rng.choice(["2w", "14d", "1m", ""])))
    if rng.random() < 0.3:
        parts.append(_spellings(rng, ["--fail-on"], rng.choice(["overdue", "due-soon", "invalid"])))
    if rng.random() < 0.3:
        parts.append(_spellings(rng, ["--lang"], rng.choice(["ru", "es", "en"])))
    if fmt != "text" and rng.random() < 0.3:
        parts.append(_spellings(rng, ["--output", "-o"], rng.choice([str(tmp / "out.json"), "-"])))
    rng.shuffle(parts)
    return ["due", *[w for p in parts for w in p]]


def test_due_receives_what_typer_gives_it(spy, monkeypatch, tmp_path):
    rng = random.Random(20261203)
    read = 0
    for i in range(250):
        args = _command_line(rng, tmp_path)
        for var, values in (("CAREERPATH_CASELOAD", [None, "", str(SAMPLE)]),
                            ("CAREERPATH_TODAY", [None, "", "2026-12-24"])):
            value = rng.choice(values)
            if value is None:
                monkeypatch.delenv(var, raising=False)
            else:
                monkeypatch.setenv(var, value)
        assert direct.read(args) is not None, args  # each of these is one the direct reading takes
        got = spy(args, typer_only=False)
        want = spy(args, typer_only=True)
        assert got == want, args
        read += got[1] is not None
    assert read > 150  # (most runs reached the command: the comparison is of something; the rest failed alike)


@pytest.mark.parametrize("args", [
    ["--no-cache", "due"],                 # a root option before the command
    ["due", "--help"], ["due", "-h"],
    ["due", "-fjson"],                     # a short option with its value attached
    ["due", "--within", "-2w"],            # a value that looks like an option
    ["due", "--format", "json", "-f", "csv"],  # a single value given twice
    ["due", "--debug"],                    # a root option after the command (typer accepts it)
    ["due", "--", "--all"], ["due", "extra"], ["due", "--nope"], ["due", "--all=yes"], ["due", "--within"],
    ["validate"], [],
])
def test_what_the_direct_reading_leaves_to_typer(args):
    assert direct.read(args) is None


def test_a_line_left_to_typer_is_still_answered_by_typer(cli):
    """The direct reading declines; typer reads the line and says what is wrong, or runs it."""
    assert cli("due", "--caseload", SAMPLE, "--today", "2026-11-22", "--within", "-2w").code == 2
    ok = cli("due", "--caseload", SAMPLE, "--today", "2026-11-22", "-fjson")
    assert ok.code == 0 and ok.out.lstrip().startswith("[")


def test_the_direct_reading_knows_due_as_typer_reads_its_declaration():
    """Every option word of ``due`` (cmd_due.due, as typer reads it), its keyword, kind, variable and default, is
    what the direct reading takes from duelist.OPTIONS and duelist.due's defaults: an option added to the
    declaration only, a word, a variable or a default changed on one side only, fails here."""
    assert direct.spec_of("due") == plain_options(cmd_due.due)


def test_the_spec_check_sees_a_difference(monkeypatch):
    """(The comparison above is of something: a default changed on duelist's side alone makes them differ.)"""
    monkeypatch.setitem(duelist.due.__wrapped__.__kwdefaults__, "format", "json")
    assert direct.spec_of("due") != plain_options(cmd_due.due)
    monkeypatch.undo()
    monkeypatch.delitem(duelist.OPTIONS, "--wide")
    assert direct.spec_of("due") != plain_options(cmd_due.due)


def test_a_plain_due_imports_neither_typer_nor_click(tmp_path):
    """The run a navigator waits for after an edit or on a new day starts without typer, click or the other
    commands: only a line the direct reading declines imports them."""
    import subprocess

    code = ("import sys; from careerpath.start import main; code = main(); "
            "names = sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'click', 'rich') "
            "or m in ('careerpath.cli.tree', 'careerpath.cli.common', 'careerpath.cli.cmd_show')); "
            "print(code, names, file=sys.stderr)")
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("CAREERPATH")}
    env["CAREERPATH_CACHE_DIR"] = str(tmp_path / "cache")
    for args, imports in ((["due", "-C", str(SAMPLE), "--today", "2026-11-22"], False),
                          (["due", "-C", str(SAMPLE), "--today", "2026-11-22", "--format", "json"], False),
                          (["due", "-C", str(SAMPLE), "--today=2026-11-22", "-fjson"], True)):  # (declined: typer reads)
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                              timeout=120)
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("0 "), done.stderr
        assert (last != "0 []") == imports, (args, last)

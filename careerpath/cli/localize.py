"""Build the click command tree from the typer app in the chosen language.

typer turns the app into click commands only when it runs, so translating the
tree just before it runs is "at construction time": help texts, option helps
and typer's own section titles (Options, Commands, required, default) come out
of the ``cli`` catalogue. The same walk gives the extractor the English help
strings (:func:`help_strings`), so catalogues never drift from the docstrings.

It also adds the root's options (``--caseload``, ``--today``, ``--lang``,
``--debug``, ``--no-cache``) to every command that does not declare them,
with ``expose_value=False``: the README promises them before or after the
command name, and ``careerpath history X --today D`` is then legal without
each command growing a parameter it would ignore. ``--lang`` and ``--debug``
were already read by main(); the others, when given after the command, set
the root's values (the value after the command wins, as for commands that
declare them).
"""

from __future__ import annotations

import copy
from typing import Iterator

from .. import i18n


def _walk(cmd) -> Iterator:
    yield cmd
    for sub in (getattr(cmd, "commands", None) or {}).values():
        yield from _walk(sub)


#: typer's own words, which it passes through gettext's ``_`` (typer/core.py).
TYPER_WORDS = ("Arguments", "Options", "Commands", "default: {default}", "required", "env var: {var}",
               "Missing command.", "No such command {name!r}.", "(dynamic)", "Aborted!", "Usage: ")


def _patch_usage_prefix() -> None:
    """click writes "Usage: " without gettext; route it through the catalogue (once per process)."""
    from typer._click.formatting import HelpFormatter

    original = HelpFormatter.write_usage
    if getattr(original, "_careerpath", False):
        return

    def write_usage(self, prog, args="", prefix=None):
        return original(self, prog, args, i18n._("Usage: ") if prefix is None else prefix)

    write_usage._careerpath = True
    HelpFormatter.write_usage = write_usage


#: The root options every command accepts after its name, and the field of
#: :class:`~careerpath.cli.base.Globals` each sets (None: main() reads it from argv).
SHARED = {"caseload": "caseload", "today": "today", "lang": None, "debug": None, "no_cache": "cache"}


def _to_root(field: str):
    """A callback storing a value given after the command into the root's Globals."""

    def callback(ctx, param, value):
        source = ctx.get_parameter_source(param.name)
        if value is None or getattr(source, "name", "") != "COMMANDLINE":
            return value  # not on this command's line (an environment variable is read by the root already)
        from .base import Globals

        found = ctx.find_root().obj
        if isinstance(found, Globals):
            setattr(found, field, (not value) if field == "cache" else value)
        return value

    return callback


#: The trees :func:`command` made in this process: (id of the app, language) -> (catalogue, tree).
_BUILT: dict[tuple[int, str], tuple[object, object]] = {}


def command(app):
    """:func:`build_command`'s tree, made once per process for each language and catalogue.

    typer makes the tree afresh on every call (about 25 ms, most of a warm
    ``due``), and main() runs once per process, but a library caller or the
    test suite runs main() many times. A click tree is reusable (each run gets
    its own context; click's own CliRunner invokes one tree again and again);
    what shapes it is the language and its catalogue, which is cached per file
    state (:func:`careerpath.i18n.catalogue`): a changed ``.po`` file is a new
    catalogue object, so the tree is made again.
    """
    lang = i18n.current()
    catalogue = i18n.catalogue(lang) if lang != i18n.SOURCE_LANGUAGE else None
    kept = _BUILT.get((id(app), lang))
    if kept is not None and kept[0] is catalogue:
        import typer.core

        typer.core._ = i18n._  # as build_command does, in case something reset it
        return kept[1]
    root = build_command(app)
    _BUILT[(id(app), lang)] = (catalogue, root)
    return root


def build_command(app):
    import typer.core
    import typer.main

    root = typer.main.get_command(app)
    try:
        _patch_usage_prefix()
    except (ImportError, AttributeError):  # a typer without the vendored click: the prefix stays English
        pass
    shared = [p for p in root.params if p.name in SHARED]
    translate = i18n.current() != i18n.SOURCE_LANGUAGE
    # typer's own words ("Options", "required", "default: {default}") go through gettext's `_`
    typer.core._ = i18n._
    for cmd in _walk(root):
        for param in shared if cmd is not root else ():
            if any(set(param.opts) & set(p.opts) for p in cmd.params):
                continue
            extra = copy.copy(param)
            extra.expose_value = False
            if param.name in SHARED and SHARED[param.name]:
                extra.callback = _to_root(SHARED[param.name])
            cmd.params.append(extra)
        if not translate:
            continue
        if cmd.help:
            cmd.help = i18n._(cmd.help)
        if cmd.short_help:
            cmd.short_help = i18n._(cmd.short_help)
        for p in cmd.params:
            if getattr(p, "help", None):
                p.help = i18n._(p.help)
        _translate_help_option(cmd, root)
    return root


def _translate_help_option(cmd, root) -> None:
    """click makes the --help option lazily, with an English help: make it now, translated."""
    try:
        from typer._click.decorators import help_option
    except ImportError:  # pragma: no cover - another typer layout: the line stays English
        return
    names = [n for n in (root.context_settings or {}).get("help_option_names", ["--help"])
             if not any(n in p.opts for p in cmd.params)]
    if not names or not cmd.add_help_option or getattr(cmd, "_help_option", None) is not None:
        return
    help_option(names)(cmd)
    cmd._help_option = cmd.params.pop()
    if cmd._help_option.help:
        cmd._help_option.help = i18n._(cmd._help_option.help)


def help_strings(app) -> list[str]:
    """Every help text of the app, in English, for the catalogue template."""
    import typer.main

    out = set()
    for cmd in _walk(typer.main.get_command(app)):
        for text in (cmd.help, cmd.short_help, *(getattr(p, "help", None) for p in cmd.params)):
            if text:
                out.add(text)
    # click's own --help option, made by the command, not by the app
    out.add("Show this message and exit.")
    out.update(TYPER_WORDS)
    return sorted(out)


def format_diagnostic(d, prefix: str = "") -> str:
    """A diagnostic line for the screen in the current language.

    English is exactly :meth:`Diagnostic.format` (editors and golden files rely
    on it). Other languages translate the severity word and render the
    message and hint (Messages) from the catalogues. Words that are no
    Message, or a Message no catalogue translates (a YAML parser's own
    English, say), are shown as the code's translated description with the
    English specifics in brackets, so the reader always gets their language
    and nothing is lost. The code stays as is: it is the stable key to search for.
    """
    if i18n.current() == i18n.SOURCE_LANGUAGE:
        return d.format(prefix)
    from ..diagnostics import CODES
    from ..textsafe import escaped

    path = escaped(f"{prefix}/{d.file}" if prefix and prefix != "." else d.file, one_line=True)
    message = i18n.text(d.message)
    if not i18n.translated(d.message) and d.code in CODES:
        described = i18n.pgettext("code", CODES[d.code][1])
        if described != CODES[d.code][1]:
            message = f"{described.rstrip('.')} [{d.message}]"
    text = f"{path}:{d.line}:{d.column}: {i18n.display('severity', d.severity)} {d.code}: {message}"
    if d.hint:
        text += "\n    " + i18n._("hint: {hint}").format(hint=i18n.text(d.hint))
    return text


def content_language(ctx, explicit, fallback) -> str:
    """The language of content from data (rule titles): the command's --lang, the root --lang,
    the CLI language when one was chosen (CAREERPATH_LANG, locale), else ``fallback``
    (the caseload's default_language)."""
    from .base import _globals

    if explicit:
        return explicit
    root = _globals(ctx).lang if ctx is not None else None
    if root:
        return root
    if i18n.current() != i18n.SOURCE_LANGUAGE:
        return i18n.current()
    return fallback or i18n.SOURCE_LANGUAGE

"""docs/cli.md, generated from the commands' own --help (a test keeps it from drifting)."""

from __future__ import annotations

import io
import os
from contextlib import redirect_stdout


def command_names() -> list[str]:
    """Every command the app registers, in registration order (groups as 'group sub')."""
    import typer.main

    from . import app

    root = typer.main.get_command(app)
    names = []
    for name, cmd in root.commands.items():
        names.append(name)
        for sub in getattr(cmd, "commands", {}) or {}:
            names.append(f"{name} {sub}")
    return names


def help_text(name: str) -> str:
    from . import main

    buf = io.StringIO()
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        with redirect_stdout(buf):
            main(["--lang", "en", *name.split(), "--help"])  # the reference is English whatever the locale
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old
    return buf.getvalue().rstrip() + "\n"


def markdown() -> str:
    from .shapes import markdown as json_shape

    parts = ["# Command reference", "", "Generated from each command's `--help` and the shapes of its JSON "
             "(`python -m careerpath.cli.reference > docs/cli.md`).", "",
             "With `--format json` a command prints one JSON document on standard output and nothing else; "
             "messages, progress and warnings go to standard error in every format. The shapes below are "
             "JSON Schemas in careerpath/cli/shapes.py, checked by the tests against each command's output "
             "and the library call it comes from.", ""]
    parts += ["## careerpath", "", "```", help_text("").rstrip(), "```", ""]
    shown: dict[str, str] = {}  # a shape shown already -> the command it was shown under
    for name in command_names():
        parts += [f"## careerpath {name}", "", "```", help_text(name).rstrip(), "```", ""]
        shape = json_shape(name)
        if shape in shown:
            parts += [f"JSON (`--format json`): as `careerpath {shown[shape]}`.", ""]
        elif shape:
            shown[shape] = name
            parts += [shape, ""]
    return "\n".join(parts)


if __name__ == "__main__":
    import sys

    sys.stdout.write(markdown())

"""Every command is documented: a help text with an example, a README row, an up-to-date reference."""

from __future__ import annotations

import pytest

from careerpath.cli.reference import command_names, help_text, markdown
from conftest import ROOT

COMMANDS = command_names()


def test_there_are_commands():
    assert {"validate", "init", "new", "schema"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_with_an_example_and_a_readme_row(name):
    text = help_text(name)
    assert "Usage:" in text
    assert "Example" in text, f"`careerpath {name} --help` shows no example"
    # `plan` takes the case before its command: `careerpath plan CASE add-goal`
    shown = f"plan CASE {name[5:]}" if name.startswith("plan ") else name
    assert f"`careerpath {shown}" in (ROOT / "README.md").read_text(encoding="utf-8"), f"README does not mention `careerpath {shown}`"


def test_reference_has_not_drifted():
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == markdown(), \
        "regenerate: python -m careerpath.cli.reference > docs/cli.md"


@pytest.mark.parametrize("first", ["careerpath.cli.cmd_plan", "careerpath.cli.cmd_due", "careerpath.cli.duelist"])
def test_the_commands_keep_their_order_whichever_module_is_imported_first(first):
    """The commands register themselves when their module is imported; cli/tree.py puts them in its order, so a
    module imported before the tree (a test's, a tool's) does not move its commands up the help and the docs."""
    import subprocess
    import sys

    code = f"import {first}; from careerpath.cli.reference import markdown; import sys; sys.stdout.write(markdown())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_set_up_commands_verbatim():
    """.ci/run is the README's two set-up lines; if one changes, the other must."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Set up", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [l.strip() for l in block.splitlines() if l.strip() and not l.strip().startswith("#")]
    ci = [l.strip() for l in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert len(commands) == 2
    for command in commands:
        assert command in ci, f"README's `{command}` is not what .ci/run runs"
    assert "pytest" in commands[1]

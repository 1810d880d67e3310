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

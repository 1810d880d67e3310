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
    assert f"`careerpath {name}" in (ROOT / "README.md").read_text(encoding="utf-8"), f"README does not mention `careerpath {name}`"


def test_reference_has_not_drifted():
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == markdown(), \
        "regenerate: python -m careerpath.cli.reference > docs/cli.md"

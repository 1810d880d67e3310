"""The one error type of team work: a message template and its arguments, translated on display.

Templates are marked with ``N_()`` so the catalogue carries them (msgctxt
none); :attr:`TeamError.message` is the :class:`~careerpath.i18n.Message` of the
template and its arguments, which the CLI renders in the user's language like
every library message. Arguments are paths, remote names, counts and field
paths, never a person's values.
"""

from __future__ import annotations

from typing import Any

from ..i18n.messages import Message


class TeamError(Exception):
    """A problem the user can fix; ``code`` is the exit code the CLI uses."""

    def __init__(self, template: str, *, args: dict[str, Any] | None = None, hint: str = "", code: int = 1,
                 files: list[str] | None = None, report: Any = None):
        self.template, self.params, self.hint, self.code = template, dict(args or {}), hint, code
        self.files, self.report = list(files or []), report
        super().__init__(self.message)

    @property
    def message(self) -> Message:
        return Message.declared(self.template, None, **self.params)

    @property
    def hint_message(self) -> str:
        return Message.declared(self.hint, None) if self.hint else ""

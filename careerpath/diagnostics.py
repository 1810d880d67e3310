"""Diagnostics: every problem the tool finds is a value, never an exception.

A :class:`Diagnostic` names a file (relative to the caseload root), a 1-based
line and column, a severity, a stable kebab-case code from :data:`CODES`, a
message and an optional hint. Messages name fields by their path
(``person.birth_date``), never by their value, so personal data does not leak
into terminals, logs or bug reports.

The message and hint are :class:`~careerpath.i18n.Message` values: English
text (what :meth:`Diagnostic.format`, JSON, sorting and equality use) that
keeps its msgid and arguments, so the CLI shows it in the user's language.
A few messages are plain text: words careerpath did not write (the YAML
parser's, pydantic's), shown after the code's translated meaning.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from .textsafe import escaped

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    hint: str = ""

    def format(self, prefix: str = "") -> str:
        """Compiler-style text: ``path:line:column: severity code: message``."""
        # a file name is someone else's text: a line break in it must not start a line of its own
        path = escaped(f"{prefix}/{self.file}" if prefix and prefix != "." else self.file, one_line=True)
        text = f"{path}:{self.line}:{self.column}: {self.severity} {self.code}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_dict(self) -> dict:
        """The JSON form (``validate --format json``): message and hint as their English text."""
        out = asdict(self)
        out["message"], out["hint"] = str(self.message), str(self.hint)
        return out


def sort_key(d: Diagnostic) -> tuple:
    return (d.file, d.line, d.column, d.code, d.message)


def summarize(diagnostics: list[Diagnostic]) -> tuple[int, int]:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    return errors, len(diagnostics) - errors


# code -> (severity, what it means). The one table of codes; docs/diagnostics.md
# is generated from it and a test keeps the two in step.
CODES: dict[str, tuple[Severity, str]] = {
    # files and YAML
    "file-unreadable": ("error", "The file or folder could not be read (permissions, a directory where a file belongs)."),
    "file-too-large": ("error", "The file is larger than the 1 MiB a case file may be; it was not parsed."),
    "not-utf8": ("error", "The file is not UTF-8 text; the position is the first byte that is not."),
    "yaml-bom": ("warning", "The file starts with a byte-order mark; it was read, but some tools mishandle it."),
    "yaml-syntax": ("error", "The YAML cannot be parsed (indentation, a missing colon, an unclosed quote…)."),
    "yaml-tab": ("error", "A tab character is used for indentation; YAML allows only spaces."),
    "yaml-duplicate-key": ("error", "The same key appears twice in one mapping; the second would silently win."),
    "yaml-tag": ("error", "A tag such as !!python/object is not allowed; case files hold plain data only."),
    "yaml-directive": ("error", "A %YAML or %TAG directive changes how values are read (YAML 1.1 reads `no` as false); remove it."),
    "yaml-merge-key": ("error", "Merge keys (<<) are not supported; write the fields out."),
    "yaml-multiple-documents": ("error", "A case file holds one YAML document; a second `---` starts another."),
    "yaml-too-complex": ("error", "Nesting or alias expansion exceeds the limits (depth 64, 100,000 nodes)."),
    "empty-file": ("error", "The file holds no data (nothing, only comments, or a null document such as `~`)."),
    "merge-conflict": ("error", "A git merge left conflict markers (<<<<<<<, =======, >>>>>>>) in the file; keep one version and delete the markers."),
    # schema
    "wrong-type": ("error", "A value has the wrong type (text where a list belongs, a number where text belongs…)."),
    "missing-field": ("error", "A required field is missing."),
    "unknown-field": ("warning", "A field the format does not define; it is ignored. Usually a typo."),
    "unknown-key": ("error", "A top-level key the file kind does not define: what it holds is not read (a misspelled `enrollments` or `jobs` hides obligations). Its block is still checked as the key it most likely means."),
    "invalid-date": ("error", "A date is not a real calendar date written YYYY-MM-DD."),
    "invalid-value": ("error", "A value is outside the allowed set or pattern."),
    # layout and references
    "missing-caseload-file": ("error", "careerpath.yaml is missing at the caseload root."),
    "missing-case-file": ("error", "A folder under cases/ has no case.yaml."),
    "case-id-invalid": ("error", "A case folder name is not a valid case id (1-64 of a-z 0-9 - _, starting with a letter or digit)."),
    "case-id-mismatch": ("error", "The `id` in case.yaml differs from its folder name."),
    "file-name-unsafe": ("error", "A file name holds a control character or a text-direction override; the file is not read."),
    "control-character": ("error", "A text value holds a control character (escape, bell…) or a text-direction override: a terminal would act on it."),
    "file-name": ("warning", "An event or referral file name does not follow <YYYY-MM-DD>-<slug>.yaml or its date differs from the file's `date`."),
    "unexpected-file": ("warning", "A YAML file where the format expects none (e.g. .yml, or a stray file in a case folder); it is not read."),
    "symlink-outside": ("error", "A symbolic link points outside the caseload; it is not followed."),
    "duplicate-id": ("error", "Two staff members, goals, objectives or cases share an id."),
    "unknown-staff": ("error", "A staff id that careerpath.yaml does not list."),
    "evidence-missing": ("error", "The file that proves a key date (`evidence` in case.yaml) is not in the case's documents/."),
    "evidence-hash-mismatch": ("error", "The evidence file of a key date changed after it was attached: its SHA-256 is not the one recorded."),
    "evidence-outside-documents": ("error", "An evidence file resolves outside the case's documents/ folder (a symbolic link)."),
    "evidence-not-key-date": ("warning", "`evidence` names a field that is not a key date (programs mark them `key_date`; and `closure.date`)."),
    "unknown-program": ("error", "A program id that careerpath does not know."),
    "unknown-language": ("error", "A language tag that is not BCP 47 or that the IANA registry does not list (vx)."),
    "untranslated-text": ("warning", "A document for the person would print plan text (goals, steps, services, strengths) in another language than theirs: no `translations:` entry for their language (docs/format.md)."),
    "translation-count": ("warning", "A translated plan list (`translations.<lang>.strengths`…) has another number of items than the list it translates; it is not used."),
    "unknown-event-type": ("error", "An event type that is neither one a program counts nor a history-only type (docs/format.md); usually a typo."),
    "unknown-service": ("warning", "A plan service of a program with a service catalogue (its `services.yaml`) names no service of it by id or exact name; it is printed as written."),
    "closure-mismatch": ("error", "`status: closed` needs a `closure` with a date, and a closure needs `status: closed`."),
    "closure-reason": ("warning", "A closure reason that is not a known one (`careerpath close --help`), or `other` without a `note`."),
    "closure-condition": ("warning", "A program's condition for the closure reason did not hold on the closure date (DOR: employed only after 90 days in the job, 34 CFR 361.56) and no `override` says why."),
    "closure-before-record": ("warning", "The case closes before an event or referral dated after the closure."),
    "date-order": ("error", "Two dates are in an impossible order (an end before its start, a decision before the application…)."),
    "future-date": ("warning", "An event or referral is dated after today."),
    # program folders (careerpath/programs/<id>/, <caseload>/programs/<id>/)
    "program-invalid": ("error", "A program folder's program.yaml or rules.yaml is malformed; the program is left out."),
    "program-code-ignored": ("warning", "A caseload's program folder holds a checks.py; a caseload is data, so it is not run."),
    # domain rules from the programs
    "ccp-school-exit": ("error", "CCP basis exiting-secondary-education needs `school_exit` at most 2 years after `start` (WIC 4870.2, CCP service description)."),
    "dor-notice-incomplete": ("error", "An ineligibility decision needs a written notice with reasons, appeal rights and CAP information (34 CFR 361.43(b))."),
    "dor-eligibility-mismatch": ("error", "An eligibility `status` and `decided` disagree (a decided date without a decision, or a decision without a date)."),
    "se-extended-services": ("error", "Supported employment started without an identified extended-services source or a reasonable-expectation basis (9 CCR 7131.1(a)(3))."),
    "se-group-size": ("error", "Group supported employment serves 3 to 8 consumers per job coach (WIC 4851(r))."),
    "snils-check": ("error", "The SNILS check number does not match its first nine digits."),
    "job-wage": ("error", "A job marked competitive integrated (`integrated: true`) must pay a wage above 0."),
    "staff-qualification": ("warning", "A navigator or CES does not meet the CCP minimum qualifications and has no approved exception."),
}


def codes_markdown() -> str:
    """docs/diagnostics.md, generated from :data:`CODES` (a test keeps the file in step)."""
    lines = [
        "# Diagnostic codes",
        "",
        "Every problem `careerpath validate` reports carries one of these stable codes.",
        "Tools should match on the code, never on the wording of the message.",
        "Output form: `path:line:column: severity code: message`, then an indented `hint:` line.",
        "Messages name fields by their path (`person.birth_date`), never by their value.",
        "",
        "This file is generated from `careerpath/diagnostics.py` (`python -m careerpath.diagnostics > docs/diagnostics.md`).",
        "",
        "| code | severity | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| `{code}` | {sev} | {text} |" for code, (sev, text) in CODES.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(codes_markdown())

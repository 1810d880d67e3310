"""The regex reverse-translation of English library messages (to be replaced by messages as values)."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Optional

from .catalogues import Catalogue, catalogue, load
from .choice import current
from .formatting import display_date
from .languages import SOURCE_LANGUAGE


# ------------------------------------------------- diagnostics on display

#: English diagnostic messages and hints from the library, as templates whose
#: ``{name}`` parts are matched and carried into the translation. The library
#: keeps writing English (stable, greppable); only the display is translated.
DIAGNOSTIC_TEMPLATES: tuple[str, ...] = (
    # checks.py
    "`{path}` names a staff id careerpath.yaml does not list",
    "did you mean `{name}`?",
    "add the person to `staff` in careerpath.yaml",
    "`{path}` is not a known program",
    "programs: {list}",
    "this event type satisfies no obligation; it is kept as history only",
    "types that count: {list}",
    "a second staff member with the same id",
    "a second goal with the same id",
    "a second objective with the same id",
    "a closed case needs `closure: {date, reason}`",
    "`closure` is set but `status` is active",
    "set `status: closed`, or remove `closure` to reopen the case",
    "the case closes before it opened",
    "dated after today ({date})",
    "record events when they have happened; use follow_up or plan due dates for the future",
    "basis exiting-secondary-education needs `school_exit`",
    "`school_exit` is not within 2 years after the CCP `start`",
    "status {value} needs the date of the decision in `decided`",
    "`decided` is set but the status is still pending",
    "set `status` to eligible or ineligible",
    "the ineligibility notice lacks: {list}",
    "SE started without `extended_services_source` or `reasonable_expectation`",
    "group SE needs `group_size` from 3 to 8 consumers per job coach",
    "`identifiers.snils` fails the check-number test",
    "re-type the number from the insurance certificate; one digit is usually swapped",
    "a competitive integrated job (`integrated: true`) pays at least minimum wage",
    "record the hourly wage, or set `integrated: false` (WIOA 34 CFR 361.5(c)(9))",
    # loader.py
    "`{path}` is required",
    "`{path}` should be {what}",
    "`{path}` does not have the expected form",
    "the file should hold a mapping (key: value lines)",
    "`{path}` is not a field of this file; it is ignored",
    "a file stands where a folder belongs",
    "the folder name is not a valid case id",
    "the case folder has no case.yaml",
    "`id` differs from the folder name",
    # yamlfile.py
    "a second YAML document starts here",
    "a tab is used for indentation",
    "the file holds characters YAML does not allow",
    "the file is empty",
    "the file starts with a byte-order mark",
    "the file is not UTF-8 text",
    "a folder stands where a file belongs",
    # more of loader.py, checks.py and yamlfile.py (hints, dates, types); a {placeholder} value that
    # is itself one of these wordings ("text", "a list") is translated too
    'add `{key}:` under `{parent}`',
    'add `{key}:`',
    '`{path}` is not a real calendar date',
    'write dates as YYYY-MM-DD, e.g. 2026-03-02',
    'put the value in quotes so it is read as text (YAML reads 0042 as 42 and no/yes literally)',
    '`{path}` must be one of: {list}',
    'text',
    'a whole number',
    'a number',
    'true or false',
    'a list',
    'a mapping (key: value lines)',
    'ids are 1-64 characters of a-z 0-9 - _, starting with a letter or digit',
    'a language tag such as en, es, vi, hy, hmn, ru',
    'language tags such as en, es, vi, hy, hmn, ru',
    'digits only, in quotes',
    'a count and a unit: 30d, 2w, 6m, 1y',
    'lower-case words joined by hyphens, e.g. monthly-review',
    'see FORMAT.md for the form of this field',
    'make `id` equal the folder name, or rename the folder',
    'use 1-64 characters of a-z 0-9 - _, starting with a letter or digit',
    'run `careerpath new` to scaffold one',
    'a .yml file is not read',
    'rename it to .yaml',
    'the file name does not follow <YYYY-MM-DD>-<slug>.yaml',
    'e.g. 2026-11-03-monthly-review.yaml',
    'the date in the file name differs from `date`',
    'rename the file or correct the date',
    'this file is not part of the case format and is not read',
    'events go in events/, referrals in referrals/, attachments in documents/',
    'the CCP authorization ends before it starts',
    'the CCP enrollment ends before it starts',
    'the eligibility decision is dated before the application',
    'DOR decides within 60 days after the application (34 CFR 361.41(b)(1)); check both dates',
    'the IPE is signed before eligibility was decided',
    'the IPE follows the eligibility determination (34 CFR 361.45(e))',
    'released from the waiting list before being placed on it',
    'the transition to extended services is dated before SE started',
    'the measure ends before it starts',
    'the job ends before it starts',
    'CCP serves people at most 2 years from exiting secondary education (service code 956, WIC 4870.2)',
    'the written notice gives the reasons, appeal rights (review, fair hearing) and the Client Assistance Program, 1-800-776-5746 (34 CFR 361.43(b))',
    'the IPE must identify the extended-services source before DOR starts SE (9 CCR 7131.1(a)(3))',
    'more than {n} values once aliases are expanded',
    'remove the anchors (&) and aliases (*) or split the file',
    'nesting deeper than {n} levels',
    'the tag {tag} is not allowed',
    'case files hold plain data only; remove the tag',
    'merge keys (<<) are not supported',
    'write the fields out instead of merging',
    'a mapping key must be plain text',
    'duplicate key `{key}` (first at line {line})',
    'delete one of the two; YAML keeps only the last',
    'the %{name} directive is not allowed',
    'delete the line; careerpath reads YAML 1.2',
    'a case file holds one document; remove the `---` and what follows or move it to its own file',
    'replace tabs with spaces',
    'check indentation, colons and quotes on this line and the one above',
    'the control character U+{code} is not allowed in YAML',
    'remove control characters; save the file as plain UTF-8 text',
    'save it as UTF-8 without BOM',
    're-save the file with UTF-8 encoding',
    'the file is {size} bytes; the limit is {limit}',
    'case files are small; move attachments to documents/',
    'cannot read the file ({reason})',
    # scaffold.py and fsio.py, shown through CliError (most specific first)
    "the case {name} already exists; nothing was changed",
    "{path} already exists; nothing was changed",
    "{path} exists and is not a folder",
    "cannot scaffold the case; missing: {list}",
    "the new case would not validate; nothing was written",
    "cannot create the folder {path}: {reason}",
    "{path} already exists; not overwritten",
    "cannot write {path}: {reason}",
    # obligations/engine.py: the detail of an obligation ("1 of 2"), parts joined by "; "
    "done {n} days late",
    "{n} of {m}",
    # record.py and gitio.py, shown through CliError
    "there is no case {name} in this caseload (no cases/{path}/case.yaml)",
    "`{name}` is not a staff id in careerpath.yaml",
    "say who recorded this: --by STAFF",
    "say who made the referral: --by STAFF",
    "or set CAREERPATH_STAFF, or `git config careerpath.staff ID`",
    "TYPE must be lower-case words joined by hyphens, e.g. monthly-review",
    "--program must be one of: {list}",
    "case {name} has no referral {stem}",
    "the referral {stem} already has an outcome; change it by hand if it is wrong",
    "the case {name} is already closed",
    "the change would make the case invalid; nothing was written",
    "the change would make the case invalid",
    "git is not installed",
    # reports/output.py and period.py, shown through CliError
    "another careerpath run holds {name} (waited {seconds} s)",
    "{text}: month must be 01-12",
    "{text} is not a period: write 2026-Q3, 2026-11 or 2026",
)


def _patterns(lang: str, path: Optional[Path]):
    cat = load(path, lang, "cli")
    return _compiled(cat)


@functools.lru_cache(maxsize=16)
def _compiled(cat: "Catalogue"):
    out = []
    for tpl in DIAGNOSTIC_TEMPLATES:
        target = cat.messages.get(("diagnostic", tpl))
        if not target or "{" not in tpl.replace("{date, reason}", ""):
            continue
        rx = "".join(f"(?P<{p[1:-1]}>.+?)" if p.startswith("{") and p != "{date, reason}" else re.escape(p)
                     for p in re.split(r"(\{[a-z_]+\})", tpl))
        out.append((re.compile(rx + r"\Z", re.S), target))
    return out


def diagnostic_text(text: str) -> str:
    """Translate a library diagnostic message or hint for display; unknown wording stays English."""
    lang = current()
    if lang == SOURCE_LANGUAGE or not text:
        return text
    cat = catalogue(lang)
    exact = cat.messages.get(("diagnostic", text))
    if isinstance(exact, str) and exact:
        return exact
    for rx, target in _patterns(lang, cat.path):
        m = rx.match(text)
        if m:
            values = {k: _localize_value(v, cat) for k, v in m.groupdict().items()}
            try:
                return target.format(**values)
            except (KeyError, IndexError, ValueError):
                return text
    return text


def detail_text(text: str) -> str:
    """An obligation's detail ("2026-09, 1 of 2"; parts joined by "; " or ", ") for display."""
    if current() == SOURCE_LANGUAGE or not text:
        return text
    return "; ".join(", ".join(diagnostic_text(p) for p in part.split(", ")) for part in text.split("; "))


def _localize_value(value: str, cat: Catalogue) -> str:
    exact = cat.messages.get(("diagnostic", value))
    if isinstance(exact, str) and exact:
        return exact
    return display_date(value)



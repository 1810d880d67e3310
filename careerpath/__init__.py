"""careerpath: caseloads of employment services as plain YAML files under git.

The library is a pipeline of plain functions returning data; the CLI
(:mod:`careerpath.cli`) is a thin layer over it. Public names are imported
lazily so that ``careerpath --help`` does not pay for pydantic.

Modules:
    models       the file format (FORMAT.md) as pydantic models
    programs/    a program is a folder: names, enrollment fields, rules, document kinds (docs/programs.md)
    values       plain data with attribute access: a validated enrollment or settings block
    ids          case ids (FORMAT.md)
    yamlfile     one YAML file -> plain data + positions + diagnostics (hostile input refused)
    pipeline     load -> check -> compute, cached or not: what commands call (docs/architecture.md);
                 due(root, today, Query(...)) is what `careerpath due` lists
    loader       a caseload folder -> parsed files (SourceFile: model + positions) + diagnostics
    checks       reference and program-rule checks -> diagnostics
    diagnostics  the Diagnostic value and the table of codes
    schema       JSON Schema export for editors
    scaffold     ``init`` and ``new``
    fsio         atomic, private file writes (regular files only); locks
    textsafe     text from a caseload made inert: terminal escapes, control characters, CSV formulas
    period       reporting periods: 2026-Q3, 2026-11, 2026
    obligations/ deadlines: rules as data (rules/*.yaml), the generic engine, due's query, exports (docs/obligations.md)
    edit, record round-trip edits and recording commands; gitio, history: commits, history, audit (docs/recording.md)
    rulelinks    which rules a recorded change touches: the ``Rule:`` commit trailers
    evidence     the scan behind a key date: its SHA-256, and what ``validate`` reports when it is gone or changed
    signing      SSH-signed records: which key signs a recording, the allowed signers ``audit --verify`` checks against
    auditexport  ``audit export``: per case, the timeline of key dates and the findings, as json, csv or one HTML page
    closing      closing a case: the reasons, a program's conditions, what a closure ends and what stays open
    suggest      did-you-mean: the one ranking of a mistyped name against the known ones
    overview     one person at a glance: what ``careerpath show`` prints
    cases        the list of cases with what is next for each: what ``careerpath cases`` prints
    team/        a caseload worked by a team through a git server: merge, sync, server checks, purge (docs/team.md)
    reports/     batch reports for cron: dashboard, quarterly, registry, outcomes (docs/reports.md)
    cache/       the load cache, storage only: file format, stat index, per-case records, results (docs/performance.md)
    parallel     when and how to use both cores
    collector    the cyclic garbage collector paused while large acyclic data is read, built or printed
    memo         what every document of a batch shares (templates, catalogues), looked up once per batch
    start, replay  the console script: a stored output replayed before typer and pydantic are imported
    where        the nearest caseload upward (careerpath.yaml), importing nothing
    daywindow    for how many days an answer computed on today holds (the load cache keeps results across days)
    redact       stable placeholders for personal data (docs/security.md)
    redact_shapes  personal data by its shape: case- and diacritic-blind folding, dates in any layout, phones, addresses
    i18n, catalogs, translations, plainlang   the CLI in the user's language (docs/i18n.md)
    freetext     staff's own words in plans and their translations (`translations:`, `language:`; lang marks)
    glossary     per-language glossaries, the drift check, the translation memory
    review       the review workflow: a reviewer's PO file out (i18n export), the review back in (i18n import)
    doctor       environment checks
    documents/   plans, referral packets, reports: kinds, context, languages, Jinja (see docs/documents.md)
    cli/         the command line (typer), one module per command, one output layer (cli/output.py)
"""

__version__ = "0.1.0"

_PUBLIC = {
    "load": ("pipeline", "load"),
    "Caseload": ("loader", "Caseload"),
    "validate": ("pipeline", "validate"),
    "Diagnostic": ("diagnostics", "Diagnostic"),
    "due": ("pipeline", "due"),
    "Query": ("obligations.query", "Query"),
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name: str):
    if name in _PUBLIC:
        import importlib

        module, attr = _PUBLIC[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    raise AttributeError(name)

"""Batch reports for cron and the caseload dashboard (``careerpath report KIND``).

Modules:
    tables     a Table and its CSV (UTF-8 with BOM)
    pages      HTML pages from templates/report-*.html.j2 in the documents' sandboxed Jinja
               environment (a caseload overrides them; their words are in the documents catalogue)
    select     which cases a report covers (--case, --staff, --program)
    facts      what the caseload reports count of one case, as plain values the results cache keeps
    dashboard  the supervisor's page: figures as data (stages as each program declares them), then the page
    output     where reports go: atomic writes, the caseload lock (exit 75 when busy)
    outcomes   one row per job: placements and retention, for funders (CSV and a page)
    registry   the registries the programs declare (`registries:` in program.yaml), evaluated
    feedback   the feedback journal and the satisfaction share by quarter and year (`feedback` events)
    surveys    the center's surveys at caseload level (`surveys/`): totals, the yearly satisfaction trend, the duties
    batch      runs one report kind and returns what it wrote or failed to write

No module here names a program or an enrollment field: what differs between
programs (stages, when an enrollment starts and ends, staff fields, registries,
which programs have a quarterly report) is read from their program.yaml.

Periods (2026-Q3, 2026-11, 2026) are :mod:`careerpath.period`.

Every report is a pure function of (caseload, period, today): re-running with
the same inputs writes the same bytes (no timestamps unless ``--stamp``).
"""

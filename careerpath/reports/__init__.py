"""Batch reports for cron and the caseload dashboard (``careerpath report KIND``).

Modules:
    tables     a Table and its CSV (UTF-8 with BOM) and HTML forms
    select     which cases a report covers (--case, --staff, --program)
    dashboard  the supervisor's page: figures as data, then inline SVG
    output     where reports go: atomic writes, the caseload lock (exit 75 when busy)
    outcomes   one CSV row per job: placements and retention, for funders
    registry   the Russian employment center's registries (CSV with BOM + HTML)
    batch      runs one report kind and returns what it wrote or failed to write

Periods (2026-Q3, 2026-11, 2026) are :mod:`careerpath.period`.

Every report is a pure function of (caseload, period, today): re-running with
the same inputs writes the same bytes (no timestamps unless ``--stamp``).
"""

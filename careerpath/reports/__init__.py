"""Batch reports for cron and the caseload dashboard (``careerpath report KIND``).

Modules:

    output     where reports go: atomic writes, the caseload lock (exit 75 when busy)
    outcomes   one CSV row per job: placements and retention, for funders
    registry   the Russian employment center's registries (CSV with BOM + HTML)
    batch      runs one report kind and returns what it wrote or failed to write

Every report is a pure function of (caseload, period, today): re-running with
the same inputs writes the same bytes (no timestamps unless ``--stamp``).
"""

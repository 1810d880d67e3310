"""Evidence for key dates: the scan that proves a date, and whether it is still the file attached.

case.yaml may carry an ``evidence`` mapping from a key date's address to the
file that proves it (a receipt stamp, a certified-mail slip, a signed IPE)::

    evidence:
      enrollments.ca-dor-vr.applied:
        file: documents/2026-09-01-application-receipt.pdf
        sha256: 3f5c…

``careerpath attach`` copies the scan into the case's ``documents/`` and
writes the entry (:func:`careerpath.record.plan_attach`); :func:`check` is
what ``validate`` adds: a missing file, a file whose SHA-256 is no longer the
one recorded, evidence for a field that is not a key date. It reads the
documents every time (never through the load cache, whose keys are the YAML
files: an edited scan must not hide behind a cached result).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Iterator, Optional

from .diagnostics import Diagnostic, sort_key
from .fsio import ReadRefused
from .i18n.messages import Message


def sha256_of(path: Path, root: Optional[Path] = None) -> str:
    """The SHA-256 of a file, read in blocks (scans can be large) through the safe reader's checks
    (a regular file, inside ``root``; no size limit): :class:`~careerpath.fsio.ReadRefused` otherwise."""
    import os

    from .fsio import open_regular

    digest = hashlib.sha256()
    with os.fdopen(open_regular(path, root=root, limit=None), "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def inside_documents(case_folder: Path, rel: str) -> bool:
    """Whether ``rel`` (``documents/<name>``) stays inside the case's documents/ folder, links resolved."""
    documents = (case_folder / "documents").resolve()
    target = (case_folder / rel).resolve()
    return target.parent == documents


def _case_problems(root: Path, case_folder: Any, keys: frozenset[str]) -> Iterator[Diagnostic]:
    doc = case_folder.case
    model = case_folder.model
    if doc is None or model is None:
        return
    folder = root / case_folder.folder   # relative to the caseload: cases/<id>
    for field, ev in model.evidence.items():
        where = ("evidence", field)
        if field not in keys:
            yield doc.diagnostic(where, "warning", "evidence-not-key-date",
                                 Message("`evidence` names `{field}`, which is not a key date", field=field),
                                 Message("key dates are the fields programs mark `key_date`, and `closure.date`"), key=True)
        path = folder / ev.file
        if not inside_documents(folder, ev.file):
            yield doc.diagnostic(where + ("file",), "error", "evidence-outside-documents",
                                 Message("the evidence of `{field}` is not a file in the case's `documents/` folder",
                                         field=field))
            continue
        try:
            digest = sha256_of(path, folder / "documents") if path.is_file() else None
        except ReadRefused:
            digest = None
        if digest is None:
            yield doc.diagnostic(where + ("file",), "error", "evidence-missing",
                                 Message("the evidence file of `{field}` is missing", field=field),
                                 Message("put the scan back in `documents/`, or attach it again with `careerpath attach`"))
            continue
        if digest != ev.sha256:
            yield doc.diagnostic(where + ("sha256",), "error", "evidence-hash-mismatch",
                                 Message("the evidence file of `{field}` changed after it was attached (SHA-256 differs)",
                                         field=field),
                                 Message("`careerpath history` shows who changed it; attach the right scan again "
                                         "with `careerpath attach`"))


def check(caseload: Any) -> list[Diagnostic]:
    """The evidence problems of every case of a loaded caseload, sorted."""
    from .history import key_dates

    keys = key_dates(caseload.programs)
    out: list[Diagnostic] = []
    for case_id in sorted(caseload.cases):
        out.extend(_case_problems(Path(caseload.root), caseload.cases[case_id], keys))
    return sorted(out, key=sort_key)


def check_case(root: Path, case_folder: Any, programs: Any) -> list[Diagnostic]:
    """The evidence problems of one loaded case folder (what :func:`check` finds of it), unsorted; for
    callers that load a caseload case by case (the cached ``validate``: :func:`careerpath.pipeline.evidence`)."""
    from .history import key_dates

    return list(_case_problems(Path(root), case_folder, key_dates(programs)))

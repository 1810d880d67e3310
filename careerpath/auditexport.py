"""The audit export for an auditor's visit: per case, the timeline of its key dates and the findings.

:func:`export` reads the history once (:func:`careerpath.history.audit`
with a timeline): for each case, every time a key date was set or changed and
every time its evidence was attached, with the commit, the person (author,
committer, ``Staff:``), the reason and the evidence's SHA-256 then; and the
audit findings about the case. :func:`as_csv` and :func:`as_html` format it.

Deterministic: everything comes from commits (no clock, no host name, no
generation time), cases in id order, each case's items in history order, so
the same history and options give the same bytes (a test reruns it). The HTML
page is one self-contained file (its style inline, nothing fetched), built here
rather than from a caseload's template: the repository being audited must not
be able to reshape the page that reports on it.
"""

from __future__ import annotations

import html
import json
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

#: the CSV's columns: a timeline row (kind ``date`` or ``evidence``) or a finding (kind ``finding``, with ``code``)
COLUMNS = ("case", "kind", "field", "code", "old", "new", "date", "commit", "author", "email", "committer",
           "committer_email", "staff", "reason", "evidence_file", "evidence_sha256", "files", "detail")
#: the fields of a finding that say more about it; CSV and HTML show those it has as ``detail``
_DETAIL = ("first", "closed", "late_days", "cleared", "marked", "corrects", "clock", "signature")


def export(root: Path, *, since: Optional[date] = None, until: Optional[date] = None,
           cases: Optional[Iterable[str]] = None, allowed_signers: Optional[Path] = None) -> dict[str, Any]:
    """The export's data: ``{since, until, verified, cases: [{case, timeline, findings}]}``.

    ``since``/``until`` keep the items and findings of commits dated (author
    date) within them; the whole history is still read to know what each date
    was. ``cases`` keeps those cases. ``allowed_signers`` checks signatures as
    ``audit --verify`` does (``verified`` says whether they were checked).
    """
    from .history import audit

    timeline: list[dict] = []
    findings = audit(root, since, allowed_signers=allowed_signers, until=until, timeline=timeline)
    wanted = set(cases) if cases else None
    ids = sorted({t["case"] for t in timeline} | {f.case for f in findings})
    out = []
    for cid in ids:
        if wanted is not None and cid not in wanted:
            continue
        out.append({"case": cid,
                    "timeline": [{k: v for k, v in t.items() if k != "case"} for t in timeline if t["case"] == cid],
                    "findings": [f.to_dict() for f in findings if f.case == cid]})
    return {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None,
            "verified": allowed_signers is not None, "cases": out}


def _detail(finding: dict) -> str:
    """What more a finding says, as compact JSON (keys sorted: the same finding is always the same text)."""
    more = {k: finding[k] for k in _DETAIL if finding.get(k) not in (None, [], {})}
    return json.dumps(more, ensure_ascii=False, sort_keys=True, separators=(",", ":")) if more else ""


def rows(data: dict) -> list[dict[str, Any]]:
    """One row per timeline item and per finding, case by case (the CSV's rows)."""
    out: list[dict[str, Any]] = []
    for case in data["cases"]:
        for t in case["timeline"]:
            ev = t.get("evidence") or {}
            out.append({**{k: t.get(k) for k in COLUMNS if k in t}, "case": case["case"], "code": None,
                        "evidence_file": ev.get("file"), "evidence_sha256": ev.get("sha256"), "files": None,
                        "detail": None})
        for f in case["findings"]:
            out.append({"case": case["case"], "kind": "finding", "field": f.get("field"), "code": f["code"],
                        "old": f.get("old"), "new": f.get("new"), "date": f["date"], "commit": f["commit"],
                        "author": f["author"], "email": f["email"], "committer": f["committer"],
                        "committer_email": f["committer_email"], "staff": f.get("staff"), "reason": f.get("reason"),
                        "evidence_file": None, "evidence_sha256": None, "files": " ".join(f.get("files") or []),
                        "detail": _detail(f)})
    return out


def redacted(data: Any, text: Callable[[str], str]) -> Any:
    """``data`` with every text value passed through ``text`` (a redactor's), in a fixed order (placeholders
    are numbered as they are met, so the same data gives the same placeholders)."""
    if isinstance(data, dict):
        return {k: redacted(v, text) for k, v in data.items()}
    if isinstance(data, list):
        return [redacted(v, text) for v in data]
    return text(data) if isinstance(data, str) else data


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1a202c}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #cbd5e0}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.5rem 0 1rem}
th,td{border:1px solid #cbd5e0;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#edf2f7}code{font-size:.8rem;word-break:break-all}
.finding{background:#fffaf0}.none{color:#4a5568;font-style:italic}
"""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return html.escape(str(value))


def as_html(data: dict, words: dict[str, str], lang: str = "en") -> str:
    """The export as one self-contained HTML page; ``words`` are its headings and column names in the
    reader's language (keys: title, range, verified, not_verified, timeline, findings, none, and the
    column names case, field, old, new, date, commit, author, committer, staff, reason, evidence, code, files,
    detail)."""
    w = {k: html.escape(v) for k, v in words.items()}
    head = ["<!DOCTYPE html>", f'<html lang="{html.escape(lang)}">', "<head>", '<meta charset="utf-8">',
            f"<title>{w['title']}</title>", f"<style>{_STYLE}</style>", "</head>", "<body>", f"<h1>{w['title']}</h1>"]
    span = f"{data['since'] or '…'} – {data['until'] or '…'}"
    head.append(f"<p>{w['range']}: {html.escape(span)}. {w['verified'] if data['verified'] else w['not_verified']}</p>")
    body: list[str] = []
    if not data["cases"]:
        body.append(f'<p class="none">{w["none"]}</p>')
    for case in data["cases"]:
        cid = _cell(case["case"])
        body.append(f'<section id="case-{cid}">')
        body.append(f"<h2>{cid}</h2>")
        body.append(f"<h3>{w['timeline']}</h3>")
        if case["timeline"]:
            cols = ("field", "old", "new", "date", "commit", "author", "committer", "staff", "reason", "evidence")
            body.append("<table><thead><tr>" + "".join(f"<th>{w[c]}</th>" for c in cols) + "</tr></thead><tbody>")
            for t in case["timeline"]:
                ev = t.get("evidence") or {}
                proof = (f"{_cell(ev.get('file'))}<br><code>{_cell(ev.get('sha256'))}</code>" if ev else "")
                label = _cell(t["field"]) + (f" ({w['evidence']})" if t.get("kind") == "evidence" else "")
                body.append("<tr>" + "".join(f"<td>{v}</td>" for v in (
                    label, _cell(t["old"]), _cell(t["new"]), _cell(t["date"]), f"<code>{_cell(t['commit'][:12])}</code>",
                    f"{_cell(t['author'])} &lt;{_cell(t['email'])}&gt;",
                    f"{_cell(t['committer'])} &lt;{_cell(t['committer_email'])}&gt;", _cell(t.get("staff")),
                    _cell(t.get("reason")), proof)) + "</tr>")
            body.append("</tbody></table>")
        else:
            body.append(f'<p class="none">{w["none"]}</p>')
        body.append(f"<h3>{w['findings']}</h3>")
        if case["findings"]:
            cols = ("code", "field", "old", "new", "date", "commit", "author", "reason", "files", "detail")
            body.append("<table><thead><tr>" + "".join(f"<th>{w[c]}</th>" for c in cols) + "</tr></thead><tbody>")
            for f in case["findings"]:
                body.append('<tr class="finding">' + "".join(f"<td>{v}</td>" for v in (
                    _cell(f["code"]), _cell(f.get("field")), _cell(f.get("old")), _cell(f.get("new")), _cell(f["date"]),
                    f"<code>{_cell(f['commit'][:12])}</code>", f"{_cell(f['author'])} &lt;{_cell(f['email'])}&gt;",
                    _cell(f.get("reason")), _cell(" ".join(f.get("files") or [])), f"<code>{_cell(_detail(f))}</code>")) + "</tr>")
            body.append("</tbody></table>")
        else:
            body.append(f'<p class="none">{w["none"]}</p>')
        body.append("</section>")
    return "\n".join(head + body + ["</body>", "</html>"]) + "\n"

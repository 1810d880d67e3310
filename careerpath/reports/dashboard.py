"""``report dashboard``: one self-contained HTML page a supervisor opens to see the caseload.

The figures are computed first, as plain data (:func:`figures`), then drawn
(:func:`render`): tests check the numbers against a hand count, and the page
only draws what the numbers say. Charts are small hand-built SVG bar charts —
no scripts, no fonts or styles fetched from anywhere.
"""

from __future__ import annotations

import html
import statistics
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Sequence

from ..loader import CaseFolder
from ..models import Case
from .outcomes import enrollment_start
from ..period import Period

STATUSES = ("overdue", "partial", "due-soon", "upcoming")


def stage(case: Case, program: str, today: date) -> str:
    """Where a person stands in one program (display only; derived from the case file)."""
    e = case.enrollments
    working = any(j.start <= today and (j.end is None or j.end >= today) and (j.program in (None, program)) for j in case.jobs)
    if case.status == "closed":
        return "closed"
    if program == "ca-dor-vr":
        vr = e.ca_dor_vr
        el = vr.eligibility
        if el.status == "ineligible":
            return "ineligible"
        if el.status == "closed-before-decision":
            return "closed"
        if el.status == "pending":
            return "applied"
        if el.waiting_list and not el.waiting_list.released:
            return "waiting list"
        if vr.ipe is None or vr.ipe.signed is None:
            return "eligible, no IPE"
        return "employed" if working else "IPE in progress"
    if program == "ca-dor-se":
        se = e.ca_dor_se
        return "extended services" if se.transitioned and se.transitioned <= today else (
            "ongoing support" if working else "job search")
    if program == "ca-dds-ccp":
        return "employed" if working else "career planning"
    if program == "ru-czn-disability":
        czn = e.ru_czn_disability
        if working:
            return "employed"
        return "IPRA measures" if czn.ipra and czn.ipra.received else "registered"
    return "enrolled"


@dataclass
class Figures:
    agency: str
    today: date
    period: Period
    cases_total: int = 0
    cases_active: int = 0
    obligations_by_status: dict[str, int] = field(default_factory=dict)
    obligations_by_staff: dict[str, dict[str, int]] = field(default_factory=dict)
    past_due_by_staff: dict[str, int] = field(default_factory=dict)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    cases_by_program: dict[str, int] = field(default_factory=dict)
    stages: dict[str, dict[str, int]] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    placements: int = 0
    cie_placements: int = 0
    hours_per_week_median: float | None = None
    wage_median: dict[str, float] = field(default_factory=dict)   # by currency
    days_to_job_median: float | None = None
    # cases whose case.yaml did not load, (id, file:line): counted nowhere else, so shown first
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    @property
    def cie_rate(self) -> float | None:
        return self.cie_placements / self.placements if self.placements else None


def figures(cases: Sequence[CaseFolder], obligations: Iterable[Any], period: Period, today: date, agency: str) -> Figures:
    """Count everything the dashboard shows. ``obligations`` are the open ones (not done)."""
    f = Figures(agency, today, period)
    f.cases_total = len(cases)
    f.cases_active = sum(1 for cf in cases if cf.model.status == "active")
    by_status: Counter[str] = Counter()
    by_staff: dict[str, Counter[str]] = {}
    past_due_staff: Counter[str] = Counter()
    for ob in obligations:
        if ob.status in ("done", "invalid"):  # an unreadable case is Figures.unreadable, not a count
            continue
        by_status[ob.status] += 1
        for sid in ob.staff or ("(unassigned)",):
            by_staff.setdefault(sid, Counter())[ob.status] += 1
        if ob.past_due:  # overdue, and partial months whose date has passed
            for sid in ob.staff or ("(unassigned)",):
                past_due_staff[sid] += 1
            f.overdue.append({"case": ob.case, "rule": ob.rule, "title": ob.title, "due": ob.due, "status": ob.status,
                              "days": (today - ob.due).days, "staff": ", ".join(ob.staff)})
    f.obligations_by_status = {s: by_status[s] for s in STATUSES}
    f.obligations_by_staff = {sid: {s: c[s] for s in STATUSES} for sid, c in sorted(by_staff.items())}
    f.past_due_by_staff = dict(sorted(past_due_staff.items()))
    f.overdue.sort(key=lambda o: (o["due"], o["case"], o["rule"]))
    programs: Counter[str] = Counter()
    stages: dict[str, Counter[str]] = {}
    languages: Counter[str] = Counter()
    hours, days_to_job = [], []
    wages: dict[str, list[float]] = {}
    for cf in cases:
        case = cf.model
        languages[case.person.language] += 1
        for pid, _ in case.enrollments.items():
            programs[pid] += 1
            stages.setdefault(pid, Counter())[stage(case, pid, today)] += 1
        for job in case.jobs:
            if job.start not in period or job.start > today:
                continue
            f.placements += 1
            if job.integrated:
                f.cie_placements += 1
            if job.hours_per_week is not None:
                hours.append(job.hours_per_week)
            if job.wage is not None and job.wage > 0:
                wages.setdefault(job.currency or "?", []).append(job.wage)
            began = enrollment_start(case, job.program)
            if began is not None and began <= job.start:
                days_to_job.append((job.start - began).days)
    f.cases_by_program = dict(sorted(programs.items()))
    f.stages = {pid: dict(sorted(c.items())) for pid, c in sorted(stages.items())}
    f.languages = dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0])))
    f.hours_per_week_median = statistics.median(hours) if hours else None
    f.wage_median = {cur: statistics.median(v) for cur, v in sorted(wages.items())}
    f.days_to_job_median = statistics.median(days_to_job) if days_to_job else None
    return f


# ---------------------------------------------------------------- drawing

_COLORS = {"overdue": "#b00020", "partial": "#b35900", "due-soon": "#8a6d00", "upcoming": "#2b6cb0"}


def bar_chart(title: str, data: dict[str, int | float], *, color: str = "#2b6cb0", colors: dict[str, str] | None = None) -> str:
    """A horizontal bar chart as inline SVG, with a text equivalent for screen readers."""
    e = html.escape
    items = list(data.items())
    if not items:
        return f'<figure><figcaption>{e(title)}</figcaption><p class="empty">none</p></figure>'
    top = max((v for _, v in items), default=0) or 1
    row, label_w, bar_w = 26, 170, 300
    ident = f"t-{zlib.crc32(title.encode()):08x}"  # str hash() differs per process: not deterministic
    height = row * len(items) + 10
    parts = [f"<figure><figcaption>{e(title)}</figcaption>", f'<svg role="img" aria-labelledby="{ident}" width="{label_w + bar_w + 60}" '
             f'height="{height}" viewBox="0 0 {label_w + bar_w + 60} {height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{ident}">{e(title)}: '
             + e(", ".join(f"{k} {v:g}" for k, v in items)) + "</title>"]
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        w = round(bar_w * value / top) if value else 0
        fill = (colors or {}).get(label, color)
        parts.append(f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13">{e(str(label))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="18" fill="{fill}"/>')
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 16}" font-size="13">{value:g}</text>')
    parts.append("</svg></figure>")
    return "".join(parts)


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:1.5rem;line-height:1.45;color:#111;max-width:72rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
.alert{border:2px solid #c53030;border-radius:6px;padding:.4rem 1rem;margin:1rem 0;background:#fff5f5}
.cards{display:flex;flex-wrap:wrap;gap:1rem}.card{border:1px solid #bbb;border-radius:6px;padding:.6rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.6rem}table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left}th{background:#eee}tr{break-inside:avoid}
.grid{display:flex;flex-wrap:wrap;gap:2rem}figure{margin:0}figcaption{font-weight:600;margin-bottom:.3rem}svg text{font-family:inherit;fill:#111}
@page{size:A4 landscape;margin:1.2cm}@media print{body{margin:0}}
"""


def _fmt(value: float | None, suffix: str = "") -> str:
    if value is None:
        return "–"
    return (f"{value:.2f}".rstrip("0").rstrip(".")) + suffix


def _unreadable_box(f: Figures) -> str:
    """The box the page opens with when cases could not be read: how many, and their files."""
    if not f.unreadable:
        return ""
    e = html.escape
    n = len(f.unreadable)
    items = "".join(f"<li><code>{e(where)}</code></li>" for _cid, where in f.unreadable)
    return (f'<section aria-label="unreadable cases" class="alert" role="alert">'
            f"<h2>{n} case{'s' if n != 1 else ''} could not be read</h2>\n"
            f"<p>They are missing from every figure below and may hide overdue deadlines. "
            f"Run <code>careerpath validate</code> and fix:</p>\n<ul>{items}</ul></section>\n")


def render(f: Figures, *, stamp: str = "") -> str:
    e = html.escape
    cards = [("active cases", f.cases_active), ("past due", len(f.overdue)),
             ("due soon", f.obligations_by_status.get("due-soon", 0)), ("placements", f.placements),
             ("CIE rate", "–" if f.cie_rate is None else f"{f.cie_rate:.0%}"),
             ("median hours/week", _fmt(f.hours_per_week_median)),
             ("median days to job", _fmt(f.days_to_job_median))]
    cards += [(f"median wage ({cur})", _fmt(w)) for cur, w in f.wage_median.items()]
    out = [f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           f"<title>{e(f.agency)} — caseload dashboard {e(f.today.isoformat())}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
           f"<h1>{e(f.agency)}: caseload on {e(f.today.isoformat())}</h1>\n",
           f"<p>Employment outcomes cover jobs started in {e(f.period.label)}. {e(stamp)}</p>\n",
           _unreadable_box(f),
           '<section aria-label="summary" class="cards">'
           + "".join(f'<div class="card"><b>{e(str(v))}</b>{e(k)}</div>' for k, v in cards) + "</section>\n",
           '<h2>Open obligations</h2>\n<div class="grid">',
           bar_chart("Open obligations by status", f.obligations_by_status, colors=_COLORS),
           bar_chart("Past due by staff", f.past_due_by_staff, color=_COLORS["overdue"]), "</div>\n"]
    out.append("<table>\n<thead><tr><th scope=\"col\">staff</th>" + "".join(f"<th scope=\"col\">{s}</th>" for s in STATUSES)
               + "</tr></thead>\n<tbody>\n" + "\n".join(
                   f"<tr><td>{e(sid)}</td>" + "".join(f"<td>{c[s]}</td>" for s in STATUSES) + "</tr>"
                   for sid, c in f.obligations_by_staff.items()) + "\n</tbody>\n</table>\n")
    out.append(f"<h2>Past due ({len(f.overdue)})</h2>\n")
    if f.overdue:
        out.append("<table>\n<thead><tr><th scope=\"col\">case</th><th scope=\"col\">obligation</th><th scope=\"col\">status</th><th scope=\"col\">due</th>"
                   "<th scope=\"col\">days late</th><th scope=\"col\">staff</th></tr></thead>\n<tbody>\n" + "\n".join(
                       f"<tr><td>{e(o['case'])}</td><td>{e(o['title'])} <small>({e(o['rule'])})</small></td><td>{e(o['status'])}</td>"
                       f"<td>{o['due'].isoformat()}</td><td>{o['days']}</td><td>{e(o['staff'])}</td></tr>"
                       for o in f.overdue) + "\n</tbody>\n</table>\n")
    elif f.unreadable:  # not an all-clear: the unreadable cases may hide overdue deadlines
        out.append("<p>Nothing is overdue in the cases that could be read.</p>\n")
    else:
        out.append("<p>Nothing is overdue.</p>\n")
    out.append('<h2>Cases by program and stage</h2>\n<div class="grid">')
    out.append(bar_chart("Cases by program", f.cases_by_program))
    for pid, stages in f.stages.items():
        out.append(bar_chart(f"{pid} by stage", stages, color="#4a5568"))
    out.append("</div>\n<h2>Languages</h2>\n")
    out.append(bar_chart("People by language", f.languages, color="#2f855a"))
    out.append("\n</main>\n</body>\n</html>\n")
    return "".join(out)

"""``report surveys``: the caseload's client surveys, their totals, the satisfaction trend and the survey duties.

A survey is a file ``surveys/<date>-<slug>.yaml`` at the caseload's top
(docs/format.md): its name, the period it covered, who was asked (citizens,
people with disabilities, employers, staff), the channel, how many answered
and, for a satisfaction survey, how many were satisfied (a count or a share).

The duties come from seed 004 (the employment center's quality sector):
«Ежеквартально специалистами сектора проводится не менее двух опросов … 1 раз
в год проводится оценка удовлетворенности инвалидов услугами службы занятости».
They are caseload-level obligations (no case has them), computed here as
values: each calendar quarter at least ``settings.surveys_per_quarter``
(default 2) client surveys (a staff survey is not one), due at the quarter's
end; each calendar year a survey of people with disabilities that measures
satisfaction, due on 31 December. They begin with the quarter (the year) of
the caseload's first survey, so a caseload that keeps no surveys has none;
``surveys_per_quarter: 0`` turns both off.

The satisfaction share of a year is respondent-weighted: the satisfied
respondents of every survey dated in that year that measured satisfaction,
over their respondents, in percent with one decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable, Optional

from ..period import Period, parse_period, quarter_label, quarter_start  # noqa: F401 (parse_period: tests)
from .tables import Table

#: client surveys: every audience but the center's own staff
CLIENT_AUDIENCES = ("citizens", "people-with-disabilities", "employers")
DISABILITY_AUDIENCE = "people-with-disabilities"
SOURCE = ("Ежеквартально … не менее двух опросов …, 1 раз в год … оценка удовлетворенности инвалидов "
          "услугами службы занятости (ЦЗН, «Формы обратной связи»)")  # seed 004: the source, never shown
#: the two caseload-level rules: id -> (English title, citation, confirmed)
RULES = {
    "surveys.per-quarter": ("Client surveys this quarter", SOURCE, True),
    "surveys.yearly-satisfaction": ("Yearly satisfaction survey of people with disabilities", SOURCE, True),
}
LIST_COLUMNS = ("date", "name", "period", "audience", "channel", "respondents", "satisfied", "share_pct",
                "questionnaire", "file")
TOTAL_COLUMNS = ("period", "surveys", "client_surveys", "respondents", "measured", "satisfied", "share_pct")
TREND_COLUMNS = ("year", "satisfaction_surveys", "respondents", "satisfied", "share_pct", "change_pts")
DUTY_COLUMNS = ("rule", "item", "due", "status", "count", "required", "detail", "citation", "confirmed")


@dataclass(frozen=True)
class SurveyDuty:
    """One caseload-level survey obligation (a quarter's surveys, a year's disability satisfaction survey)."""

    rule: str
    item: str          # 2026-Q1, or 2026
    due: date
    status: str        # done | overdue | partial | due-soon | upcoming
    count: int
    required: int
    done_on: Optional[date] = None

    @property
    def title(self) -> str:
        return RULES[self.rule][0]

    @property
    def citation(self) -> str:
        return RULES[self.rule][1]

    @property
    def confirmed(self) -> bool:
        return RULES[self.rule][2]

    @property
    def detail(self) -> str:
        return f"{self.count} of {self.required}"


def surveys(caseload: Any, period: Optional[Period] = None, today: Optional[date] = None) -> list[tuple[str, Any]]:
    """(file, Survey) of every survey that loaded, dated in ``period`` (all when None) and not after
    ``today``, by date then file."""
    out = [(doc.file, doc.model) for doc in getattr(caseload, "surveys", ())
           if doc.model is not None and (period is None or doc.model.date in period)
           and (today is None or doc.model.date <= today)]
    return sorted(out, key=lambda x: (x[1].date, x[0]))


def share(satisfied: float, respondents: int) -> Optional[float]:
    return round(100 * satisfied / respondents, 1) if respondents else None


def _status(count: int, required: int, due: date, today: date, warn_days: int, done_on: Optional[date]) -> str:
    if count >= required:
        return "done"
    if due < today:
        return "overdue"
    if count:
        return "partial"
    return "due-soon" if due <= today + timedelta(days=warn_days) else "upcoming"


def _next_quarter(day: date) -> date:
    return date(day.year + (day.month == 10), (day.month + 2) % 12 + 1, 1)


def duties(caseload: Any, today: date) -> list[SurveyDuty]:
    """The caseload's survey obligations on ``today``: every quarter (year) from the one of its first
    survey up to the one ``today`` falls in, by due date then rule."""
    settings = caseload.settings
    required = int(getattr(settings, "surveys_per_quarter", 2) or 0)
    warn_days = int(getattr(settings, "warn_days", 30))
    found = surveys(caseload, today=today)
    if required <= 0 or not found:
        return []
    out: list[SurveyDuty] = []
    day = quarter_start(found[0][1].date)
    while day <= today:
        q = parse_period(quarter_label(day))
        client = [s for _f, s in found if s.date in q and s.audience in CLIENT_AUDIENCES]
        done_on = client[required - 1].date if len(client) >= required else None
        out.append(SurveyDuty("surveys.per-quarter", q.label, q.end,
                              _status(len(client), required, q.end, today, warn_days, done_on),
                              len(client), required, done_on))
        day = _next_quarter(day)
    for year in range(found[0][1].date.year, today.year + 1):
        y = parse_period(str(year))
        measured = [s for _f, s in found if s.date in y and s.audience == DISABILITY_AUDIENCE
                    and s.satisfied_count() is not None]
        out.append(SurveyDuty("surveys.yearly-satisfaction", y.label, y.end,
                              _status(len(measured), 1, y.end, today, warn_days, measured[0].date if measured else None),
                              len(measured), 1, measured[0].date if measured else None))
    return sorted(out, key=lambda d: (d.due, d.rule))


def listing(caseload: Any, period: Period, today: date) -> Table:
    rows = []
    for file, s in surveys(caseload, period, today):
        happy = s.satisfied_count()
        rows.append((s.date.isoformat(), s.name, s.period or "", s.audience, s.channel or "", s.respondents,
                     None if happy is None else round(happy, 1), None if happy is None else share(happy, s.respondents),
                     s.questionnaire or "", file))
    return Table(f"Surveys {period.label}", LIST_COLUMNS, LIST_COLUMNS, rows)


def _total(found: list[tuple[str, Any]], label: str) -> tuple:
    measured = [s for _f, s in found if s.satisfied_count() is not None]
    asked = sum(s.respondents for s in measured)
    happy = sum(s.satisfied_count() for s in measured)
    return (label, len(found), sum(1 for _f, s in found if s.audience in CLIENT_AUDIENCES),
            sum(s.respondents for _f, s in found), len(measured), round(happy, 1), share(happy, asked))


def totals(caseload: Any, period: Period, today: date) -> Table:
    """A row per calendar quarter inside ``period``, then one for the whole period."""
    from .feedback import quarters

    found = surveys(caseload, period, today)
    rows = [_total([x for x in found if x[1].date in q], q.label) for q in quarters(period)]
    if len(rows) != 1 or rows[0][0] != period.label:
        rows.append(_total(found, period.label))
    return Table(f"Survey totals {period.label}", TOTAL_COLUMNS, TOTAL_COLUMNS, rows)


def trend(caseload: Any, period: Period, today: date) -> Table:
    """The satisfaction share of each year from the caseload's first survey to the period's last year,
    and its change from the year before in percentage points (the seed's 78.3% → 82.6%)."""
    found = surveys(caseload, today=today)
    rows: list[tuple] = []
    if not found:
        return Table(f"Satisfaction trend {period.label}", TREND_COLUMNS, TREND_COLUMNS, rows)
    previous: Optional[float] = None
    for year in range(found[0][1].date.year, period.end.year + 1):
        measured = [s for _f, s in found if s.date.year == year and s.satisfied_count() is not None]
        asked = sum(s.respondents for s in measured)
        happy = sum(s.satisfied_count() for s in measured)
        pct = share(happy, asked)
        change = round(pct - previous, 1) if pct is not None and previous is not None else None
        rows.append((str(year), len(measured), asked, round(happy, 1), pct, change))
        previous = pct if pct is not None else previous
    return Table(f"Satisfaction trend {period.label}", TREND_COLUMNS, TREND_COLUMNS, rows)


def duty_table(caseload: Any, period: Period, today: date) -> Table:
    rows = [(d.rule, d.item, d.due.isoformat(), d.status, d.count, d.required, d.detail, d.citation, d.confirmed)
            for d in duties(caseload, today) if d.due in period]
    return Table(f"Survey obligations {period.label}", DUTY_COLUMNS, DUTY_COLUMNS, rows)


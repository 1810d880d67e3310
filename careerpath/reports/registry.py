"""``report registry``: the employment center's registries and journals (seed 004), in Russian.

- ``recipients``: реестр получателей комплекса услуг — every citizen enrolled in
  ``ru-czn-disability`` whose registration overlaps the period;
- ``psych-referrals``: журнал направлений на психологическую поддержку —
  psychological-support referrals dated in the period, with consent and conclusion;
- ``ipra-lists``: журнал перечней мероприятий ИПРА — each IPRA whose extract was
  received in the period, with its measures, deadline and executors.

These are the center's internal registries, so they carry the citizen's name
(as the paper journals do); ``--redact`` replaces it for sharing.
"""

from __future__ import annotations

from typing import Iterable

from ..loader import CaseFolder
from ..period import Period
from .tables import Table

KINDS = ("recipients", "psych-referrals", "ipra-lists")


def _d(value) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def recipients(cases: Iterable[CaseFolder], period: Period) -> Table:
    rows = []
    for case_folder in cases:
        case = case_folder.model
        czn = case.enrollments.ru_czn_disability
        if czn is None or not period.overlaps(czn.registered, czn.end or (case.closure.date if case.closure else None)):
            continue
        dis = czn.disability
        rows.append([case.id, case.person.name, dis.group if dis else "", _d(czn.registered), czn.curator or "",
                     czn.ipra.number if czn.ipra and czn.ipra.number else "",
                     "закрыто" if case.status == "closed" else "открыто"])
    rows.sort(key=lambda r: (r[3][6:] + r[3][3:5] + r[3][:2], r[0]))
    rows = [[i, *r] for i, r in enumerate(rows, 1)]
    return Table(f"Реестр получателей комплекса услуг «Инвалидность», {period.label}",
                 ("n", "case", "name", "disability_group", "registered", "curator", "ipra_number", "case_status"),
                 ("№", "Дело", "ФИО", "Группа инвалидности", "Дата постановки на учёт", "Куратор", "№ ИПРА", "Статус дела"),
                 rows, lang="ru")


def psych_referrals(cases: Iterable[CaseFolder], period: Period) -> Table:
    rows = []
    for case_folder in cases:
        for doc in case_folder.referrals:
            ref = doc.model
            if ref is None or ref.kind != "psychological-support" or ref.date not in period:
                continue
            consent = {"agreed": "согласен", "declined": "не согласен"}.get(ref.consent or "", "")
            rows.append([ref.date, case_folder.id, case_folder.model.person.name, ref.to, consent, ", ".join(ref.documents),
                         _d(ref.follow_up), _d(ref.outcome.date) if ref.outcome else "",
                         (ref.outcome.conclusion or "") if ref.outcome else "ожидается заключение"])
    rows.sort(key=lambda r: (r[0], r[1]))
    rows = [[i, _d(r[0]), *r[1:]] for i, r in enumerate(rows, 1)]
    return Table(f"Журнал направлений на психологическую поддержку, {period.label}",
                 ("n", "date", "case", "name", "to", "consent", "documents", "follow_up", "outcome_date", "conclusion"),
                 ("№", "Дата направления", "Дело", "ФИО", "Куда направлен", "Согласие", "Документы", "Контроль",
                  "Дата заключения", "Заключение"),
                 rows, lang="ru")


def ipra_lists(cases: Iterable[CaseFolder], period: Period) -> Table:
    rows = []
    for case_folder in cases:
        czn = case_folder.model.enrollments.ru_czn_disability
        ipra = czn.ipra if czn else None
        if ipra is None or ipra.received is None or ipra.received not in period:
            continue
        measures = "; ".join(f"{m.name} ({_d(m.from_)}–{_d(m.to)})" for m in ipra.measures)
        executors = "; ".join(sorted({m.executor for m in ipra.measures if m.executor}))
        done = sum(1 for m in ipra.measures if m.done)
        rows.append([ipra.received, case_folder.id, case_folder.model.person.name, ipra.number or "", _d(ipra.protocol_date),
                     measures, executors, _d(ipra.measures_due), f"{done}/{len(ipra.measures)}"])
    rows.sort(key=lambda r: (r[0], r[1]))
    rows = [[i, _d(r[0]), *r[1:]] for i, r in enumerate(rows, 1)]
    return Table(f"Журнал перечней мероприятий ИПРА, {period.label}",
                 ("n", "received", "case", "name", "ipra_number", "protocol_date", "measures", "executors",
                  "measures_due", "measures_done"),
                 ("№", "Дата поступления выписки", "Дело", "ФИО", "№ ИПРА", "Дата протокола", "Мероприятия",
                  "Исполнители", "Срок исполнения", "Выполнено"),
                 rows, lang="ru")


BUILDERS = {"recipients": recipients, "psych-referrals": psych_referrals, "ipra-lists": ipra_lists}

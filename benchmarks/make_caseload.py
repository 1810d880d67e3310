"""Generate a deterministic synthetic caseload shaped like the real ones.

    python benchmarks/make_caseload.py --cases 20519 --seed 7 OUT

All four programs in realistic mixes (some people in two), about twelve files
per case (case.yaml, plan.yaml, monthly reviews, worksite-monitoring visits,
retention checks, contacts, referrals), all six languages with names built
from small invented syllable tables (no real people), valid SNILS numbers, and
a realistic share of overdue items (missed monthly reviews, referrals not
followed up, late eligibility decisions). It validates clean for ``--today``.

Files are written from plain string templates (no YAML library), by one
process per CPU (``--jobs``); 20,519 cases (~271,000 files) take about 10 s on
two cores, most of it the kernel creating files. The same arguments always
give byte-identical files, whatever ``--jobs`` is.
"""

from __future__ import annotations

import argparse
import calendar
import functools
import json
import os
import random
import sys
from datetime import date, timedelta

DEFAULT_TODAY = date(2026, 11, 22)

# ---------------------------------------------------------------- names (invented syllables per script)

_SYL = {
    "en": (["Ja", "Ro", "Ma", "Ke", "Li", "Da", "Tor", "Bren", "Sa", "Mi", "Al", "Jo"],
           ["den", "lyn", "son", "ra", "bel", "ton", "ric", "na", "ley", "vin"]),
    "es": (["Ma", "Lu", "Ca", "Ro", "Gua", "Fe", "Ja", "Al", "Te", "Ra"],
           ["ría", "cía", "nés", "món", "ando", "ela", "ito", "ero", "iña", "ado"]),
    "vi": (["Lâm", "Hòa", "Minh", "Ngọc", "Thảo", "Quý", "Phước", "Diệp", "Khải", "Tường"],
           ["Văn", "Thị", "Đức", "Hữu", "Kim", "Bảo"]),
    "hy": (["Ար", "Գա", "Սո", "Լու", "Նա", "Տիգ", "Հաս", "Մա", "Վար", "Էլ"],
           ["մեն", "րիկ", "նա", "սինե", "րան", "տոն", "գո", "դան"]),
    "hmn": (["Txoo", "Pao", "Yeej", "Nplias", "Kub", "Tswv", "Ntxhi", "Mai", "Xyooj", "Zoov"],
            ["Vaj", "Lis", "Yaj", "Thoj", "Xyooj", "Muas", "Hawj", "Vwj"]),
    "ru": (["Ве", "Ми", "Ро", "Та", "Ля", "Гу", "Зи", "Ар", "Ко", "Ни"],
           ["ра", "ла", "на", "ем", "ил", "ан", "ся", "ир", "он", "ат"]),
}
_RU_SURNAME_END = ["ов", "ин", "ев", "ский", "ченко"]


def person_name(rng: random.Random, lang: str) -> tuple[str, str]:
    """(full name, preferred name) in the script of ``lang``; invented."""
    a, b = _SYL[lang]
    if lang == "vi":  # family name, middle, given
        given = rng.choice(a)
        return f"{rng.choice(a)} {rng.choice(b)} {given}", given
    if lang == "hmn":  # given name + clan name
        given = rng.choice(a)
        return f"{given} {rng.choice(b)}", given
    if lang == "ru":
        given = rng.choice(a) + rng.choice(b) + rng.choice(b)
        family = rng.choice(a) + rng.choice(b) + rng.choice(_RU_SURNAME_END)
        return f"{family} {given} {rng.choice(a)}{rng.choice(b)}ович", given
    given = rng.choice(a) + rng.choice(b)
    family = rng.choice(a) + rng.choice(b) + rng.choice(b)
    return f"{given} {family}", given


_SUMMARY = {
    "en": ["Reviewed progress toward the job goal.", "Talked about schedule and transport.", "Practised an interview."],
    "es": ["Revisamos el avance hacia el empleo.", "Hablamos del horario y el transporte."],
    "vi": ["Xem lại tiến độ tìm việc.", "Bàn về lịch làm và phương tiện đi lại."],
    "hy": ["Քննարկեցինք աշխատանքի նպատակը։", "Խոսեցինք ժամանակացույցի մասին։"],
    "hmn": ["Tham txog txoj hauj lwm lub hom phiaj.", "Tham txog sij hawm thiab tsheb."],
    "ru": ["Обсудили ход поиска работы.", "Проведена консультация по резюме.", "Уточнены условия труда."],
}

# the plan's English text in the other Californian languages (machine-drafted, like the summaries above)
_PLAN_TEXT = {
    "es": {"interest": "servicio de comidas", "barrier": "transporte", "o1": "Terminar el perfil de descubrimiento",
           "o2": "Dos entrevistas informativas", "service": "Descubrimiento"},
    "vi": {"interest": "dịch vụ ăn uống", "barrier": "phương tiện đi lại", "o1": "Hoàn thành hồ sơ khám phá",
           "o2": "Hai buổi phỏng vấn tìm hiểu thông tin", "service": "Khám phá"},
    "hy": {"interest": "սննդի սպասարկում", "barrier": "տրանսպորտ", "o1": "Ավարտել բացահայտման պրոֆիլը",
           "o2": "Երկու տեղեկատվական հարցազրույց", "service": "Բացահայտում"},
    "hmn": {"interest": "kev ua zaub mov muag", "barrier": "tsheb mus los", "o1": "Ua kom tiav daim ntawv tshawb nrhiav",
            "o2": "Ob zaug kev xam phaj nug xov xwm", "service": "Kev tshawb nrhiav"},
}

_EMPLOYERS_US = ["Sunrise Bakery", "Valley Grocers", "Harbor Books", "Oak Street Café", "Bright Lanes Bowling",
                 "Green Leaf Nursery", "Cityline Transit Depot", "Maple Print Shop"]
_EMPLOYERS_RU = ["ООО «Камский хлеб»", "АО «Челны-Сервис»", "ИП Гарипов", "МУП «Горзеленхоз»", "ООО «Техноплюс»"]
_TITLES_US = ["Baker assistant", "Stock clerk", "Library page", "Dishwasher", "Greeter", "Courier"]
_TITLES_RU = ["Упаковщик", "Оператор ЭВМ", "Дворник", "Сборщик", "Кладовщик"]
_REGIONAL_CENTERS = ["San Andreas Regional Center", "Golden Gate Regional Center", "Regional Center of the East Bay"]

# ---------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=4096)
def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML); cached: most texts repeat."""
    return json.dumps(text, ensure_ascii=False)


def month_end(y: int, mth: int) -> date:
    return date(y, mth, calendar.monthrange(y, mth)[1])


def add_months(d: date, n: int) -> date:
    y, mth = divmod(d.month - 1 + n, 12)
    y += d.year
    mth += 1
    return date(y, mth, min(d.day, calendar.monthrange(y, mth)[1]))


def months_between(start: date, end: date) -> list[tuple[int, int]]:
    """(year, month) from start's month to end's month inclusive."""
    out = []
    y, mth = start.year, start.month
    while (y, mth) <= (end.year, end.month):
        out.append((y, mth))
        y, mth = (y + 1, 1) if mth == 12 else (y, mth + 1)
    return out


def snils(rng: random.Random) -> str:
    """A random SNILS that passes the check-number test."""
    number = rng.randrange(2_000_000, 999_999_999)
    digits = f"{number:09d}"
    total = sum(int(d) * w for d, w in zip(digits, range(9, 0, -1)))
    check = total if total < 100 else 0 if total in (100, 101) else total % 101
    check = 0 if check == 100 else check
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]} {check:02d}"


def rand_day(rng: random.Random, lo: date, hi: date) -> date:
    if hi <= lo:
        return lo
    return lo + timedelta(days=rng.randrange((hi - lo).days + 1))


# ---------------------------------------------------------------- staff

STAFF = {
    "navigator": [f"nav{i:02d}" for i in range(1, 9)],
    "ces": [f"ces{i:02d}" for i in range(1, 7)],
    "counselor": [f"vrc{i:02d}" for i in range(1, 9)],
    "job-coach": [f"jc{i:02d}" for i in range(1, 7)],
    "curator": [f"cur{i:02d}" for i in range(1, 11)],
}


def config_text() -> str:
    lines = ["agency: Synthetic Benchmark Agency", "default_language: en", "staff:"]
    rng = random.Random("staff")
    for role, ids in STAFF.items():
        for sid in ids:
            lang = "ru" if role == "curator" else rng.choice(["en", "es", "vi", "hy", "hmn"])
            name, _ = person_name(rng, lang)
            extra = ""
            if role == "navigator":
                extra = ", degree: bachelor, years_dd_experience: 4, person_centered_training: true, certifications: [CESP]"
            elif role == "ces":
                extra = ", degree: high-school, certifications: [ACRE-CE]"
            lines.append(f"  - {{id: {sid}, name: {q(name)}, role: {role}, languages: [{lang}]{extra}}}")
    lines += ["settings:", "  warn_days: 30", "  ccp_quarterly_report_days: 30",
              "  retention_checks: [30d, 6m, 12m]", "  czn_ipra_report_before: 1m", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- one case


class CaseWriter:
    def __init__(self, rng: random.Random, case_id: str, lang: str, today: date):
        self.rng, self.id, self.lang, self.today = rng, case_id, lang, today
        self.events: dict[str, str] = {}     # file name -> text
        self.referrals: dict[str, str] = {}

    def _name(self, files: dict[str, str], day: date, slug: str) -> str:
        name = f"{day.isoformat()}-{slug}.yaml"
        n = 2
        while name in files:
            name = f"{day.isoformat()}-{slug}-{n}.yaml"
            n += 1
        return name

    def event(self, day: date, type_: str, by: str, program: str | None = None) -> None:
        if day > self.today:
            return
        text = f"date: {day.isoformat()}\ntype: {type_}\nby: {by}\n"
        if program:
            text += f"program: {program}\n"
        text += f"summary: {q(self.rng.choice(_SUMMARY[self.lang]))}\n"
        self.events[self._name(self.events, day, type_)] = text

    def referral(self, day: date, to: str, kind: str, follow_up: date, answered: bool, by: str | None,
                 docs: str = "[consent]") -> None:
        if day > self.today:
            return
        outcome = "null"
        if answered and follow_up <= self.today:
            outcome = f"{{date: {rand_day(self.rng, day, follow_up).isoformat()}, conclusion: {q('принято' if self.lang == 'ru' else 'accepted')}}}"
        text = (f"date: {day.isoformat()}\nto: {q(to)}\nkind: {kind}\n"
                + (f"by: {by}\n" if by else "")
                + f"documents: {docs}\nconsent: agreed\nfollow_up: {follow_up.isoformat()}\noutcome: {outcome}\n")
        self.referrals[self._name(self.referrals, day, kind)] = text


def monthly(w: CaseWriter, start: date, end: date, type_: str, by: str, program: str, per_month: int,
            miss: float) -> None:
    """Events each month from start to end (the current month only up to today), some missed."""
    rng = w.rng
    for y, mth in months_between(start, end):
        lo = max(start, date(y, mth, 1))
        hi = min(end, month_end(y, mth), w.today)
        if lo > hi:
            continue
        for _ in range(per_month):
            if rng.random() < miss:
                continue
            w.event(rand_day(rng, lo, hi), type_, by, program)


def make_case(i: int, seed: int, today: date) -> tuple[str, dict[str, str]]:
    """Case id and {relative path: text} for case number ``i``."""
    rng = random.Random(f"{seed}:{i}")
    case_id = f"c{i:06d}"
    r = rng.random()
    if r < 0.42:
        programs = ["ru-czn-disability"]
    elif r < 0.64:
        programs = ["ca-dds-ccp"]
    elif r < 0.70:
        programs = ["ca-dds-ccp", "ca-dor-vr"]
    elif r < 0.84:
        programs = ["ca-dor-vr"]
    elif r < 0.94:
        programs = ["ca-dor-vr", "ca-dor-se"]
    else:
        programs = ["ca-dds-ccp", "ca-dor-se"]
    russian = programs == ["ru-czn-disability"]
    lang = "ru" if russian else rng.choices(["en", "es", "vi", "hy", "hmn"], [50, 25, 10, 8, 7])[0]
    w = CaseWriter(rng, case_id, lang, today)
    name, preferred = person_name(rng, lang)
    opened = today - timedelta(days=rng.randrange(20, 540))
    closed = rng.random() < 0.08
    closure_day = rand_day(rng, opened + timedelta(days=15), today) if closed else None
    end = closure_day or today
    birth = date(rng.randrange(1965, 2007), rng.randrange(1, 13), rng.randrange(1, 29))

    staff: dict[str, str] = {}
    enroll: list[str] = []
    jobs: list[str] = []
    services: list[str] = []
    ident: list[str] = []

    def job(program: str, start: date, us: bool = True) -> date:
        employer = rng.choice(_EMPLOYERS_US if us else _EMPLOYERS_RU)
        title = rng.choice(_TITLES_US if us else _TITLES_RU)
        wage = f"{rng.randrange(1650, 2400) / 100:.2f}" if us else str(rng.randrange(19, 40) * 1000)
        jobs.append(f"  - employer: {q(employer)}\n    title: {q(title)}\n    start: {start.isoformat()}\n"
                    f"    end: null\n    hours_per_week: {rng.choice([12, 16, 20, 24, 30])}\n"
                    f"    wage: {wage}\n    currency: {'USD' if us else 'RUB'}\n    integrated: true\n"
                    f"    program: {program}\n")
        return start

    def retention(start: date, by: str, program: str) -> None:
        for offset in (30, 182, 365):
            due = start + timedelta(days=offset)
            if due <= end and rng.random() > 0.1:
                w.event(rand_day(rng, due, min(due + timedelta(days=10), end)), "retention-check", by, program)

    if "ca-dds-ccp" in programs:
        nav, ces = rng.choice(STAFF["navigator"]), rng.choice(STAFF["ces"])
        staff.update(navigator=nav, ces=ces)
        start = opened
        basis = rng.choice(["left-work-activity-program", "left-subminimum-wage", "exiting-secondary-education"])
        lines = [f"  ca-dds-ccp:\n    basis: {basis}\n"]
        if basis == "exiting-secondary-education":
            lines.append(f"    school_exit: {rand_day(rng, start, start + timedelta(days=600)).isoformat()}\n")
        lines.append(f"    start: {start.isoformat()}\n    authorized_until: {add_months(start, 12).isoformat()}\n"
                     f"    subcodes: [NAV, CES]\n    regional_center: {q(rng.choice(_REGIONAL_CENTERS))}\n"
                     f"    service_coordinator: {q(person_name(rng, 'en')[0])}\n")
        enroll.append("".join(lines))
        monthly(w, start, end, "monthly-review", nav, "ca-dds-ccp", 1, 0.08)
        for y, mth in months_between(start, end):
            if mth in (1, 4, 7, 10) and date(y, mth, 1) > start and rng.random() > 0.15:
                w.event(rand_day(rng, date(y, mth, 2), date(y, mth, 28)), "quarterly-report", nav, "ca-dds-ccp")
        services.append(f"  - {{name: Discovery, program: ca-dds-ccp, provider: {ces}, start: {start.isoformat()}, "
                        f"due: {(start + timedelta(days=60)).isoformat()}, "
                        f"done: {(start + timedelta(days=55)).isoformat() if start + timedelta(days=55) <= today and rng.random() > 0.2 else 'null'}}}\n")
        if rng.random() < 0.35 and start + timedelta(days=90) < end:
            jstart = job("ca-dds-ccp", rand_day(rng, start + timedelta(days=60), end))
            retention(jstart, nav, "ca-dds-ccp")
        if rng.random() < 0.3:
            day = rand_day(rng, start, end)
            w.referral(day, "Department of Rehabilitation", "dor-application", day + timedelta(days=30),
                       rng.random() > 0.25, nav)

    if "ca-dor-vr" in programs:
        vrc = rng.choice(STAFF["counselor"])
        staff["counselor"] = vrc
        applied = opened
        r = rng.random()
        el = "    eligibility:\n"
        ipe = "null"
        if r < 0.15 and applied > today - timedelta(days=75):  # pending, some past the 60 days
            el += "      status: pending\n      decided: null\n"
        elif r < 0.22:
            decided = applied + timedelta(days=rng.randrange(20, 58))
            decided = min(decided, end)
            el += (f"      status: ineligible\n      decided: {decided.isoformat()}\n"
                   f"      notice: {{sent: {decided.isoformat()}, reasons: true, rights: true, cap_info: true}}\n")
        else:
            decided = min(applied + timedelta(days=rng.randrange(20, 62)), end)
            el += f"      status: eligible\n      decided: {decided.isoformat()}\n"
            signed = decided + timedelta(days=rng.randrange(30, 100))
            if signed <= end:
                reviews = []
                nxt = add_months(signed, 12)
                while nxt <= end:
                    reviews.append(nxt)
                    w.event(nxt, "ipe-review", vrc, "ca-dor-vr")
                    nxt = add_months(nxt, 12)
                ipe = f"{{signed: {signed.isoformat()}, reviews: [{', '.join(d.isoformat() for d in reviews)}]}}"
        enroll.append(f"  ca-dor-vr:\n    applied: {applied.isoformat()}\n"
                      f"    presumptive: {rng.choice(['ssi', 'ssdi', 'null'])}\n{el}    ipe: {ipe}\n")
        ident.append(f"  dor_case: {q(f'DOR-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}')}\n")
        for k in range(rng.randrange(1, 7)):
            w.event(rand_day(rng, applied, end), "contact", vrc, "ca-dor-vr")

    if "ca-dor-se" in programs:
        coach = rng.choice(STAFF["job-coach"])
        staff["job-coach"] = coach
        start = opened + timedelta(days=rng.randrange(0, 20))
        group = rng.random() < 0.15
        enroll.append(f"  ca-dor-se:\n    type: {'group' if group else 'individual'}\n"
                      + (f"    group_size: {rng.randrange(3, 9)}\n" if group else "")
                      + f"    start: {min(start, end).isoformat()}\n"
                      f"    extended_services_source: {q(rng.choice(_REGIONAL_CENTERS))}\n")
        jstart = job("ca-dor-se", min(start + timedelta(days=rng.randrange(10, 60)), end))
        monthly(w, max(jstart, end - timedelta(days=200)), end, "worksite-monitoring", coach, "ca-dor-se", 2, 0.07)
        retention(jstart, coach, "ca-dor-se")

    if russian:
        cur = rng.choice(STAFF["curator"])
        staff["curator"] = cur
        registered = opened
        group = rng.choice([1, 2, 2, 3, 3, 3])
        set_on = registered - timedelta(days=rng.randrange(60, 330))
        until = add_months(set_on, rng.choice([12, 24]))
        if until < registered:
            until = add_months(until, 24)
        protocol = set_on + timedelta(days=rng.randrange(10, 60))
        received = protocol + timedelta(days=rng.randrange(3, 14))
        mfrom = max(received, registered)
        measures_due = add_months(mfrom, 12)
        measures = (f"        - {{name: Профессиональная ориентация, from: {mfrom.isoformat()}, "
                    f"to: {measures_due.isoformat()}, executor: {q('ГКУ ЦЗН г. Набережные Челны')}, done: null}}\n")
        enroll.append(f"  ru-czn-disability:\n    registered: {registered.isoformat()}\n    curator: {cur}\n"
                      f"    disability: {{group: {group}, cause: общее заболевание, set_on: {set_on.isoformat()}, "
                      f"until: {until.isoformat()}, reexamination: {(until - timedelta(days=30)).isoformat()}}}\n"
                      f"    ipra:\n      number: {q(f'{rng.randrange(100, 2000)}.{rng.randrange(1, 99)}.16/{protocol.year}')}\n"
                      f"      protocol_date: {protocol.isoformat()}\n      received: {received.isoformat()}\n"
                      f"      measures_due: {measures_due.isoformat()}\n      recommended: [работа с цифрами]\n"
                      f"      contraindicated: [тяжёлый физический труд]\n      measures:\n{measures}")
        ident.append(f"  snils: {q(snils(rng))}\n")
        for k, svc in enumerate(["vocational-guidance", "psychological-support",
                                 "social-adaptation"]):  # ids of the ЦЗН service catalogue
            due = registered + timedelta(days=30 * (k + 1))
            done = due - timedelta(days=rng.randrange(0, 10)) if due <= today and rng.random() > 0.12 else None
            services.append(f"  - {{name: {q(svc)}, program: ru-czn-disability, provider: {cur}, "
                            f"due: {due.isoformat()}, done: {done.isoformat() if done else 'null'}, result: null}}\n")
        monthly(w, registered, end, "contact", cur, "ru-czn-disability", 1, 0.15)
        if measures_due - timedelta(days=30) <= end and rng.random() > 0.2:
            w.event(rand_day(rng, measures_due - timedelta(days=30), min(measures_due, end)), "ipra-report", cur,
                    "ru-czn-disability")
        day = rand_day(rng, registered, min(registered + timedelta(days=40), end))
        w.referral(day, "ГАУСО ЦРИ «Изгелек»", "psychological-support", day + timedelta(days=30),
                   rng.random() > 0.2, cur, "[passport, work-record-book, ipra, consent]")
        if rng.random() < 0.45 and registered + timedelta(days=60) < end:
            jstart = job("ru-czn-disability", rand_day(rng, registered + timedelta(days=45), end), us=False)
            retention(jstart, cur, "ru-czn-disability")

    # ---- case.yaml
    phone = (f"+7 855 {rng.randrange(200, 999)}-{rng.randrange(10, 99)}-{rng.randrange(10, 99)}" if russian
             else f"+1 408 555 {rng.randrange(1000, 9999)}")
    case = [f"id: {case_id}\nstatus: {'closed' if closed else 'active'}\nopened: {opened.isoformat()}\n"]
    # `completed`, not `employed`: a DOR case closes as employed only after 90 days in a job (34 CFR 361.56)
    case.append(f"closure: {{date: {closure_day.isoformat()}, reason: completed}}\n" if closed else "closure: null\n")
    case.append(f"person:\n  name: {q(name)}\n  preferred_name: {q(preferred)}\n  birth_date: {birth.isoformat()}\n"
                f"  language: {lang}\n  interpreter: {'true' if lang not in ('en', 'ru') else 'false'}\n"
                f"  plain_language: {'true' if rng.random() < 0.4 else 'false'}\n  phone: {q(phone)}\n")
    if rng.random() < 0.3:
        rep, _ = person_name(rng, lang)
        case.append(f"  representative: {{name: {q(rep)}, relationship: {'мать' if russian else 'mother'}}}\n")
    if "ca-dds-ccp" in programs:
        ident.append(f"  uci: \"{rng.randrange(1000000, 9999999)}\"\n")
    case.append("identifiers:\n" + "".join(ident) if ident else "identifiers: {}\n")
    case.append("staff: {" + ", ".join(f"{k}: {v}" for k, v in staff.items()) + "}\n")
    case.append("enrollments:\n" + "".join(enroll))
    case.append("jobs:\n" + "".join(jobs) if jobs else "jobs: []\n")

    # ---- plan.yaml
    due1 = opened + timedelta(days=45)
    due2 = opened + timedelta(days=120)
    done1 = (due1 - timedelta(days=3)).isoformat() if due1 <= today and rng.random() > 0.1 else "null"
    done2 = (due2 - timedelta(days=2)).isoformat() if due2 <= today and rng.random() > 0.3 else "null"
    words = _SUMMARY[lang]
    # staff write the plan in the agency's language (Russian for the employment center, else English) and,
    # for a person who reads another language, translate it (`translations:`, docs/format.md)
    if russian or lang == "en":
        plan = (f"strengths: [{q(words[0])}]\ninterests: [food service]\nbarriers: [transport]\ngoals:\n"
                f"  - id: g1\n    area: employment\n    statement: {q(words[-1])}\n    objectives:\n"
                f"      - {{id: g1.o1, text: Finish discovery profile, due: {due1.isoformat()}, done: {done1}}}\n"
                f"      - {{id: g1.o2, text: Two informational interviews, due: {due2.isoformat()}, done: {done2}}}\n"
                + ("services:\n" + "".join(services) if services else "services: []\n"))
    else:
        en, t = _SUMMARY["en"], _PLAN_TEXT[lang]
        plan = (f"strengths: [{q(en[0])}]\ninterests: [food service]\nbarriers: [transport]\n"
                f"translations: {{{lang}: {{strengths: [{q(words[0])}], interests: [{q(t['interest'])}], "
                f"barriers: [{q(t['barrier'])}]}}}}\ngoals:\n"
                f"  - id: g1\n    area: employment\n    statement: {q(en[-1])}\n"
                f"    translations: {{{lang}: {{statement: {q(words[-1])}}}}}\n    objectives:\n"
                f"      - {{id: g1.o1, text: Finish discovery profile, due: {due1.isoformat()}, done: {done1}, "
                f"translations: {{{lang}: {{text: {q(t['o1'])}}}}}}}\n"
                f"      - {{id: g1.o2, text: Two informational interviews, due: {due2.isoformat()}, done: {done2}, "
                f"translations: {{{lang}: {{text: {q(t['o2'])}}}}}}}\n"
                + ("services:\n" + "".join(svc.replace("}\n", f", translations: {{{lang}: {{name: {q(t['service'])}}}}}}}\n", 1)
                                            if svc.startswith("  - {name: Discovery,") else svc for svc in services)
                   if services else "services: []\n"))

    files = {"case.yaml": "".join(case), "plan.yaml": plan}
    for fname, text in w.events.items():
        files["events/" + fname] = text
    for fname, text in w.referrals.items():
        files["referrals/" + fname] = text
    return case_id, files


#: Cases per task handed to a worker: big enough that the pool's overhead is noise, small enough that
#: two workers finish together.
_CHUNK = 256

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def _write(path: str, data: bytes) -> None:
    # os.open/os.write rather than open(): a text file object costs three more system calls (fstat,
    # ioctl, lseek) and its buffer layers for each of ~270,000 small files.
    fd = os.open(path, _CREATE, 0o666)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def write_cases(out: str, lo: int, hi: int, seed: int, today: date) -> int:
    """Write cases ``lo`` to ``hi - 1`` under ``out/cases``; return the number of files written.

    Each case draws from its own ``Random(f"{seed}:{i}")``, so any split of the range over
    processes writes the same bytes as one process does.
    """
    written = 0
    cases_dir = os.path.join(out, "cases")
    for i in range(lo, hi):
        case_id, files = make_case(i, seed, today)
        base = os.path.join(cases_dir, case_id)
        os.mkdir(base)
        made = set()
        for rel, text in files.items():
            sub, slash, _ = rel.partition("/")
            if slash and sub not in made:
                os.mkdir(os.path.join(base, sub))
                made.add(sub)
            _write(os.path.join(base, rel), text.encode("utf-8"))
        written += len(files)
    return written


def _write_chunk(args: tuple[str, int, int, int, date]) -> int:
    return write_cases(*args)


def generate(out: str, cases: int, seed: int, today: date = DEFAULT_TODAY, jobs: int | None = None) -> int:
    """Write the caseload under ``out``; return the number of files written.

    ``jobs`` processes write the cases (default: one per CPU; one process below 1,000 cases,
    where starting the pool costs more than it saves). Writing the files is most of the time
    (creating ~270,000 small files is ~25 µs of kernel time each here), so two cores roughly
    halve it. The output does not depend on ``jobs``.
    """
    os.makedirs(os.path.join(out, "cases"), exist_ok=True)
    _write(os.path.join(out, "careerpath.yaml"), config_text().encode("utf-8"))
    _write(os.path.join(out, ".gitignore"), b".careerpath/\n")
    if jobs is None:
        jobs = 1 if cases < 1000 else (os.cpu_count() or 1)
    if jobs <= 1 or cases <= 1:
        return 1 + write_cases(out, 1, cases + 1, seed, today)
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, min(_CHUNK, -(-cases // (jobs * 4))))
    tasks = [(out, lo, min(lo + chunk, cases + 1), seed, today) for lo in range(1, cases + 1, chunk)]
    with ProcessPoolExecutor(jobs) as pool:
        return 1 + sum(pool.map(_write_chunk, tasks))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=100, help="number of cases (default 100)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--today", default=DEFAULT_TODAY.isoformat(), help="the date the caseload is 'as of'")
    p.add_argument("--jobs", type=int, default=None,
                   help="processes writing files (default: one per CPU from 1,000 cases; the output is the same)")
    p.add_argument("out", help="output folder (must not exist or be empty)")
    args = p.parse_args(argv)
    if os.path.exists(args.out) and os.listdir(args.out):
        print(f"make_caseload: {args.out} exists and is not empty", file=sys.stderr)
        return 2
    n = generate(args.out, args.cases, args.seed, date.fromisoformat(args.today), args.jobs)
    print(f"{args.cases} cases, {n} files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The sample caseload (sample-cases/) validates clean and holds the situations its README promises.

Later features (obligations, documents, reports) test against these cases, so
the situations are asserted on the data here: if a sample is edited so that a
situation disappears, this file says which one.
"""

from __future__ import annotations

import filecmp
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta

from conftest import ROOT, SAMPLE, TODAY

from careerpath import models as m
from careerpath.checks import validate
from careerpath.programs import load_programs
from careerpath.programs.registry import checks_module

snils_ok = checks_module("ru-czn-disability").snils_ok
staff_qualification_gaps = checks_module("ca-dds-ccp").staff_qualification_gaps
from careerpath.loader import load


@pytest.fixture(scope="module")
def cl():
    return load(SAMPLE)


@pytest.fixture(scope="module")
def cases(cl) -> dict[str, m.Case]:
    return {cid: cf.model for cid, cf in cl.cases.items()}


def _case(cases, cid) -> m.Case:
    assert cid in cases, f"sample case {cid} is missing"
    return cases[cid]


def _events(cl, cid, type_=None):
    return sorted((d.model for d in cl.cases[cid].events if type_ is None or d.model.type == type_), key=lambda e: e.date)


# ---------------------------------------------------------------- clean

def test_validates_clean_on_the_demo_day(cl):
    assert validate(cl, TODAY) == []


def test_validates_clean_today():
    # Nothing is dated after 2026-11-22, so this holds on any later real date too.
    assert validate(SAMPLE, max(date.today(), TODAY)) == []


def test_nothing_is_dated_after_the_demo_day(cl):
    late = [d.file for cf in cl.cases.values() for d in (*cf.events, *cf.referrals) if d.model.date > TODAY]
    assert late == []


def test_validate_command_says_clean(cli):
    r = cli("validate", "--caseload", SAMPLE, "--today", "2026-11-22")
    assert r.code == 0, r.out + r.err
    assert "clean" in r.out


def test_every_file_points_at_its_schema_copy():
    files = [SAMPLE / "careerpath.yaml", *sorted((SAMPLE / "cases").rglob("*.yaml"))]
    assert len(files) > 100
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, f"{path.relative_to(SAMPLE)} lacks the schema modeline"
        schema = (path.parent / match.group(1)).resolve()
        assert schema.is_file(), f"{path.relative_to(SAMPLE)} points at a missing schema"
        parts = path.relative_to(SAMPLE).parts  # careerpath.yaml | cases/<id>/case.yaml | cases/<id>/events/<f>
        kind = {1: "careerpath", 3: path.stem}.get(len(parts)) or parts[2].rstrip("s")
        assert schema.name == f"{kind}.schema.json", path


def test_files_pass_their_json_schema():
    """What an editor with yaml-language-server checks: each file against the schema its modeline names."""
    jsonschema = pytest.importorskip("jsonschema")
    from careerpath.yamlfile import read_file

    for path in [SAMPLE / "careerpath.yaml", *sorted((SAMPLE / "cases").rglob("*.yaml"))]:
        parts = path.relative_to(SAMPLE).parts
        kind = {1: "careerpath", 3: path.stem}.get(len(parts)) or parts[2].rstrip("s")
        schema = json.loads((SAMPLE / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(read_file(path, path.name).data)]
        assert errors == [], path.relative_to(SAMPLE)


def test_schema_copies_match_the_package():
    shipped = ROOT / "careerpath" / "schemas"
    # the schemas of the files a caseload holds (not output schemas such as obligations.schema.json)
    names = sorted(f"{kind}.schema.json" for kind in (*m.FILE_MODELS, "program", "rules", "documents"))
    assert names == sorted(p.name for p in (SAMPLE / "schemas").glob("*.json"))
    _, mismatch, errors = filecmp.cmpfiles(shipped, SAMPLE / "schemas", names, shallow=False)
    assert mismatch == errors == [], "run: cp careerpath/schemas/*.json sample-cases/schemas/"


# ---------------------------------------------------------------- coverage

def test_size_programs_and_languages(cases):
    assert len(cases) >= 10
    programs = {pid for c in cases.values() for pid, _ in c.enrollments.items()}
    assert programs == set(load_programs().ids())
    assert {c.person.language for c in cases.values()} >= {"en", "es", "vi", "hy", "hmn", "ru"}
    assert sum(1 for c in cases.values() if len(c.enrollments.items()) >= 2) >= 3


def test_two_programs_at_once(cases):
    pairs = {frozenset(pid for pid, _ in c.enrollments.items()) for c in cases.values()}
    assert frozenset({"ca-dds-ccp", "ca-dor-vr"}) in pairs
    assert frozenset({"ca-dor-vr", "ca-dor-se"}) in pairs


def test_readme_table_names_existing_cases(cases):
    text = (SAMPLE / "README.md").read_text(encoding="utf-8")
    ids = re.findall(r"^\| `([a-z0-9_-]+)` \|", text, flags=re.M)
    assert len(ids) >= 12
    assert sorted(ids) == sorted(cases), "every case has one row in the README table"


def test_staff_cover_every_role_and_meet_the_ccp_minimums(cl):
    staff = cl.config.staff
    assert {s.role for s in staff} == set(m.ROLES)
    for s in staff:
        if s.role in ("navigator", "ces") and s.qualification_exception is None:
            assert staff_qualification_gaps(s) == [], s.id
    excepted = [s for s in staff if s.qualification_exception is not None]
    assert excepted and all(staff_qualification_gaps(s) for s in excepted)


def test_most_cases_have_a_plan_with_goals_in_every_area(cl):
    plans = [cf.plan_model for cf in cl.cases.values() if cf.plan_model is not None]
    assert len(plans) >= len(cl.cases) - 3
    assert {g.area for p in plans for g in p.goals} == {"employment", "community", "education", "supports"}
    objectives = [o for p in plans for g in p.goals for o in g.objectives]
    assert any(o.done for o in objectives)
    assert any(o.done is None and o.due and o.due < TODAY for o in objectives), "some objective is overdue"
    assert all(p.own_words for p in plans)


# ---------------------------------------------------------------- the situations of the README table

def test_dor_application_near_its_60_day_limit(cases):
    vr = _case(cases, "marco-delgado").enrollments.ca_dor_vr
    limit = vr.applied + timedelta(days=60)
    assert vr.eligibility.status == "pending" and vr.eligibility.extension is None
    assert TODAY < limit <= TODAY + timedelta(days=30)


def test_agreed_extension_for_trial_work(cases):
    vr = _case(cases, "tigran-petrosyan").enrollments.ca_dor_vr
    ext = vr.eligibility.extension
    assert vr.eligibility.status == "pending"
    assert ext.reason == "trial-work-experience" and ext.agreed is not None
    assert ext.agreed <= vr.applied + timedelta(days=60) < TODAY < ext.until


def test_ineligible_with_complete_notice_and_pending_review(cl, cases):
    el = _case(cases, "dana-whitfield").enrollments.ca_dor_vr.eligibility
    assert el.status == "ineligible"
    assert el.notice.sent and el.notice.reasons and el.notice.rights and el.notice.cap_info
    assert el.decided + relativedelta(months=12) > TODAY
    assert _events(cl, "dana-whitfield", "ineligibility-review") == []


def test_eligible_with_signed_ipe_and_reviews(cl, cases):
    vr = _case(cases, "ani-hakobyan").enrollments.ca_dor_vr
    assert vr.eligibility.status == "eligible"
    assert vr.ipe.signed and len(vr.ipe.reviews) >= 2
    assert [e.date for e in _events(cl, "ani-hakobyan", "ipe-review")] == vr.ipe.reviews


def test_order_of_selection_waiting_list(cl, cases):
    vr = _case(cases, "ashley-brooks").enrollments.ca_dor_vr
    assert vr.eligibility.status == "eligible"
    assert vr.eligibility.waiting_list.released is None and vr.ipe is None
    assert _events(cl, "ashley-brooks", "contact")


def test_individual_se_in_ongoing_support_with_a_partial_month(cl, cases):
    case = _case(cases, "jamal-carter")
    se = case.enrollments.ca_dor_se
    assert se.type == "individual" and se.extended_services_source and se.transitioned is None
    job = case.jobs[0]
    assert job.integrated and job.wage > 0 and job.program == "ca-dor-se" and job.end is None
    per_month: dict[tuple[int, int], int] = {}
    for e in _events(cl, "jamal-carter", "worksite-monitoring"):
        per_month[(e.date.year, e.date.month)] = per_month.get((e.date.year, e.date.month), 0) + 1
    closed_months = {k: v for k, v in per_month.items() if k < (TODAY.year, TODAY.month)}
    assert 1 in closed_months.values(), "a finished month with one visit shows as partial"
    assert 2 in closed_months.values()


def test_group_se_crew(cl, cases):
    se = _case(cases, "paj-xyooj").enrollments.ca_dor_se
    assert se.type == "group" and 3 <= se.group_size <= 8 and se.extended_services_source
    assert len(_events(cl, "paj-xyooj", "worksite-monitoring")) >= 8


def test_ccp_participant_still_in_school(cl, cases):
    ccp = _case(cases, "linh-tran").enrollments.ca_dds_ccp
    assert ccp.basis == "exiting-secondary-education"
    assert ccp.start < TODAY < ccp.school_exit <= ccp.start + relativedelta(years=2)
    months = {(e.date.year, e.date.month) for e in _events(cl, "linh-tran", "monthly-review")}
    assert (2026, 7) in months and (2026, 9) in months and (2026, 8) not in months, "August is the missing review"
    assert _events(cl, "linh-tran", "ipp-meeting") and _events(cl, "linh-tran", "iep-meeting")


def test_ccp_participant_in_cie_with_retention_checks(cl, cases):
    case = _case(cases, "sofia-ramirez")
    assert case.enrollments.ca_dds_ccp is not None
    job = case.jobs[0]
    assert job.integrated and job.wage > 0
    # WIC 4870(d) incentive at 30 days: a retention check on/after the date (and within the 14 days ccp allows)
    thirty = job.start + timedelta(days=30)
    assert [c.date for c in _events(cl, "sofia-ramirez", "retention-check") if thirty <= c.date <= thirty + timedelta(days=14)]
    assert job.start + relativedelta(months=6) > TODAY, "the 6-month check is still ahead"


def test_russian_citizen_with_ipra_and_measures(cl, cases):
    case = _case(cases, "alsu-galieva")
    czn = case.enrollments.ru_czn_disability
    assert snils_ok(case.identifiers.snils)
    d = czn.disability
    assert d.group in (1, 2, 3) and d.cause and d.set_on and d.until and d.reexamination
    ipra = czn.ipra
    assert ipra.number and ipra.protocol_date and ipra.received and ipra.measures_due
    assert ipra.recommended and ipra.contraindicated
    assert ipra.measures and all(x.from_ and x.to and x.executor for x in ipra.measures)
    assert _events(cl, "alsu-galieva", "ipra-report")
    services = [s for s in cl.cases["alsu-galieva"].plan_model.services if s.program == "ru-czn-disability"]
    assert services and all(s.due for s in services)
    catalogue = {sv.name for sv in cl.programs.get("ru-czn-disability").services}  # services.yaml (seed 004)
    assert {s.name for s in services} <= catalogue and len(services) >= 3


def test_psychological_support_referral_awaiting_conclusion(cl):
    refs = [d.model for d in cl.cases["sergey-morozov"].referrals if d.model.kind == "psychological-support"]
    assert len(refs) == 1
    ref = refs[0]
    assert ref.outcome is None and ref.consent == "agreed"
    assert set(ref.documents) == {"passport", "work-record-book", "ipra", "consent"}
    assert ref.follow_up > ref.date


def test_closed_case(cases):
    case = _case(cases, "quang-le")
    assert case.status == "closed" and case.closure.date <= TODAY and case.closure.reason


def test_language_access(cases):
    hmn = [c for c in cases.values() if c.person.language == "hmn"]
    assert any(c.person.interpreter for c in hmn)
    es = [c for c in cases.values() if c.person.language == "es"]
    assert any(c.person.plain_language and c.person.representative for c in es)
    assert any(c.person.language == "hy" for c in cases.values())


def test_every_russian_case_has_a_valid_snils(cases):
    ru = [c for c in cases.values() if c.enrollments.ru_czn_disability is not None]
    assert len(ru) >= 2 and all(c.identifiers.snils and snils_ok(c.identifiers.snils) for c in ru)


def test_the_overdue_items_are_the_deliberate_few(cl):
    """The morning list of 2026-11-22 shows a few overdue things on purpose (README); pin the simple ones."""
    active = {cid: cf for cid, cf in cl.cases.items() if cf.model.status == "active"}
    objectives = {(cid, o.id) for cid, cf in active.items() if cf.plan_model
                  for g in cf.plan_model.goals for o in g.objectives if o.done is None and o.due and o.due < TODAY}
    assert objectives == {("marco-delgado", "g1.o3"), ("paj-xyooj", "g2.o1"), ("sergey-morozov", "g1.o2")}
    referrals = {cid for cid, cf in active.items() for r in cf.referrals
                 if r.model.outcome is None and r.model.follow_up and r.model.follow_up < TODAY}
    assert referrals == {"ntxhi-vaj"}
    services = {(cid, s.name) for cid, cf in active.items() if cf.plan_model for s in cf.plan_model.services
                if s.program == "ru-czn-disability" and s.done is None and s.due and s.due < TODAY}
    assert services == {("sergey-morozov", "Составление резюме с акцентом на профессиональные преимущества соискателя")}

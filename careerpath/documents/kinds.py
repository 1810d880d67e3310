"""The registry of document kinds: what each is, whom it applies to, what it needs.

A kind is data: its command-line name, a title (an English msgid), the
programs it applies to, the template it renders (``templates/<name>.j2``), the
period it covers (if any), and ``requires(subject) -> list[str]``, the data the
document cannot be made without. ``requires`` names missing fields by file and
path, never by value, so the message is safe to print and to log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from .. import models as m
from .labels import N_


@dataclass(frozen=True)
class Subject:
    """The typed inputs of one document: one case and its caseload settings."""

    case: m.Case
    plan: Optional[m.Plan]
    events: tuple[m.Event, ...]
    referrals: tuple[m.Referral, ...]
    config: m.CaseloadConfig

    def staff_member(self, role: str) -> Optional[m.Staff]:
        sid = getattr(self.case.staff, role.replace("-", "_"), None)
        if role == "curator" and sid is None and self.case.enrollments.ru_czn_disability is not None:
            sid = self.case.enrollments.ru_czn_disability.curator
        return next((s for s in self.config.staff if s.id == sid), None) if sid else None

    def referral(self, kind: str) -> Optional[m.Referral]:
        """The latest referral of ``kind`` (referrals are sorted by date)."""
        found = [r for r in self.referrals if r.kind == kind]
        return found[-1] if found else None


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    programs: tuple[str, ...]
    requires: Callable[[Subject], list[str]] = field(repr=False)
    period: Optional[str] = None  # "month" | "quarter" | "year"
    audience: str = "person"  # "person" (plain language, "you") | "agency"
    labels: tuple[str, ...] = ()  # the tables of labels.py the template shows (through the `t` filter)
    # the situation the document is for, beyond the program (e.g. a recorded referral)
    situation: Optional[Callable[[Subject], bool]] = field(default=None, repr=False)

    @property
    def template(self) -> str:
        return f"{self.name}.j2"

    def applies_to(self, case: m.Case) -> bool:
        """The person is in one of the kind's programs."""
        return any(case.enrollments.get(p) is not None for p in self.programs)

    def applies(self, subject: Subject) -> bool:
        """The kind fits this case: one of its programs, and its situation (a referral on file, a decision)."""
        return self.applies_to(subject.case) and (self.situation is None or self.situation(subject))


# ---------------------------------------------------------------- requirements

def _enrolled(s: Subject, program: str) -> list[str]:
    return [] if s.case.enrollments.get(program) is not None else [f"case.yaml: enrollments.{program}"]


def _staff(s: Subject, *roles: str) -> list[str]:
    if any(s.staff_member(r) for r in roles):
        return []
    return [f"case.yaml: staff.{' or staff.'.join(roles)} (an id listed under staff in careerpath.yaml)"]


def _agency(s: Subject) -> list[str]:
    return [] if s.config.agency else ["careerpath.yaml: agency"]


def _req_pccp(s: Subject) -> list[str]:
    out = _agency(s) + _enrolled(s, "ca-dds-ccp") + _staff(s, "navigator")
    if s.plan is None:
        out.append("plan.yaml (the plan file)")
    elif not s.plan.goals:
        out.append("plan.yaml: goals (at least one)")
    return out


def _req_ipe_se(s: Subject) -> list[str]:
    out = _agency(s) + _enrolled(s, "ca-dor-se") + _staff(s, "counselor")
    se = s.case.enrollments.ca_dor_se
    if se is not None and not (se.extended_services_source or se.reasonable_expectation):
        out.append("case.yaml: enrollments.ca-dor-se.extended_services_source "
                   "or enrollments.ca-dor-se.reasonable_expectation")
    return out


def _czn_services(s: Subject) -> list[m.PlanService]:
    return [sv for sv in (s.plan.services if s.plan else []) if sv.program == "ru-czn-disability"]


def _req_czn_plan(s: Subject) -> list[str]:
    out = _agency(s) + _enrolled(s, "ru-czn-disability") + _staff(s, "curator")
    services = _czn_services(s)
    if not services:
        out.append("plan.yaml: services (at least one with program: ru-czn-disability)")
    all_services = s.plan.services if s.plan else []
    for i, sv in enumerate(all_services):
        if sv.program == "ru-czn-disability" and sv.due is None:
            out.append(f"plan.yaml: services[{i}].due")
    czn = s.case.enrollments.ru_czn_disability
    if czn is not None and czn.ipra is None:
        out.append("case.yaml: enrollments.ru-czn-disability.ipra")
    return out


def _req_referral_dor(s: Subject) -> list[str]:
    out = _agency(s) + _staff(s, "navigator", "counselor", "ces")
    if s.case.person.phone is None and s.case.person.address is None and s.case.person.email is None:
        out.append("case.yaml: person.phone or person.address or person.email (how DOR reaches the person)")
    if s.referral("dor-application") is None:
        out.append("referrals/<date>-<slug>.yaml with kind: dor-application (the application date)")
    return out


def _req_referral_rc(s: Subject) -> list[str]:
    out = _agency(s) + _staff(s, "navigator", "counselor", "ces")
    ref = s.referral("regional-center")
    ccp = s.case.enrollments.ca_dds_ccp
    if ref is None and not (ccp and ccp.regional_center):
        out.append("referrals/<date>-<slug>.yaml with kind: regional-center, "
                   "or case.yaml: enrollments.ca-dds-ccp.regional_center")
    return out


def _req_referral_psych(s: Subject) -> list[str]:
    out = _agency(s) + _enrolled(s, "ru-czn-disability") + _staff(s, "curator")
    if s.referral("psychological-support") is None:
        out.append("referrals/<date>-<slug>.yaml with kind: psychological-support")
    czn = s.case.enrollments.ru_czn_disability
    if czn is not None and (czn.ipra is None or not czn.ipra.number):
        out.append("case.yaml: enrollments.ru-czn-disability.ipra.number")
    return out


def _req_interpreter(s: Subject) -> list[str]:
    return _agency(s) + _staff(s, "navigator", "counselor", "ces", "curator", "job-coach")


def _req_progress(s: Subject) -> list[str]:
    return _agency(s) + _staff(s, "navigator", "counselor", "ces", "curator", "job-coach")


def _req_annual(s: Subject) -> list[str]:
    return _agency(s) + _enrolled(s, "ca-dds-ccp") + _staff(s, "navigator", "ces")


def _req_ipra_report(s: Subject) -> list[str]:
    out = _agency(s) + _enrolled(s, "ru-czn-disability") + _staff(s, "curator")
    czn = s.case.enrollments.ru_czn_disability
    if czn is not None:
        if czn.ipra is None:
            out.append("case.yaml: enrollments.ru-czn-disability.ipra")
        else:
            if not czn.ipra.number:
                out.append("case.yaml: enrollments.ru-czn-disability.ipra.number")
            if not czn.ipra.measures:
                out.append("case.yaml: enrollments.ru-czn-disability.ipra.measures (at least one)")
    return out


def _req_ineligibility(s: Subject) -> list[str]:
    out = _agency(s) + _enrolled(s, "ca-dor-vr")
    vr = s.case.enrollments.ca_dor_vr
    if vr is not None:
        if vr.eligibility.status != "ineligible":
            out.append("case.yaml: enrollments.ca-dor-vr.eligibility.status (ineligible)")
        if vr.eligibility.decided is None:
            out.append("case.yaml: enrollments.ca-dor-vr.eligibility.decided")
    return out


_ALL = ("ca-dds-ccp", "ca-dor-vr", "ca-dor-se", "ru-czn-disability")
_CA = ("ca-dds-ccp", "ca-dor-vr", "ca-dor-se")

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("pccp", N_("Your Person-Centered Career Plan"), ("ca-dds-ccp",), _req_pccp, labels=("AREAS",)),
    Kind("ipe-se", N_("Individualized Plan for Employment: supported employment"), ("ca-dor-se",), _req_ipe_se,
         labels=("SE_TYPES",)),
    Kind("czn-plan", N_("Individual employment plan"), ("ru-czn-disability",), _req_czn_plan),
    Kind("referral-dor", N_("Application packet: Department of Rehabilitation"), ("ca-dds-ccp", "ca-dor-vr"),
         _req_referral_dor, labels=("ROLES",), situation=lambda s: s.referral("dor-application") is not None),
    Kind("referral-rc", N_("Referral to the regional center"), _CA, _req_referral_rc, audience="agency",
         labels=("ROLES", "PROGRAMS", "REFERRAL_DOCUMENTS"),
         situation=lambda s: s.referral("regional-center") is not None or bool(
             s.case.enrollments.ca_dds_ccp and s.case.enrollments.ca_dds_ccp.regional_center)),
    Kind("referral-psych", N_("Referral for psychological support"), ("ru-czn-disability",), _req_referral_psych,
         situation=lambda s: s.referral("psychological-support") is not None),
    Kind("interpreter-request", N_("Request for an interpreter or translation"), _ALL, _req_interpreter,
         audience="agency", labels=("ROLES",)),
    Kind("monthly-note", N_("Monthly review note"), ("ca-dds-ccp", "ca-dor-se"), _req_progress, period="month",
         audience="agency", labels=("ROLES", "PROGRAMS", "EVENT_TYPES", "STATUSES")),
    Kind("quarterly-report", N_("Quarterly progress report"), ("ca-dds-ccp",), _req_progress, period="quarter",
         audience="agency", labels=("ROLES", "EVENT_TYPES", "STATUSES")),
    Kind("annual-report", N_("Annual progress report"), ("ca-dds-ccp",), _req_annual, period="year",
         audience="agency", labels=("ROLES", "AREAS", "STATUSES")),
    Kind("ipra-report", N_("Report on the IPRA measures"), ("ru-czn-disability",), _req_ipra_report,
         audience="agency"),
    Kind("ineligibility-checklist", N_("Ineligibility notice: checklist"), ("ca-dor-vr",), _req_ineligibility,
         audience="agency", labels=("ELIGIBILITY",),
         situation=lambda s: bool(s.case.enrollments.ca_dor_vr
                                  and s.case.enrollments.ca_dor_vr.eligibility.status == "ineligible")),
)}


def kind_msgids() -> set[str]:
    return {k.title for k in KINDS.values()}

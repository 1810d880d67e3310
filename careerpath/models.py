"""The caseload format (../shared/FORMAT.md) as typed models.

These models are the single source of truth for the file format: the loader
validates with them, ``careerpath schema`` exports them as JSON Schema for
editors, and every later stage (obligations, documents, reports) reads them.
Fields may be added (optional); renaming one needs a migration.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from .ids import CASE_ID_PATTERN

PROGRAMS = ("ca-dds-ccp", "ca-dor-vr", "ca-dor-se", "ru-czn-disability")
ROLES = ("navigator", "ces", "counselor", "curator", "psychologist", "job-coach")
EVENT_TYPES = (
    "monthly-review", "quarterly-report", "annual-report", "worksite-monitoring", "ipe-review",
    "extension-request", "transition", "ipp-meeting", "iep-meeting", "retention-check",
    "ipra-report", "ineligibility-review",
)
HISTORY_EVENT_TYPES = ("contact", "note", "meeting", "phone-call", "visit")

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError("invalid_date", "is not a real calendar date") from None
    raise PydanticCustomError("invalid_date", "must be a date written YYYY-MM-DD")


Date = Annotated[date, BeforeValidator(_parse_date), WithJsonSchema({"type": "string", "format": "date"})]
Id = Annotated[str, Field(pattern=CASE_ID_PATTERN)]
CaseId = Id
StaffId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Language = Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 ().-]{2,30}( ?(x|ext\.?) ?[0-9]{1,6})?$")]
Duration = Annotated[str, Field(pattern=r"^[1-9][0-9]{0,3}[dwmy]$", description="a count and a unit: 30d, 2w, 6m, 1y")]
Text = Annotated[str, Field(min_length=1)]


class Model(BaseModel):
    # Unknown fields are reported (with a suggestion) by the loader before
    # validation, then dropped; the models themselves ignore them.
    model_config = ConfigDict(extra="ignore", populate_by_name=True, str_strip_whitespace=True)


# ---------------------------------------------------------------- careerpath.yaml

class QualificationException(Model):
    approved: Date
    by: Text


class Staff(Model):
    id: StaffId
    name: Text
    role: Literal["navigator", "ces", "counselor", "curator", "psychologist", "job-coach"]
    languages: list[Language] = []
    degree: Optional[Literal["none", "high-school", "associate", "bachelor", "master", "doctorate"]] = None
    years_dd_experience: Optional[Annotated[float, Field(ge=0)]] = None
    person_centered_training: bool = False
    certifications: list[Literal["CESP", "ACRE-CE", "ACRE"]] = []
    qualification_exception: Optional[QualificationException] = None
    email: Optional[str] = None
    # the team's git server (docs/team.md): who may push what, and the server accounts that are this person
    access: Optional[Literal["supervisor", "admin"]] = None
    logins: list[Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[^\s]+$")]] = []


class Settings(Model):
    warn_days: Annotated[int, Field(ge=0, le=366)] = 30
    ccp_quarterly_report_days: Annotated[int, Field(ge=0, le=366)] = 30
    retention_checks: list[Duration] = ["30d", "6m", "12m"]
    czn_ipra_report_before: Duration = "1m"
    # needs-source: the list of IPRA measures is drawn up this many working days after the IPRA arrives
    czn_ipra_list_working_days: Annotated[int, Field(ge=0, le=60)] = 3


class CaseloadConfig(Model):
    agency: Text
    default_language: Language = "en"
    staff: list[Staff] = []
    settings: Settings = Settings()


# ---------------------------------------------------------------- case.yaml

class Closure(Model):
    date: Date
    reason: Text


class Representative(Model):
    name: Text
    relationship: Optional[str] = None
    phone: Optional[Phone] = None


class Person(Model):
    name: Text
    preferred_name: Optional[str] = None
    birth_date: Optional[Date] = None
    language: Language
    interpreter: bool = False
    plain_language: bool = False
    phone: Optional[Phone] = None
    email: Optional[str] = None
    address: Optional[str] = None
    representative: Optional[Representative] = None


class Identifiers(Model):
    uci: Optional[Annotated[str, Field(pattern=r"^[0-9]{1,10}$")]] = None
    dor_case: Optional[Text] = None
    snils: Optional[Annotated[str, Field(pattern=r"^[0-9]{3}-?[0-9]{3}-?[0-9]{3}[ -]?[0-9]{2}$")]] = None
    ssn: Optional[Annotated[str, Field(pattern=r"^[0-9]{3}-?[0-9]{2}-?[0-9]{4}$")]] = None


class CaseStaff(Model):
    navigator: Optional[StaffId] = None
    ces: Optional[StaffId] = None
    counselor: Optional[StaffId] = None
    curator: Optional[StaffId] = None
    psychologist: Optional[StaffId] = None
    job_coach: Optional[StaffId] = Field(None, alias="job-coach")


class CcpEnrollment(Model):
    basis: Literal["left-work-activity-program", "left-subminimum-wage", "exiting-secondary-education"]
    school_exit: Optional[Date] = None
    start: Date
    authorized_until: Optional[Date] = None
    end: Optional[Date] = None
    subcodes: list[Literal["NAV", "CES"]] = []
    regional_center: Optional[str] = None
    service_coordinator: Optional[str] = None


class EligibilityExtension(Model):
    until: Date
    reason: Literal["trial-work-experience", "exceptional-circumstances"]
    agreed: Optional[Date] = None


class WaitingList(Model):
    placed: Date
    released: Optional[Date] = None


class IneligibilityNotice(Model):
    sent: Optional[Date] = None
    reasons: bool = False
    rights: bool = False
    cap_info: bool = False


class Eligibility(Model):
    status: Literal["pending", "eligible", "ineligible", "closed-before-decision"] = "pending"
    decided: Optional[Date] = None
    extension: Optional[EligibilityExtension] = None
    waiting_list: Optional[WaitingList] = None
    notice: Optional[IneligibilityNotice] = None


class IpeExtension(Model):
    until: Date
    agreed: Optional[Date] = None
    by: Optional[Literal["counselor", "district-administrator"]] = None


class Ipe(Model):
    signed: Optional[Date] = None
    extension: Optional[IpeExtension] = None
    reviews: list[Date] = []


class DorVrEnrollment(Model):
    applied: Date
    presumptive: Optional[Literal["ssi", "ssdi"]] = None
    eligibility: Eligibility = Eligibility()
    ipe: Optional[Ipe] = None
    end: Optional[Date] = None


class SeExtension(Model):
    until: Date
    agreed: Optional[Date] = None


class SeEnrollment(Model):
    type: Literal["individual", "group"]
    group_size: Optional[int] = None
    start: Date
    extended_services_source: Optional[Text] = None
    reasonable_expectation: Optional[Text] = None
    extension: Optional[SeExtension] = None
    transitioned: Optional[Date] = None
    end: Optional[Date] = None


class Disability(Model):
    group: Literal[1, 2, 3]
    cause: Optional[str] = None
    set_on: Optional[Date] = None
    until: Optional[Date] = None
    reexamination: Optional[Date] = None


class IpraMeasure(Model):
    name: Text
    from_: Optional[Date] = Field(None, alias="from")
    to: Optional[Date] = None
    executor: Optional[str] = None
    done: Optional[Date] = None
    result: Optional[str] = None


class Ipra(Model):
    number: Optional[Text] = None
    protocol_date: Optional[Date] = None
    received: Optional[Date] = None
    measures_due: Optional[Date] = None
    recommended: list[Text] = []
    contraindicated: list[Text] = []
    measures: list[IpraMeasure] = []


class CznEnrollment(Model):
    registered: Date
    curator: Optional[StaffId] = None
    disability: Optional[Disability] = None
    ipra: Optional[Ipra] = None
    end: Optional[Date] = None


class Enrollments(Model):
    ca_dds_ccp: Optional[CcpEnrollment] = Field(None, alias="ca-dds-ccp")
    ca_dor_vr: Optional[DorVrEnrollment] = Field(None, alias="ca-dor-vr")
    ca_dor_se: Optional[SeEnrollment] = Field(None, alias="ca-dor-se")
    ru_czn_disability: Optional[CznEnrollment] = Field(None, alias="ru-czn-disability")

    def items(self) -> list[tuple[str, Model]]:
        """(program id, enrollment) for each program the person is in."""
        return [(pid, getattr(self, pid.replace("-", "_"))) for pid in PROGRAMS
                if getattr(self, pid.replace("-", "_")) is not None]

    def get(self, program: str) -> Optional[Model]:
        return getattr(self, program.replace("-", "_"), None) if program in PROGRAMS else None


class Job(Model):
    employer: Text
    title: Optional[str] = None
    start: Date
    end: Optional[Date] = None
    hours_per_week: Optional[Annotated[float, Field(ge=0, le=168)]] = None
    wage: Optional[Annotated[float, Field(ge=0)]] = None
    currency: Optional[Annotated[str, Field(pattern=r"^[A-Z]{3}$")]] = None
    integrated: Optional[bool] = None
    program: Optional[str] = None


class Case(Model):
    id: CaseId
    status: Literal["active", "closed"] = "active"
    opened: Optional[Date] = None
    closure: Optional[Closure] = None
    person: Person
    identifiers: Identifiers = Identifiers()
    staff: CaseStaff = CaseStaff()
    enrollments: Enrollments = Enrollments()
    jobs: list[Job] = []


# ---------------------------------------------------------------- plan.yaml

class Objective(Model):
    id: Text
    text: Text
    due: Optional[Date] = None
    done: Optional[Date] = None


class Goal(Model):
    id: Text
    area: Literal["employment", "community", "education", "supports"]
    statement: Text
    own_words: Optional[str] = None
    objectives: list[Objective] = []


class PlanService(Model):
    name: Text
    program: Optional[str] = None
    provider: Optional[str] = None
    start: Optional[Date] = None
    due: Optional[Date] = None
    done: Optional[Date] = None
    result: Optional[str] = None


class Plan(Model):
    own_words: Optional[str] = None
    strengths: list[Text] = []
    interests: list[Text] = []
    barriers: list[Text] = []
    supports: list[Text] = []
    goals: list[Goal] = []
    services: list[PlanService] = []


# ---------------------------------------------------------------- events and referrals

class Event(Model):
    date: Date
    type: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    by: Optional[StaffId] = None
    program: Optional[str] = None
    summary: Optional[str] = None


class ReferralOutcome(Model):
    date: Date
    conclusion: Optional[str] = None


class Referral(Model):
    date: Date
    to: Text
    kind: Literal["dor-application", "regional-center", "psychological-support", "interpreter", "other"]
    program: Optional[str] = None
    by: Optional[StaffId] = None
    documents: list[Text] = []
    consent: Optional[Literal["agreed", "declined"]] = None
    follow_up: Optional[Date] = None
    outcome: Optional[ReferralOutcome] = None


# file kind -> model; the names are also the JSON Schema file names
FILE_MODELS: dict[str, type[Model]] = {
    "careerpath": CaseloadConfig,
    "case": Case,
    "plan": Plan,
    "event": Event,
    "referral": Referral,
}

"""The caseload format (../shared/FORMAT.md) as typed models: the part no program owns.

These models and the programs' declarations (``careerpath/programs/<id>/program.yaml``)
are the single source of truth for the file format: the loader validates with
them, ``careerpath schema`` exports them as JSON Schema for editors, and every
later stage (obligations, documents, reports) reads what they load to. An
enrollment (``case.enrollments.<program>``) and the settings a program reads
are declared by that program, validated with a model generated from the
declaration, and loaded as plain :class:`~careerpath.values.Record` data.
Fields may be added (optional); renaming one needs a migration.
"""

from __future__ import annotations

import re
import typing
from datetime import date, datetime
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from .ids import CASE_ID_PATTERN
from .period import FIRST_YEAR, LAST_YEAR

ROLES = ("navigator", "ces", "counselor", "curator", "psychologist", "job-coach")
#: Event types kept as history only (they satisfy no obligation, though `contact` answers the DOR
#: waiting-list contact); the types that count are declared by the programs (``events:`` in
#: program.yaml). Together they are the closed list of event types: any other is an error. Chosen from
#: the work the seeds describe: contacts of every medium (DOR's 90-day letters, 9 CCR 7055), home and
#: other visits, meetings and interviews, DOR assessment and trial work, CCP discovery and job
#: development, SE job coaching and travel training, the employment center's consultations, surveys and
#: job fairs; and `feedback`, a person's word on the service (issue 20: channel, rating, text, anonymous).
#: docs/format.md lists them.
HISTORY_EVENT_TYPES = ("contact", "note", "phone-call", "email", "letter", "text-message", "video-call", "meeting",
                       "home-visit", "visit", "interview", "assessment", "trial-work", "discovery", "job-development",
                       "job-coaching", "travel-training", "consultation", "survey", "job-fair", "feedback")
#: how a `feedback` event came in, and its rating scale: 1 (very dissatisfied) .. 5 (very satisfied);
#: 4 and 5 count as satisfied (``careerpath report feedback``)
FEEDBACK_CHANNELS = ("in-person", "phone", "online", "suggestion-box")
RATING_MIN, RATING_MAX, SATISFIED_FROM = 1, 5, 4
#: Settings every caseload has, whatever its programs (a program declares its own in program.yaml).
CORE_SETTINGS = {
    "warn_days": {"type": "integer", "min": 0, "max": 366, "default": 30,
                  "help": "An obligation is due-soon this many days ahead."},
    "late_entry_days": {"type": "integer", "min": 0, "max": 3660, "default": 7,
                        "help": "A recording dated more than this many days before the day it is made is a late entry."},
    "sign_commits": {"type": "choice", "values": ["none", "ssh"], "default": "none",
                     "help": "ssh: every recording is signed with the staff member's SSH key (git's gpg.format ssh)."},
    # seed 004: «Ежеквартально … проводится не менее двух опросов» (report surveys; 0 turns the duty off)
    "surveys_per_quarter": {"type": "integer", "min": 0, "max": 100, "default": 2,
                            "help": "Client surveys due each calendar quarter (seed 004: at least two); 0: none."},
}

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: A public SSH key line (careerpath.signing.PUBLIC_KEY, kept here so the models import nothing heavy)
SIGNING_KEY = (r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|"
               r"sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]*)?$")
#: The largest amount of money a field may hold: far above any wage in any currency, and small enough that
#: formatting it with its cents stays exact (Babel's decimal arithmetic fails past 28 digits: ``wage: 1e26``).
MONEY_MAX = 1_000_000_000


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str) and _ISO.match(value.strip()):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError("invalid_date", "is not a real calendar date") from None
    else:
        raise PydanticCustomError("invalid_date", "must be a date written YYYY-MM-DD")
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        # 9999-12-31 as an application date would push its deadline out of sight with no word; year 1 breaks
        # date arithmetic. The same span as --today and --period.
        raise PydanticCustomError("date_range", "must be from {first} to {last}",
                                  {"first": f"{FIRST_YEAR}-01-01", "last": f"{LAST_YEAR}-12-31"})
    return parsed


Date = Annotated[date, BeforeValidator(_parse_date), WithJsonSchema({"type": "string", "format": "date"})]
Id = Annotated[str, Field(pattern=CASE_ID_PATTERN)]
CaseId = Id
StaffId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Language = Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
Phone = Annotated[str, Field(pattern=r"^\+?[0-9][0-9 ().-]{2,30}( ?(x|ext\.?) ?[0-9]{1,6})?$")]
Duration = Annotated[str, Field(pattern=r"^[1-9][0-9]{0,3}[dwmy]$", description="a count and a unit: 30d, 2w, 6m, 1y")]
Text = Annotated[str, Field(min_length=1)]
Money = Annotated[float, Field(ge=0, le=MONEY_MAX, allow_inf_nan=False)]


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
    years_dd_experience: Optional[Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]] = None
    person_centered_training: bool = False
    certifications: list[Literal["CESP", "ACRE-CE", "ACRE"]] = []
    qualification_exception: Optional[QualificationException] = None
    email: Optional[str] = None
    # the team's git server (docs/team.md): who may push what, and the server accounts that are this person
    access: Optional[Literal["supervisor", "admin"]] = None
    logins: list[Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[^\s]+$")]] = []
    # the public SSH key this person signs commits with (docs/recording.md, "Signed records")
    signing_key: Optional[Annotated[str, Field(max_length=16384, pattern=SIGNING_KEY)]] = None


class CaseloadConfig(Model):
    agency: Text
    default_language: Language = "en"
    # the language of documents sent to agencies (a program may declare its own: program.yaml agency_language)
    agency_language: Language = "en"
    staff: list[Staff] = []
    # validated by the loader against the core settings and those the programs declare (a Record)
    settings: dict[str, Any] = {}


# ---------------------------------------------------------------- case.yaml

class Closure(Model):
    date: Date
    reason: Text  # one of careerpath.closing.CORE_REASONS or a program's own (validate warns otherwise)
    note: Optional[str] = None  # what happened, in words (required with reason `other`)
    override: Optional[str] = None  # why a program's closure condition was overridden (`close --override`)


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


class Job(Model):
    employer: Text
    title: Optional[str] = None
    start: Date
    end: Optional[Date] = None
    hours_per_week: Optional[Annotated[float, Field(ge=0, le=168, allow_inf_nan=False)]] = None
    wage: Optional[Money] = None
    currency: Optional[Annotated[str, Field(pattern=r"^[A-Z]{3}$")]] = None
    integrated: Optional[bool] = None
    program: Optional[str] = None


class Evidence(Model):
    """The paper behind a key date: a file in the case's documents/ and its SHA-256 when attached."""

    file: Annotated[str, Field(pattern=r"^documents/[^/\\]+$")]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class Case(Model):
    id: CaseId
    status: Literal["active", "closed"] = "active"
    opened: Optional[Date] = None
    closure: Optional[Closure] = None
    person: Person
    identifiers: Identifiers = Identifiers()
    staff: CaseStaff = CaseStaff()
    # program id -> enrollment: each validated by the loader against its program's declared fields
    # and kept as a Record (in the file's order); a key no program declares is an unknown-program error
    enrollments: dict[str, Any] = {}
    jobs: list[Job] = []
    # key date address (`enrollments.ca-dor-vr.applied`, `closure.date`) -> its evidence (`careerpath attach`)
    evidence: dict[str, Evidence] = {}


# ---------------------------------------------------------------- plan.yaml

# Free text in other languages (docs/format.md, "Translations of free text"): every translatable object may
# carry an optional `translations:` map, language tag -> the same field names with their text in that language.
# Optional fields only: a file without them means what it meant before.

class ObjectiveText(Model):
    text: Optional[Text] = None


class GoalText(Model):
    statement: Optional[Text] = None
    own_words: Optional[Text] = None


class ServiceText(Model):
    name: Optional[Text] = None
    result: Optional[Text] = None


class PlanText(Model):
    own_words: Optional[Text] = None
    # the same number of items as the list they translate, in its order
    strengths: Optional[list[Text]] = None
    interests: Optional[list[Text]] = None
    barriers: Optional[list[Text]] = None
    supports: Optional[list[Text]] = None


class Objective(Model):
    id: Text
    text: Text
    due: Optional[Date] = None
    done: Optional[Date] = None
    translations: dict[Language, ObjectiveText] = {}


class Goal(Model):
    id: Text
    area: Literal["employment", "community", "education", "supports"]
    statement: Text
    own_words: Optional[str] = None
    objectives: list[Objective] = []
    translations: dict[Language, GoalText] = {}


class PlanService(Model):
    name: Text
    program: Optional[str] = None
    provider: Optional[str] = None
    start: Optional[Date] = None
    due: Optional[Date] = None
    done: Optional[Date] = None
    result: Optional[str] = None
    translations: dict[Language, ServiceText] = {}


class Plan(Model):
    # the language its text (strengths, goals, steps, services) is written in; default: the language of the
    # case's agency (a program's agency_language, else careerpath.yaml's). `own_words` are the person's, in theirs.
    language: Optional[Language] = None
    own_words: Optional[str] = None
    strengths: list[Text] = []
    interests: list[Text] = []
    barriers: list[Text] = []
    supports: list[Text] = []
    goals: list[Goal] = []
    services: list[PlanService] = []
    translations: dict[Language, PlanText] = {}


# ---------------------------------------------------------------- events and referrals

class Event(Model):
    date: Date
    type: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    by: Optional[StaffId] = None
    program: Optional[str] = None
    summary: Optional[str] = None
    # a `feedback` event (the feedback journal, issue 20): how it came in, the rating, the person's words,
    # and whether it was given anonymously (the journal then names no case)
    channel: Optional[Literal["in-person", "phone", "online", "suggestion-box"]] = None
    rating: Optional[Annotated[int, Field(ge=1, le=5, description="1 very dissatisfied .. 5 very satisfied")]] = None
    text: Optional[str] = None
    anonymous: bool = False


class ReferralOutcome(Model):
    date: Date
    conclusion: Optional[str] = None


class Meeting(Model):
    """When and where an interpreter (or another referred service) is needed: a referral's ``meeting``."""
    date: Date
    time: Optional[Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                                        description="24-hour time, HH:MM")]] = None
    place: Optional[str] = None
    mode: Optional[Literal["in-person", "phone", "video"]] = None


class Referral(Model):
    # `benefits-planning`: work incentives counselling (issue 20); `reason` and `meeting` are optional
    date: Date
    to: Text
    kind: Literal["dor-application", "regional-center", "psychological-support", "interpreter",
                  "benefits-planning", "other"]
    reason: Optional[str] = None
    meeting: Optional[Meeting] = None
    program: Optional[str] = None
    by: Optional[StaffId] = None
    documents: list[Text] = []
    consent: Optional[Literal["agreed", "declined"]] = None
    follow_up: Optional[Date] = None
    outcome: Optional[ReferralOutcome] = None


# ---------------------------------------------------------------- appointments and surveys (issue 20)

#: what a planned appointment is for (``cases/<id>/appointments/<date>-<slug>.yaml``)
APPOINTMENT_KINDS = ("ipp-meeting", "iep-meeting", "ipp-review", "interpreter", "job-interview", "other")
HourMinute = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="24-hour time, HH:MM")]


class Appointment(Model):
    """A planned meeting or appointment of one case: shown in `due` (status `scheduled`), `show` and the
    calendar feed until ``log --from-appointment`` records it as an event (``recorded``)."""
    date: Date
    time: Optional[HourMinute] = None
    minutes: Optional[Annotated[int, Field(ge=5, le=1440, description="how long it lasts (default 60)")]] = None
    kind: Literal["ipp-meeting", "iep-meeting", "ipp-review", "interpreter", "job-interview", "other"]
    place: Optional[str] = None
    mode: Optional[Literal["in-person", "phone", "video"]] = None
    who: list[Text] = []                  # who takes part besides the staff (roles or names)
    staff: list[StaffId] = []             # the staff who go
    program: Optional[str] = None
    requested: Optional[Date] = None      # the day a written request for the meeting arrived
    referral: Optional[str] = None        # the referral it belongs to (an interpreter booking): its file name
    summary: Optional[str] = None
    recorded: Optional[str] = None        # the event file it became (`log --from-appointment` sets it)


#: who a survey asks (``surveys/<date>-<slug>.yaml`` at the caseload's top); staff surveys are not client surveys
SURVEY_AUDIENCES = ("citizens", "people-with-disabilities", "employers", "staff")
SURVEY_CHANNELS = ("online", "phone", "in-person", "tablet", "paper", "interview", "exit-poll", "suggestion-box")


class Survey(Model):
    """One survey of the service's clients (the ЦЗН's опросы и анкетирования, seed 004): who was asked,
    how many answered and, for a satisfaction survey, how many were satisfied (a count or a share)."""
    date: Date                            # the day it ended (the file name's date)
    name: Text
    period: Optional[Annotated[str, Field(pattern=r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$",
                                          description="what it covered: 2026, 2026-Q1 or 2026-02")]] = None
    audience: Literal["citizens", "people-with-disabilities", "employers", "staff"]
    channel: Optional[Literal["online", "phone", "in-person", "tablet", "paper", "interview", "exit-poll",
                              "suggestion-box"]] = None
    respondents: Annotated[int, Field(ge=0, le=10_000_000)]
    satisfied: Optional[Annotated[int, Field(ge=0, le=10_000_000)]] = None
    satisfied_share: Optional[Annotated[float, Field(ge=0, le=100, allow_inf_nan=False,
                                                     description="percent of respondents satisfied")]] = None
    questionnaire: Optional[str] = None   # the questionnaire's file, relative to the caseload folder
    program: Optional[str] = None
    by: Optional[StaffId] = None

    def satisfied_count(self) -> Optional[float]:
        """How many respondents were satisfied: the count, else the share of the respondents; None when
        the survey did not measure satisfaction."""
        if self.satisfied is not None:
            return float(min(self.satisfied, self.respondents))
        if self.satisfied_share is not None:
            return self.satisfied_share * self.respondents / 100
        return None


# file kind -> model; the names are also the JSON Schema file names
FILE_MODELS: dict[str, type[Model]] = {
    "careerpath": CaseloadConfig,
    "case": Case,
    "plan": Plan,
    "event": Event,
    "referral": Referral,
    "appointment": Appointment,
    "survey": Survey,
}


# ---------------------------------------------------------------- which values are personal

#: Core fields whose every value is personal, whatever its type (a birth date, an interpreter flag, a SNILS):
#: paths within their file kind, ``*`` for any list index or key.
PERSONAL: dict[str, tuple[tuple, ...]] = {
    "case": (("person",), ("identifiers",), ("jobs", "*", "wage")),   # a wage is an income
    "plan": (),
}
#: Core text fields that are ids or stored codes, not personal: their values may go into a commit subject.
NOT_PERSONAL: dict[str, tuple[tuple, ...]] = {
    "case": (("id",), ("staff", "*"), ("jobs", "*", "currency"), ("jobs", "*", "program")),
    "plan": (("goals", "*", "id"), ("goals", "*", "objectives", "*", "id"), ("services", "*", "program")),
}


def _matches(path: tuple, pattern: tuple) -> bool:
    """Whether ``path`` is ``pattern`` or lies under it (``*`` matches any one step)."""
    return len(path) >= len(pattern) and all(p == "*" or p == q for p, q in zip(pattern, path))


def _unwrap(annotation: Any) -> Any:
    """The type inside ``Optional[...]`` and ``Annotated[...]``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin is typing.Union or str(origin) == "types.UnionType":
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else Any
        else:
            return annotation


def _leaf_personal(annotation: Any, kind: str, path: tuple) -> bool:
    """The rule program.yaml's fields follow (text is personal, everything else not), for a core type."""
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin is Literal or annotation in (date, bool, int, float):
        return False
    if origin is list:
        return core_personal(kind, path + ("*",))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        # a whole mapping set at once: personal when any of its fields is
        return any(core_personal(kind, path + (name,)) for name in annotation.model_fields)
    return True  # text, and anything this walk does not know: never shown


def core_personal(kind: str, path: tuple) -> bool:
    """Whether a value at ``path`` of a ``case`` or ``plan`` file may identify the person.

    The core's counterpart of program.yaml's ``personal:`` (an enrollment's
    fields are the program's: :func:`careerpath.record.is_personal` asks it):
    text is personal unless :data:`NOT_PERSONAL` names it as an id, every other
    type (dates, statuses and other choices, flags, numbers) is not, unless
    :data:`PERSONAL` covers it. A path no model declares counts as personal.
    """
    generic = tuple("*" if isinstance(p, int) else p for p in path)
    if any(_matches(generic, p) for p in PERSONAL.get(kind, ())):
        return True
    if any(generic == p or (p[-1] == "*" and _matches(generic, p) and len(generic) == len(p))
           for p in NOT_PERSONAL.get(kind, ())):
        return False
    model: Any = FILE_MODELS.get(kind)
    annotation: Any = model
    for step in generic:
        annotation = _unwrap(annotation)
        if typing.get_origin(annotation) is list:
            if step != "*":
                return True
            annotation = typing.get_args(annotation)[0]
            continue
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return True
        found = next((f for name, f in annotation.model_fields.items() if step in (name, f.alias)), None)
        if found is None:
            return True
        annotation = found.annotation
    if annotation is model:
        return True
    return _leaf_personal(annotation, kind, generic)

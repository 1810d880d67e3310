"""A fifth program made of data only: a caseload's own `programs/xx-toy/` folder, for tests.

No Python: program.yaml declares the enrollment fields, event types, a data check
and the document kinds its people get; rules.yaml its two obligation rules;
documents.yaml a document kind of its own, `toy-card`, whose template is
templates/toy-card.j2 (sandboxed Jinja, like every template).
"""

from __future__ import annotations

from pathlib import Path

TOY_PROGRAM = """\
id: xx-toy
names: {en: Toy job club, es: Club de empleo, vi: Câu lạc bộ việc làm, hy: Աշխատանքի ակումբ, hmn: Pab nrhiav haujlwm, ru: Клуб по трудоустройству}
reviewed: {en: true, ru: false, es: false, vi: false, hy: false, hmn: false}
label: Toy job club
staff: [case.staff.navigator]
start: joined
enrollment:
  joined: {type: date, required: true, key_date: true, label: Joined the club}
  left:
    type: date
    not_before: joined
    order_message: the person left the club before joining it
  level:
    type: choice
    values: [starter, regular]
    default: starter
    labels: {starter: new member, regular: regular member}
  coach: {type: text, redact: name}
  sessions: {type: integer, min: 0, max: 52}
events:
  meeting: {label: Club meeting}
codes:
  toy-sessions:
    severity: error
    meaning: A regular member has between 1 and 52 sessions a year.
checks:
  - code: toy-sessions
    when: {level: regular}
    range: {field: sessions, min: 1, max: 52}
    at_missing: level
    message: a regular member needs `sessions` from 1 to 52
new:
  joined: {option: joined, value: "{opened}", help: the day the person joined (YYYY-MM-DD)}
documents: [toy-card, interpreter-request]
stages:
  - {stage: employed, when: {case.working: true}}
  - {stage: in the club}
ends: {fields: [left]}
"""

TOY_RULES = """\
rules:
  - id: toy.check-in
    titles: {en: Two-week check-in, es: Control, vi: Kiểm tra, hy: Ստուգում, hmn: Kuaj, ru: Проверка}
    citation: Toy Act 1
    confirmed: false
    kind: once
    due:
      - {date: enrollment.joined, offset: 2w}
    done:
      - event: [contact]
        window: [trigger, due]
    explain: Two weeks after joining, a contact.
  - id: toy.weekly
    titles: {en: Weekly session, es: Sesión, vi: Buổi, hy: Նիստ, hmn: Zaum, ru: Занятие}
    citation: Toy Act 2
    confirmed: true
    kind: recurring
    start: {date: enrollment.joined}
    every: 1w
    until: [enrollment.left]
    done:
      - event: [meeting]
        window: [period_start, period_end]
    explain: A meeting every week.
"""


TOY_DOCUMENTS = """\
kinds:
  toy-card:
    title: Your job club card
    audience: person
    period: {unit: year, anchor: enrollment.joined}
    labels: [enrollment.level, roles]
    situation: {enrollment.level: [starter, regular]}
    requires:
      - config.agency
      - enrollment
      - staff.navigator
      - {path: enrollment.sessions, why: sessions so far}
      - one_of: [enrollment.coach, case.person.phone]
"""

TOY_TEMPLATE = """\
{#- The job club's card for its member: a kind of the caseload's own program. Person-facing. -#}
{% extends "_layout." ~ fmt ~ ".j2" %}
{% block body %}
{% import "_blocks." ~ fmt ~ ".j2" as b %}
{{ b.p(_("This card is for %(name)s.", name=person.preferred_name)) }}
{{ b.fields([
  [_("Joined"), enrollment.joined],
  [_("Member"), enrollment.level_label|t],
  [_("Sessions so far"), enrollment.sessions|string],
  [_("Coach"), enrollment.coach],
  [_("Your navigator"), staff.navigator.name ~ ", " ~ (staff.navigator.role_label|t)],
  [_("Club year"), _("From %(start)s to %(end)s", start=period.start, end=period.end)],
  [_("Check-in due"), due["toy.check-in"]],
]) }}
{% endblock %}
"""


def add_toy(root: Path, program: str = TOY_PROGRAM, rules: str = TOY_RULES, documents: str = TOY_DOCUMENTS,
            template: str = TOY_TEMPLATE) -> Path:
    """Write the toy program into ``root/programs/xx-toy/``; returns the folder."""
    folder = Path(root) / "programs" / "xx-toy"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "program.yaml").write_text(program, encoding="utf-8")
    if rules:
        (folder / "rules.yaml").write_text(rules, encoding="utf-8")
    if documents:
        (folder / "documents.yaml").write_text(documents, encoding="utf-8")
    if template:
        (folder / "templates").mkdir(exist_ok=True)
        (folder / "templates" / "toy-card.j2").write_text(template, encoding="utf-8")
    return folder

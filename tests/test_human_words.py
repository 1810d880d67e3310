"""Issue 18, the rest: human words everywhere, periods checked, next actions.

The sample caseload's user-visible output (due, show, the dashboard, the registries, doctor and every
document that fits a case) in all six languages holds no internal reference: no seed citation, no list
position (`services[1]`, `[g1.o3]`), no raw enrollment field name of a built-in program.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from conftest import SAMPLE, copy_samples

TODAY = "2026-11-22"
LANGS = ("en", "es", "vi", "hy", "hmn", "ru")


def _field_names() -> set[str]:
    """Every snake_case enrollment field name the built-in programs declare (what `show` printed as is)."""
    from careerpath.programs import load_programs

    names = set()
    for program in load_programs():
        if program.builtin:
            names |= {part for path, _spec in program.walk() for part in path if isinstance(part, str) and "_" in part}
    return names


FIELDS = _field_names()
FORBIDDEN = re.compile(r"seed \d|seed |services\[|\[g\d+\.|\b(" + "|".join(sorted(map(re.escape, FIELDS))) + r")\b")


def _clean(text: str, where: str) -> None:
    found = sorted({m.group(0) for m in FORBIDDEN.finditer(text)})
    assert not found, f"{where}: {found}"


def test_the_forbidden_words_are_real():
    """The net would catch what the issue saw, and the built-in programs do declare snake_case fields."""
    assert {"school_exit", "authorized_until", "measures_due"} <= FIELDS
    for seen in ("(referral journal, seed 004)", "[services[1]]", "Plan objective due [g1.o3]", "  school_exit  "):
        assert FORBIDDEN.search(seen), seen


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return copy_samples(tmp_path_factory.mktemp("human") / "sample")


@pytest.mark.parametrize("lang", LANGS)
def test_no_internal_reference_reaches_the_user_in_any_language(cli, sample, tmp_path, lang):
    r = cli("--lang", lang, "due", "--all", "--caseload", sample, "--today", TODAY)
    assert r.code == 0, r.err
    _clean(r.out + r.err, f"due ({lang})")
    r = cli("--lang", lang, "due", "--all", "--caseload", sample, "--today", TODAY, "--format", "ics")
    assert r.code == 0, r.err
    _clean(r.out.replace("\r\n ", "").replace("\n ", ""), f"due --format ics ({lang})")  # unfolded (RFC 5545)
    for case in sorted(p.name for p in (sample / "cases").iterdir()):
        r = cli("--lang", lang, "show", case, "--caseload", sample, "--today", TODAY)
        assert r.code == 0, r.err
        _clean(r.out + r.err, f"show {case} ({lang})")
        if case == "sergey-morozov":  # a service by its name and the plan's own number
            assert "Составление резюме с акцентом" in r.out
    out = tmp_path / "reports"
    for kind in ("dashboard", "registry"):
        r = cli("--lang", lang, "report", kind, "--caseload", sample, "--today", TODAY, "--period", "2026",
                "--out", out)
        assert r.code == 0, r.err
    for path in sorted(out.iterdir()):
        _clean(path.read_text(encoding="utf-8-sig"), f"{path.name} ({lang})")
    r = cli("--lang", lang, "doctor", "--caseload", sample)
    _clean(r.out + r.err, f"doctor ({lang})")


@pytest.mark.parametrize("lang", LANGS)
def test_no_document_of_the_sample_caseload_shows_an_internal_reference(sample, lang):
    """Every document kind that fits a case, rendered in each language."""
    from careerpath.documents import kinds_for, render
    from careerpath.pipeline import load

    loaded = load(sample)
    rendered = 0
    for case in sorted(loaded.cases):
        for row in kinds_for(loaded, case):
            if row["missing"]:
                continue
            try:
                doc = render(loaded, row["kind"], case, today=date.fromisoformat(TODAY), lang=lang, fmt="md")
            except Exception as e:  # a period refusal is a diagnostic, not a document
                from careerpath.documents.engine import PeriodRefused

                assert isinstance(e, PeriodRefused), (case, row["kind"], e)
                continue
            _clean(doc.text, f"{row['kind']} {case} ({lang})")
            rendered += 1
    assert rendered >= 20


def test_no_built_in_rule_cites_a_seed():
    from careerpath.obligations import load_rules

    for rule in load_rules().rules:
        assert "seed" not in rule.citation.lower(), rule.id


# ---------------------------------------------------------------- items in words

def test_due_names_services_objectives_jobs_and_referrals_in_words(cli):
    """`due` words each item by the plan's own numbering or id, never with the case's text (its output goes
    to cron mail and files); `show`, the screen that shows the person's name, quotes the case's words too."""
    r = cli("due", "--all", "--caseload", SAMPLE, "--today", TODAY, "--format", "json")
    rows = json.loads(r.out)
    by = {(o["case"], o["rule"], o["item"]): o for o in rows}
    # the plan numbers services from 1: services[1] is № 2; its key is the catalogue's name (program data,
    # issue 20), its words the plan's number
    resume = "Составление резюме с акцентом на профессиональные преимущества соискателя"
    assert by[("sergey-morozov", "czn.plan-service", resume)]["item_words"] == "service № 2"
    assert by[("sergey-morozov", "plan.objective", "g1.o2")]["item_words"] == "objective g1.o2"
    words = {o["item_words"] for o in rows if o["rule"] == "dds.cie-incentive"}
    assert any(re.fullmatch(r"job № \d, \d+ (d|mo) after it began", w) for w in words), words
    assert all(o["item_words"] == f"referral {o['item']}" for o in rows if o["rule"] == "referral.follow-up")
    # periods and rules without a label keep their item
    assert any(o["item"] == "2026-11" and o["item_words"] == "" for o in rows)
    # no case text: no service's name, objective's text, employer or referral destination
    for o in rows:
        assert "Составление резюме" not in o["item_words"] and '"' not in o["item_words"], o
    text = cli("due", "--caseload", SAMPLE, "--today", TODAY, "--case", "sergey-morozov").out
    assert "Employment plan service deadline [service № 2]" in text and "Plan objective due [objective g1.o2]" in text
    ru = cli("--lang", "ru", "due", "--caseload", SAMPLE, "--today", TODAY, "--case", "sergey-morozov").out
    assert "[услуга № 2]" in ru and "[цель g1.o2]" in ru
    # show quotes the case's words, shortened to fit a line
    shown = cli("show", "sergey-morozov", "--caseload", SAMPLE, "--today", TODAY).out
    assert 'Employment plan service deadline [service "Составление резюме с акцентом на профес…" (№ 2)]' in shown
    assert 'Plan objective due [objective g1.o2 "Составить резюме"]' in shown
    assert "[referral to ГАУСО «Центр реабилитации инвалидов «Ту…]" in shown
    ru = cli("--lang", "ru", "show", "sergey-morozov", "--caseload", SAMPLE, "--today", TODAY).out
    assert "[услуга «Составление резюме с акцентом на профес…» (№ 2)]" in ru and "[цель g1.o2 «Составить резюме»]" in ru
    sofia = cli("show", "sofia-ramirez", "--caseload", SAMPLE, "--today", TODAY).out
    assert re.search(r"\[job at [^\]]+, \d+ (d|mo) after it began\]", sofia), sofia


def test_show_redacts_the_case_words_it_quotes(cli):
    r = cli("show", "sergey-morozov", "--caseload", SAMPLE, "--today", TODAY, "--redact")
    assert r.code == 0, r.err
    assert "Морозов" not in r.out and "[service" in r.out


def test_a_rule_label_names_a_known_noun_and_a_path():
    from careerpath.obligations.rules import Rule

    base = {"id": "x.y", "titles": {lang: "t" for lang in LANGS}, "citation": "c", "confirmed": True,
            "kind": "per-item", "each": "plan.services.*", "due": [{"date": "item.due"}], "done": [{"field": "item.done"}]}
    assert Rule.model_validate({**base, "label": {"noun": "service", "text": "item.name"}}).label.noun == "service"
    for bad in ({"noun": "gadget", "text": "item.name"}, {"noun": "service", "text": "item..name"}):
        with pytest.raises(Exception):
            Rule.model_validate({**base, "label": bad})


# ---------------------------------------------------------------- show: labels and next actions

def test_show_uses_the_programs_labels_and_names(cli):
    r = cli("show", "sergey-morozov", "--caseload", SAMPLE, "--today", TODAY)
    assert "Employment center, disability groups I-III (Russia)" in r.out
    assert "Measures due" in r.out and "List of measures № 1: From" in r.out
    assert "ipra." not in r.out and "measures[" not in r.out
    assert "curator Сафина Гульнара Ильдаровна" in r.out
    r = cli("--lang", "ru", "show", "marco-delgado", "--caseload", SAMPLE, "--today", TODAY)
    assert "Разрешено до" in r.out and "authorized_until" not in r.out
    data = json.loads(cli("show", "marco-delgado", "--caseload", SAMPLE, "--today", TODAY, "--format", "json").out)
    ccp = next(e for e in data["enrollments"] if e["program"] == "ca-dds-ccp")
    assert ccp["dates"]["authorized_until"] and ccp["labels"]["authorized_until"] == "Authorized until"


def test_show_lists_the_next_actions_with_what_to_do_and_by_when(cli):
    data = json.loads(cli("show", "sergey-morozov", "--caseload", SAMPLE, "--today", TODAY, "--format", "json").out)
    actions = data["next_actions"]
    assert 1 <= len(actions) <= 5
    assert [a["due"] for a in actions] == sorted(a["due"] for a in actions)  # past due first, then by date
    first = actions[0]
    assert first["days"] < 0 and first["how"] == "mark it done: `careerpath plan sergey-morozov done g1.o2`"
    assert "mark it done: `careerpath plan sergey-morozov done " \
           "составление-резюме-с-акцентом-на-профессиональные-преимущества-соискателя`" in [a["how"] for a in actions]
    assert any("careerpath refer sergey-morozov 2026-11-09-psychological-support --outcome" in a["how"]
               for a in actions)
    # informational reminders are not actions
    assert all(a["rule"] != "czn.reexamination" for a in actions)
    text = cli("show", "sergey-morozov", "--caseload", SAMPLE, "--today", TODAY).out
    assert "next actions" in text and "(23 days late)" in text and "(in 5 days)" in text
    # an obligation done by an event says which event to log; one done by a field names it by its label
    marco = json.loads(cli("show", "marco-delgado", "--caseload", SAMPLE, "--today", TODAY, "--format", "json").out)
    hows = [a["how"] for a in marco["next_actions"]]
    assert 'fill in "Decision date": `careerpath edit marco-delgado`' in hows
    assert "log it when it happens: `careerpath log marco-delgado quarterly-report`" in hows
    # the commands it names work: marking the first one done removes it from the list
    ru = cli("--lang", "ru", "show", "sergey-morozov", "--caseload", SAMPLE, "--today", TODAY).out
    assert "следующие действия" in ru and "просрочено на 23 дня" in ru


@pytest.mark.parametrize("which", [0, 1])  # an objective, then a service
def test_the_next_action_it_names_clears_the_obligation(cli, tmp_path, monkeypatch, which):
    root = copy_samples(tmp_path / "c")
    monkeypatch.setenv("CAREERPATH_STAFF", "gsafina")
    before = json.loads(cli("show", "sergey-morozov", "--caseload", root, "--today", TODAY, "--format", "json").out)
    action = before["next_actions"][which]
    assert action["rule"] == ("plan.objective", "czn.plan-service")[which]
    command = re.search(r"`careerpath (.*)`", action["how"]).group(1).split()
    r = cli(*command, "--caseload", root, "--today", TODAY, "--date", TODAY, "--no-commit")
    assert r.code == 0, r.err
    after = json.loads(cli("show", "sergey-morozov", "--caseload", root, "--today", TODAY, "--format", "json").out)
    assert action["uid"] not in {a["uid"] for a in after["next_actions"]}


# ---------------------------------------------------------------- periods checked

def test_a_report_for_a_period_before_the_enrollment_is_refused_unless_forced(cli, tmp_path):
    # marco-delgado's CCP enrollment began on 2026-05-04
    r = cli("render", "quarterly-report", "marco-delgado", "--caseload", SAMPLE, "--today", TODAY, "--period", "2026-Q1")
    assert r.code == 4 and r.out == ""
    assert "quarterly-report for 2026-Q1: the person was not enrolled yet (enrolled on 2026-05-04)" in r.err
    assert "--force" in r.err and "Traceback" not in r.err
    # a period that has not begun is empty too
    r = cli("render", "quarterly-report", "marco-delgado", "--caseload", SAMPLE, "--today", TODAY, "--period", "2027-Q1")
    assert r.code == 4 and "has not begun yet" in r.err
    # nothing written to --out when refused
    target = tmp_path / "q1.md"
    r = cli("render", "quarterly-report", "marco-delgado", "--caseload", SAMPLE, "--today", TODAY, "--period", "2026-Q1",
            "--out", target)
    assert r.code == 4 and not target.exists()
    # --force writes it, marked at its top, and says so on stderr
    r = cli("render", "quarterly-report", "marco-delgado", "--caseload", SAMPLE, "--today", TODAY, "--period", "2026-Q1",
            "--force")
    assert r.code == 0, r.err
    assert r.out.startswith("> **Written on request for 2026-Q1, a period in which the person was not enrolled")
    assert "written although empty (--force)" in r.err
    html = cli("render", "quarterly-report", "marco-delgado", "--caseload", SAMPLE, "--today", TODAY, "--period",
               "2026-Q1", "--force", "--format", "html", "--lang", "ru").out
    assert 'class="period-note"' in html and "Составлено по запросу за 2026-Q1" in html
    # a period the person was enrolled in renders without a note
    r = cli("render", "quarterly-report", "marco-delgado", "--caseload", SAMPLE, "--today", TODAY, "--period", "2026-Q2")
    assert r.code == 0 and "Written on request" not in r.out


def test_a_period_after_the_enrollment_ended_is_refused(caseload, tmp_path):
    from careerpath.documents import engine
    from careerpath.documents.kinds import kinds_of
    from careerpath.period import parse_period
    from careerpath.pipeline import load

    loaded = load(SAMPLE)
    kind = kinds_of(loaded.programs)["quarterly-report"]
    subject = engine.subject_of(loaded, "marco-delgado")
    spans = engine.enrollment_spans(kind, subject, date(2026, 11, 22))
    assert spans == [("ca-dds-ccp", date(2026, 5, 4), spans[0][2])]
    # the CCP authorization ends 2027-05-03: a quarter after it is refused as ended
    problem = engine.period_problem(kind, subject, parse_period("2027-Q3"), date(2027, 12, 1))
    assert problem is not None and problem.msgid == "{kind} for {period}: the person's enrollment had ended (on {end})"
    assert engine.period_problem(kind, subject, parse_period("2026-Q3"), date(2026, 11, 22)) is None


def test_period_completion_offers_the_periods_the_case_was_open(tmp_path):
    from careerpath.cli import completion

    class Ctx:
        params = {"caseload": str(SAMPLE), "case": "marco-delgado", "kind": "quarterly-report", "today": TODAY}
        parent = None

    assert completion.periods(Ctx(), "") == ["2026-Q2", "2026-Q3", "2026-Q4"]
    Ctx.params = {**Ctx.params, "kind": "monthly-note"}
    assert completion.periods(Ctx(), "2026-0") == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]
    Ctx.params = {"caseload": str(SAMPLE), "today": TODAY}  # no case: this year's and last year's
    assert "2025-Q1" in completion.periods(Ctx(), "2025-Q") and "2026-11" in completion.periods(Ctx(), "2026-1")


def test_bash_completes_period_from_the_case(tmp_path):
    import subprocess

    from test_day import BASH, _shell_env

    script = BASH.format(lines='complete_line "careerpath render quarterly-report marco-delgado --today 2026-11-22 '
                               '--period 2026" 7')
    proc = subprocess.run(["bash", "-c", script], cwd=SAMPLE, env=_shell_env(tmp_path), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert set(proc.stdout.split()) == {"2026-Q2", "2026-Q3", "2026-Q4"}, (proc.stdout, proc.stderr)


# ---------------------------------------------------------------- doctor, registry, dashboard

def test_doctor_counts_with_plurals(cli, monkeypatch):
    from careerpath import doctor

    def one_of_each(root, cache=None):
        return [doctor.Finding("python", "ok", "Python"), doctor.Finding("extra weasyprint", "warn", "not installed")]

    monkeypatch.setattr(doctor, "diagnose", one_of_each)
    r = cli("doctor", "--caseload", SAMPLE)
    assert r.err.strip().splitlines()[-1] == "0 checks failed, 1 warning, 1 check ok"
    r = cli("--lang", "ru", "doctor", "--caseload", SAMPLE)
    assert r.err.strip().splitlines()[-1] == "0 проверок не пройдено, 1 предупреждение, 1 проверка в порядке"


def test_the_russian_registry_csv_is_in_russian_with_names(cli, tmp_path):
    out = tmp_path / "out"
    r = cli("report", "registry", "--caseload", SAMPLE, "--today", TODAY, "--period", "2026", "--out", out)
    assert r.code == 0, r.err
    lines = (out / "registry-recipients-2026.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "№,Дело,ФИО,Группа инвалидности,Дата постановки на учёт,Куратор,№ ИПРА,Статус дела"
    assert all("gsafina" not in line for line in lines) and "Сафина Гульнара Ильдаровна" in lines[1]
    referrals = (out / "registry-psych-referrals-2026.csv").read_text(encoding="utf-8-sig")
    assert "паспорт, трудовая книжка, ИПРА" in referrals and "work-record-book" not in referrals
    assert not re.search(r"^[\ufeff]?[a-z_,]+$", referrals.splitlines()[0])


def test_the_dashboard_gives_units_and_names(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("report", "dashboard", "--caseload", SAMPLE, "--today", TODAY, "--out", out).code == 0
    page = (out / "dashboard.html").read_text(encoding="utf-8")
    assert "median wage, RUB per hour" in page and "median wage, USD per hour" in page
    assert "Vietnamese" in page and "Russian" in page  # languages by name, not code
    assert "Сафина Гульнара Ильдаровна" in page and ">gsafina<" not in page
    ru = tmp_path / "ru"
    assert cli("report", "dashboard", "--caseload", SAMPLE, "--today", TODAY, "--out", ru, "--lang", "ru").code == 0
    assert "медианная зарплата, RUB в час" in (ru / "dashboard.html").read_text(encoding="utf-8")

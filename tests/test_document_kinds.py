"""Document kinds are program data: a caseload's own program declares a kind and ships its template.

The toy program (tests/toy_program.py) is a folder of YAML and one Jinja
template; nothing here subclasses or monkeypatches.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, TODAY
from test_documents import check_html, check_rendered, parse_html
from toy_program import TOY_DOCUMENTS, TOY_PROGRAM, TOY_TEMPLATE, add_toy

from careerpath.documents import MissingData, RenderError, kinds_of, render
from careerpath.loader import load
from careerpath.programs import load_programs

CONFIG = """\
agency: Test Agency
default_language: en
staff:
  - {id: nav1, name: Nadia Navarro, role: navigator, languages: [en]}
"""

MEMBER = """\
id: p
opened: 2026-03-02
person: {name: Invented Person, preferred_name: Pat, language: en}
staff: {navigator: nav1}
enrollments:
  xx-toy:
    joined: 2026-03-02
    level: regular
    sessions: 12
    coach: Invented Coach
"""


@pytest.fixture
def toy(caseload):
    def build(case: str = MEMBER, **parts) -> Path:
        root = caseload({"cases/p/case.yaml": case}, config=CONFIG)
        add_toy(root, **parts)
        return root

    return build


def test_a_caseload_program_declares_a_kind_and_renders_it_in_md_and_html(toy):
    cl = load(toy())
    assert not [d for d in cl.diagnostics if d.severity == "error"], cl.diagnostics
    kinds = kinds_of(cl.programs)
    assert kinds["toy-card"].programs == ("xx-toy",) and kinds["toy-card"].owner == "xx-toy"
    assert "xx-toy" in kinds["interpreter-request"].programs  # a shared kind the toy lists

    md = render(cl, "toy-card", "p", today=TODAY, lang="en", fmt="md")
    check_rendered(md.text)
    assert md.lang == "en" and md.text.startswith("# Your job club card\n")
    assert "This card is for Pat." in md.text
    assert "- **Joined:** March 2, 2026" in md.text                 # a date field, formatted for the language
    assert "- **Member:** regular member" in md.text                # a choice field's declared label
    assert "- **Sessions so far:** 12" in md.text
    assert "- **Coach:** Invented Coach" in md.text
    assert "- **Your navigator:** Nadia Navarro, Career Pathway Navigator" in md.text  # staff by role
    assert "- **Club year:** From March 2, 2026 to November 22, 2026" in md.text  # year anchored on `joined`
    assert "- **Check-in due:** March 16, 2026" in md.text          # the engine's due date, by rule id

    html_doc = render(cl, "toy-card", "p", today=TODAY, lang="en", fmt="html")
    check_rendered(html_doc.text)
    check_html(html_doc.text, "en")
    assert "<dt>Member</dt><dd>regular member</dd>" in html_doc.text
    assert parse_html(html_doc.text).tags.count("dl") == 1


def test_a_missing_field_of_the_kind_is_reported_by_file_and_path(toy, cli):
    root = toy(MEMBER.replace("    sessions: 12\n", "").replace("    coach: Invented Coach\n", ""))
    with pytest.raises(MissingData) as e:
        render(load(root), "toy-card", "p", today=TODAY, fmt="html")
    assert e.value.missing == ["case.yaml: enrollments.xx-toy.sessions (sessions so far)",
                               "case.yaml: enrollments.xx-toy.coach or person.phone"]
    r = cli("render", "toy-card", "p", "--caseload", root, "--today", "2026-11-22")
    assert r.code == 1 and r.out == ""
    assert "enrollments.xx-toy.sessions" in r.err and "Invented" not in r.err
    listed = cli("render", "--list", "p", "--caseload", root)
    assert listed.code == 0
    assert re.search(r"^toy-card\s+missing: case.yaml: enrollments.xx-toy.sessions", listed.out, re.M)
    assert re.search(r"^interpreter-request\s+ready$", listed.out, re.M)


def test_the_situation_decides_whom_a_kind_fits(toy):
    cl = load(toy(MEMBER.replace("level: regular", "level: regular\n    left: 2026-10-01")))
    assert kinds_of(cl.programs)["toy-card"].applies(_subject(cl))
    unset = load(toy(MEMBER.replace("    level: regular\n", "")))  # level defaults to starter: still fits
    assert kinds_of(unset.programs)["toy-card"].applies(_subject(unset))
    only_regular = load(toy(documents=TOY_DOCUMENTS.replace("[starter, regular]", "regular"),
                            case=MEMBER.replace("level: regular", "level: starter")))
    assert not kinds_of(only_regular.programs)["toy-card"].applies(_subject(only_regular))


def _subject(cl):
    from careerpath.documents.engine import subject_of

    return subject_of(cl, "p")


def test_the_toy_card_falls_back_to_english_where_the_catalogues_lack_its_words(toy):
    doc = render(load(toy()), "toy-card", "p", today=TODAY, lang="vi")
    assert doc.lang == "en" and doc.notes and "'vi'" in doc.notes[0]
    assert "not yet available in Vietnamese" in doc.text


def test_a_caseload_programs_words_weigh_only_on_its_own_peoples_documents(caseload):
    """The toy's label is in no catalogue: a monthly note that would show it falls back to English; the
    other people of the caseload still get theirs in Vietnamese."""
    ccp = "  ca-dds-ccp: {basis: left-subminimum-wage, start: 2026-01-05}\n"
    root = caseload({"cases/p/case.yaml": MEMBER + ccp,
                     "cases/q/case.yaml": MEMBER.replace("id: p", "id: q").split("enrollments:")[0] + "enrollments:\n" + ccp},
                    config=CONFIG)
    add_toy(root)
    cl = load(root)
    assert render(cl, "monthly-note", "q", today=TODAY, lang="vi").lang == "vi"
    both = render(cl, "monthly-note", "p", today=TODAY, lang="vi")
    assert both.lang == "en" and "Toy job club" in both.text and both.notes


def test_render_list_shows_a_caseload_programs_kinds(toy, cli):
    root = toy()
    r = cli("render", "--list", "--caseload", root)
    assert r.code == 0
    assert re.search(r"^toy-card\s+xx-toy\s+— Your job club card$", r.out, re.M)
    assert "toy-card" not in cli("render", "--list").out  # outside that caseload only the built-in kinds
    ok = cli("render", "toy-card", "p", "--caseload", root, "--today", "2026-11-22", "--format", "html")
    assert ok.code == 0 and "<h1>Your job club card</h1>" in ok.out


# ---------------------------------------------------------------- template search order

def test_template_search_order(toy):
    root = toy()
    folder = root / "programs" / "xx-toy" / "templates"
    # the caseload's program folders come before the built-in ones ...
    (folder / "interpreter-request.j2").write_text("TOY REQUEST {{ person.preferred_name }}\n", encoding="utf-8")
    assert render(load(root), "interpreter-request", "p", today=TODAY).text == "TOY REQUEST Pat\n"
    # ... and the caseload's templates/ before everything
    (root / "templates").mkdir()
    (root / "templates" / "toy-card.j2").write_text("OVERRIDE {{ enrollment.level_label }}\n", encoding="utf-8")
    assert render(load(root), "toy-card", "p", today=TODAY).text == "OVERRIDE regular member\n"


def test_a_program_template_error_names_its_file_and_line(toy):
    root = toy(template=TOY_TEMPLATE.replace("{{ b.p(", "{{ ''.__class__.__mro__ }}\n{{ b.p("))
    with pytest.raises(RenderError, match="sandbox") as e:
        render(load(root), "toy-card", "p", today=TODAY)
    assert "programs/xx-toy/templates/toy-card.j2, line 5" in str(e.value)


def test_a_program_templates_folder_linking_out_of_the_caseload_is_not_read(toy, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "toy-card.j2").write_text("FROM OUTSIDE\n", encoding="utf-8")
    root = toy(template="")
    (root / "programs" / "xx-toy" / "templates").symlink_to(outside)
    with pytest.raises(RenderError, match="template not found"):
        render(load(root), "toy-card", "p", today=TODAY)


# ---------------------------------------------------------------- malformed declarations

def _errors(root: Path) -> list[tuple[str, int, str]]:
    return [(d.file, d.line, d.message) for d in load_programs(root).diagnostics if d.severity == "error"]


def test_a_kind_path_that_names_nothing_is_an_error_at_its_line(toy):
    root = toy(documents=TOY_DOCUMENTS.replace("enrollment.sessions", "enrollment.session"))
    assert _errors(root) == [("programs/xx-toy/documents.yaml", 12,
                              "`enrollment.session` names no enrollment field of this program")]
    assert "xx-toy" not in load_programs(root)  # the program is left out, its cases say unknown-program


def test_listing_an_undeclared_kind_is_an_error_at_its_line(toy):
    root = toy(program=TOY_PROGRAM.replace("documents: [toy-card, interpreter-request]",
                                           "documents: [toy-card, interpreter-requests]"))
    (file, line, message), = _errors(root)
    assert (file, line) == ("programs/xx-toy/program.yaml", TOY_PROGRAM.splitlines().index(
        "documents: [toy-card, interpreter-request]") + 1)
    assert "interpreter-requests" in message


def test_a_caseload_cannot_redeclare_a_built_in_kind(toy):
    root = toy(documents=TOY_DOCUMENTS.replace("toy-card:", "pccp:"),
               program=TOY_PROGRAM.replace("[toy-card, ", "[pccp, "))
    assert _errors(root) == [("programs/xx-toy/documents.yaml", 2, "the document kind pccp is already declared elsewhere")]


@pytest.mark.parametrize("bad,message", [
    ("    audience: person\n", "    audience: family\n"),
    ("    period: {unit: year, anchor: enrollment.joined}\n", "    period: {unit: month, anchor: enrollment.joined}\n"),
    ("      - staff.navigator\n", "      - staff.captain\n"),
    ("      - config.agency\n", "      - careerpath.agency\n"),
    ("    labels: [enrollment.level, roles]\n", "    labels: [enrollment.coach]\n"),
])
def test_malformed_kinds_are_diagnostics_not_crashes(toy, bad, message):
    root = toy(documents=TOY_DOCUMENTS.replace(bad, message))
    errors = _errors(root)
    assert len(errors) == 1 and errors[0][0] == "programs/xx-toy/documents.yaml" and errors[0][1] > 1, errors


def test_the_label_tables_a_kind_may_name_are_the_ones_documents_define():
    from careerpath.documents import labels
    from careerpath.programs.kinds import LABEL_TABLES

    assert set(LABEL_TABLES) == set(labels.TABLES) | {"events", "programs"}


# ---------------------------------------------------------------- the engine names no program

PROGRAM_IDS = re.compile(r"ca_dds_ccp|ca_dor_vr|ca_dor_se|ru_czn_disability")
HELP_EXAMPLE = re.compile(r"ca-dds-ccp|ca-dor-vr|ca-dor-se|ru-czn-disability")


def _engine_modules() -> list[Path]:
    return [p for p in sorted((ROOT / "careerpath").rglob("*.py")) if "programs" not in p.relative_to(ROOT).parts[1:2]]


def test_the_engine_names_no_program():
    """Issue 14's grep over all of careerpath/ outside careerpath/programs/: no module names a program's
    attribute (ca_dds_ccp, ...); programs are read from their folders."""
    found = [f"{p.relative_to(ROOT)}:{n}" for p in _engine_modules()
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if PROGRAM_IDS.search(line)]
    assert found == []


def test_a_hyphenated_program_id_appears_only_in_prose():
    """Help texts, docstrings and messages may show `ca-dor-vr` as an example; a bare string that is just
    a program id (a lookup key, a comparison) may not: the engine would then know that program."""
    import tokenize

    found = []
    for path in _engine_modules():
        with path.open("rb") as fh:
            for tok in tokenize.tokenize(fh.readline):
                if tok.type == tokenize.STRING and HELP_EXAMPLE.search(tok.string):
                    body = tok.string.strip("rbuRBUfF").strip("\"'")
                    if HELP_EXAMPLE.fullmatch(body.strip()) or not any(c.isspace() or c in ".(" for c in body):
                        found.append(f"{path.relative_to(ROOT)}:{tok.start[0]}: {tok.string[:60]}")
    assert found == []


def _core_words() -> set[str]:
    """Names the core format itself uses (models' fields, roles, stored values, field types): not a program's to own."""
    import keyword

    from careerpath import models as m
    from careerpath.documents import labels

    from careerpath.programs.fields import TYPES

    out = set(m.ROLES) | set(keyword.kwlist) | set(TYPES)
    for model in vars(m).values():
        if isinstance(model, type) and issubclass(model, m.Model):
            out |= {name for name in model.model_fields} | {f.alias for f in model.model_fields.values() if f.alias}
    for table in labels.TABLES.values():
        out |= {k for k in table if isinstance(k, str)}
    return out


def test_documents_python_names_no_program_and_no_enrollment_field():
    """Not even a hyphenated id or an enrollment field of a program: kinds, labels and context come from the programs."""
    fields = {spec.name for p in load_programs() for path, spec in p.walk() if "*" not in path[-1:]}
    words = sorted(fields - _core_words())
    assert {"extended_services_source", "eligibility", "regional_center", "registered"} <= set(words)
    # read as an attribute or a key (`se.extended_services_source`, `["ipra"]`); a method call is not a field
    word = re.compile(r"(?<=[.\"'])(" + "|".join(map(re.escape, words)) + r")\b(?![(\w-])")
    for path in sorted((ROOT / "careerpath" / "documents").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not HELP_EXAMPLE.search(text), path.name
        assert sorted({m.group(0) for m in word.finditer(text)}) == [], path.name


CORPUS = Path(__file__).parent / "corpus"


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.yaml")) if CORPUS.is_dir() else [])
def test_a_hostile_documents_yaml_is_a_diagnostic(toy, name):
    """A caseload's documents.yaml is untrusted: each hostile corpus file is refused with a diagnostic or read."""
    root = toy()
    (root / "programs" / "xx-toy" / "documents.yaml").write_bytes((CORPUS / name).read_bytes())
    programs = load_programs(root)
    errors = [d for d in programs.diagnostics if d.severity == "error"]
    assert ("xx-toy" in programs) != bool(errors)
    assert all(d.file.startswith("programs/xx-toy/") for d in errors)

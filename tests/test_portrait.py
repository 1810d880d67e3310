"""The portrait of the disabled people registered at the employment center (issue 20, seed 004: «Портрет
инвалида, зарегистрированного в Центре занятости населения»): `report portrait` counts the disability groups
and causes the ЦЗН program's `portrait` registry lists. The counts are made by hand from the six cases below."""

from __future__ import annotations

from conftest import CONFIG, write_tree

from careerpath.loader import load
from careerpath.period import parse_period
from careerpath.reports import pages, registry

PEOPLE = [  # (case id, registered, group, cause, closed on)
    ("p1", "2026-01-12", 3, "общее заболевание", None),
    ("p2", "2026-02-03", 3, "общее заболевание", None),
    ("p3", "2026-03-30", 2, "трудовое увечье", None),
    ("p4", "2025-05-05", 3, "инвалидность с детства", None),       # registered before 2026, still registered
    ("p5", "2026-04-14", None, None, None),                        # no disability recorded yet
    ("p6", "2024-02-01", 1, "общее заболевание", "2025-06-30"),    # left before 2026: not in the portrait
]


def case(cid: str, registered: str, group, cause, closed) -> str:
    disability = f"\n    disability: {{group: {group}, cause: {cause}}}" if group else ""
    closure = f"status: closed\nclosure: {{date: {closed}, reason: moved}}\n" if closed else ""
    return (f"id: {cid}\nopened: {registered}\n{closure}person: {{name: Тестовый Человек, language: ru}}\n"
            f"enrollments:\n  ru-czn-disability:\n    registered: {registered}{disability}\n")


def test_the_portrait_counts_groups_and_causes_of_the_people_registered_in_the_period(tmp_path, cli):
    files = {"careerpath.yaml": CONFIG, **{f"cases/{p[0]}/case.yaml": case(*p) for p in PEOPLE}}
    root = write_tree(tmp_path / "caseload", files)
    cl = load(root)
    assert not [d for d in cl.diagnostics if d.severity == "error"], cl.diagnostics
    spec = cl.programs.registries()["portrait"]
    table = registry.build(spec, cl.programs.get(spec.program), list(cl.cases.values()), parse_period("2026"),
                           parse_period("2026").end, cl.config, pages.environment(root), "ru")
    counts = registry.portrait(table, spec)
    # five people registered in 2026 (p6 left in 2025): group III three times (p1, p2, p4), II once, none once
    assert counts.rows == [
        ("disability_group", "III группа", 3, 60.0), ("disability_group", "II группа", 1, 20.0),
        ("disability_group", "не указана", 1, 20.0),
        ("disability_cause", "общее заболевание", 2, 40.0), ("disability_cause", "инвалидность с детства", 1, 20.0),
        ("disability_cause", "не указана", 1, 20.0), ("disability_cause", "трудовое увечье", 1, 20.0)]
    out = tmp_path / "out"
    r = cli("report", "portrait", "--period", "2026-Q1", "--out", out, "-C", root, "--today", "2026-11-22")
    assert r.code == 0, r.err
    # in the first quarter p5 was not yet registered: four people, group III three of them
    lines = (out / "portrait-2026-Q1.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[:3] == ["column,value,people,share_pct", "disability_group,III группа,3,75", "disability_group,II группа,1,25"]
    page = (out / "portrait-2026-Q1.html").read_text(encoding="utf-8")
    assert "Портрет инвалида" in page and page.count("<svg") == 2 and "<h2>Причина инвалидности</h2>" in page
    assert "Тестовый" not in page  # counts, never names

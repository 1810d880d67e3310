"""benchmarks/make_caseload.py: the fixture of every performance figure is deterministic, varied and clean."""

from __future__ import annotations

import re
import sys
from collections import Counter

import pytest

from conftest import ROOT, TODAY

sys.path.insert(0, str(ROOT / "benchmarks"))

from make_caseload import generate, main  # noqa: E402

from careerpath.checks import validate  # noqa: E402
from careerpath.programs.registry import checks_module  # noqa: E402

snils_ok = checks_module("ru-czn-disability").snils_ok
from careerpath.loader import load  # noqa: E402


@pytest.fixture(scope="module")
def thirty(tmp_path_factory):
    root = tmp_path_factory.mktemp("gen") / "c30"
    generate(str(root), 30, 3, TODAY)
    return root


def test_thirty_cases_validate_clean(thirty):
    assert validate(load(thirty), TODAY) == []


def test_same_arguments_same_bytes(thirty, tmp_path):
    again = tmp_path / "again"
    generate(str(again), 30, 3, TODAY)
    files = sorted(p.relative_to(thirty) for p in thirty.rglob("*.yaml"))
    assert files == sorted(p.relative_to(again) for p in again.rglob("*.yaml"))
    assert all((thirty / f).read_bytes() == (again / f).read_bytes() for f in files)


@pytest.mark.slow  # 200 generated cases loaded and computed: CI runs it (`pytest -m slow`)
def test_shaped_like_the_real_caseloads(tmp_path):
    root = tmp_path / "c200"
    generate(str(root), 200, 1, TODAY)
    cl = load(root)
    programs = Counter(tuple(pid for pid, _ in cf.model.enrollments.items()) for cf in cl.cases.values())
    singles = {p for combo in programs for p in combo}
    assert singles == {"ca-dds-ccp", "ca-dor-vr", "ca-dor-se", "ru-czn-disability"}
    assert any(len(combo) == 2 for combo in programs)  # some people are in two programs
    assert {cf.model.person.language for cf in cl.cases.values()} == {"en", "es", "vi", "hy", "hmn", "ru"}
    snils = [cf.model.identifiers.snils for cf in cl.cases.values() if cf.model.identifiers.snils]
    assert snils and all(snils_ok(s) for s in snils)
    files = sum(1 for cf in cl.cases.values() for _ in cf.files())
    assert 10 <= files / len(cl.cases) <= 15  # about a dozen files per case
    names = " ".join(cf.model.person.name for cf in cl.cases.values())
    for script in (r"[А-я]", r"[Ա-֏]", r"[ạ-ỹđĐ]"):  # Cyrillic, Armenian, Vietnamese letters
        assert re.search(script, names)
    from careerpath.obligations import compute

    statuses = Counter(o.status for o in compute(cl, TODAY))
    assert statuses["overdue"] > 0 and statuses["upcoming"] > 0
    assert statuses["overdue"] < sum(statuses.values()) / 2  # a realistic share, not a disaster


def test_refuses_a_non_empty_folder(thirty, capsys):
    assert main(["--cases", "1", str(thirty)]) == 2

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


def tree_hash(root) -> tuple[str, int]:
    """SHA-256 over every file's relative path and bytes, in sorted path order; and the file count."""
    import hashlib

    h = hashlib.sha256()
    paths = sorted(p for p in root.rglob("*") if p.is_file())
    for p in paths:
        data = p.read_bytes()
        h.update(str(p.relative_to(root)).encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
    return h.hexdigest(), len(paths)


# Computed with make_caseload.py as of 8c2571c (before it wrote files from a process pool):
# a faster generator must write the very same caseload, or every figure measured before it is
# no longer comparable with the figures after it. Re-pinned once on purpose (issue 19): closed cases
# close as `completed` instead of `employed` (DOR's `employed` needs 90 days in the job), the only
# change to the generator's output; the serial and pooled runs below still agree byte for byte.
# Re-pinned once more on purpose (issue 20): the ЦЗН plan services name the service catalogue's ids
# (`vocational-guidance`, `psychological-support`, `social-adaptation`) instead of free Russian names,
# so the generated plans draw no `unknown-service` warning; same file count, nothing else changed.
# Re-pinned once more on purpose (issue 16): a Californian plan for a person who reads es/vi/hy/hmn is
# written in English with `translations:` into their language (strengths and goal from the same
# summaries, the fixed texts from _PLAN_TEXT), so it draws no `untranslated-text` warning; same file count.
_HASH_40_SEED1 = ("b3bbb4b3d071db250de3209701b67c3f78e03abf3e72c8beb5f73682fc5636cf", 452)
_HASH_40_SEED3 = ("48e7c2abac570d4184e8e1dbf05af38e306db46fa949822b3c2b311951a2b45e", 467)


@pytest.mark.parametrize("jobs", [1, 2])
def test_output_unchanged_since_before_the_speed_up(tmp_path, jobs):
    """In one process and split over a pool of two (chunks of 5 cases), the bytes are the old ones."""
    generate(str(tmp_path / "s1"), 40, 1, TODAY, jobs=jobs)
    assert tree_hash(tmp_path / "s1") == _HASH_40_SEED1
    generate(str(tmp_path / "s3"), 40, 3, TODAY, jobs=jobs)
    assert tree_hash(tmp_path / "s3") == _HASH_40_SEED3

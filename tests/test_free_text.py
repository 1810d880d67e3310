"""Issue 16: free text of a plan in the person's language, marked with its language where it is not.

Plan text (strengths, goals, steps, services) carries optional translations
(`translations: {vi: {...}}` beside the text, docs/format.md); a document uses
the one for its language, prints the text as written otherwise, and marks such
passages `lang="…"` in HTML; `validate` warns about what a person's document
would print untranslated (the fixture tests/fixtures/plan-translations).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, TODAY, copy_samples

from careerpath.checks import validate
from careerpath.documents import render
from careerpath.freetext import Passage, shown
from careerpath.loader import load

SAMPLE = ROOT / "sample-cases"


@pytest.fixture(scope="module")
def samples():
    return load(SAMPLE)


REVIEW_NOTE = "Translation not yet reviewed by a native speaker."


def _spans(html: str, lang: str) -> list[str]:
    """The passages marked ``lang``, less the review note's English half (it is marked as such too)."""
    return [t for t in re.findall(rf'<span lang="{lang}">([^<]*)</span>', html) if t != REVIEW_NOTE]


def test_a_translated_plan_prints_the_persons_language_and_marks_nothing(samples):
    html = render(samples, "pccp", "linh-tran", today=TODAY, fmt="html").text
    md = render(samples, "pccp", "linh-tran", today=TODAY).text
    for text in ("Một công việc có lương ở thư viện hoặc tiệm bánh", "cẩn thận với chi tiết", "Tập đi xe buýt với điều hướng viên",
                 "Phát triển việc làm (tùy chỉnh)"):
        assert text in md and text in html
    for english in ("careful with details", "A paid job in a library", "Travel training", "Job development"):
        assert english not in md and english not in html
    assert _spans(html, "en") == []


def test_untranslated_text_is_printed_as_written_and_marked_lang_en_in_html(samples, tmp_path):
    root = copy_samples(tmp_path / "cl")
    plan = root / "cases/linh-tran/plan.yaml"
    text = plan.read_text(encoding="utf-8")
    # drop the translation of one step and of the strengths
    text = text.replace(", translations: {vi: {text: Ba chuyến đi và về một mình}}", "")
    text = re.sub(r"    strengths:\n(      - .*\n)+", "", text)
    plan.write_text(text, encoding="utf-8")
    cl = load(root)
    html = render(cl, "pccp", "linh-tran", today=TODAY, fmt="html").text
    md = render(cl, "pccp", "linh-tran", today=TODAY).text
    spans = _spans(html, "en")
    assert "Three solo round trips" in spans and "careful with details" in spans
    assert "Một công việc có lương ở thư viện hoặc tiệm bánh, khoảng 10 giờ mỗi tuần, trước khi ra trường" not in spans
    assert "Three solo round trips" in md and '<span' not in md
    # validate says what the person would read in English, by path
    found = [d for d in validate(cl, TODAY) if d.code == "untranslated-text"]
    assert [d.file for d in found] == ["cases/linh-tran/plan.yaml"]
    assert str(found[0].message).startswith("5 texts of the plan are in `en` with no `vi` translation")
    assert "strengths[0]" in str(found[0].message) and "careful" not in str(found[0].message)


def test_a_passage_inside_a_translated_sentence_keeps_its_mark(samples, tmp_path):
    root = copy_samples(tmp_path / "cl")
    plan = root / "cases/linh-tran/plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(
        "    translations: {vi: {statement: 'Tự đi xe buýt số 22 giữa nhà, trường và chỗ làm'}}\n", ""), encoding="utf-8")
    html = render(load(root), "pccp", "linh-tran", today=TODAY, fmt="html").text
    # pccp says _("Goal: %(goal)s", goal=…): the goal stays marked inside the Vietnamese sentence
    assert 'Mục tiêu: <span lang="en">Ride the 22 bus alone between home, school and work</span>' in html


def test_an_agency_report_in_english_shows_the_plan_as_written_and_the_persons_copy_translated(samples):
    html = render(samples, "quarterly-report", "linh-tran", today=TODAY, fmt="html", period="2026-Q3").text
    assert 'lang="en"' in html[:200]
    # the English report shows the English plan text unmarked
    assert "Two informational interviews" in html and not _spans(html, "en")
    monthly = render(samples, "monthly-note", "linh-tran", today=TODAY, fmt="html", period="2026-11",
                     copy_for_person=True).text
    copy = monthly[monthly.index('<section class="copy" lang="vi">'):]
    assert "Hai buổi phỏng vấn tìm hiểu thông tin" in copy or "Ba chuyến đi và về một mình" in copy


def test_a_plan_written_in_the_persons_language_needs_no_translation(samples):
    # alsu-galieva's plan is Russian: the employment center's agency language is ru, so no warning and no marks
    html = render(samples, "czn-plan", "alsu-galieva", today=TODAY, fmt="html").text
    assert "Психологическая поддержка безработных граждан" in html and not _spans(html, "en")
    assert not [d for d in validate(samples, TODAY) if d.code == "untranslated-text"]


def test_shown_picks_the_translation_by_catalogue_language():
    class Entry:
        statement = "Kuv txoj haujlwm"

    assert shown("My job", {"hmn": Entry()}, "statement", "en", "hmn") == "Kuv txoj haujlwm"
    assert shown("My job", {"mww": Entry()}, "statement", "en", "hmn") == "Kuv txoj haujlwm"  # White Hmong's tag
    got = shown("My job", {}, "statement", "en", "hmn")
    assert isinstance(got, Passage) and got.lang == "en" and got.__html__() == '<span lang="en">My job</span>'
    assert shown("A <b>", {}, "statement", "en", "vi").__html__() == '<span lang="en">A &lt;b&gt;</span>'
    assert type(shown("My job", {}, "statement", "en-US", "en")) is str


def test_dates_do_not_break_and_checkboxes_say_their_state(samples):
    html = render(samples, "ineligibility-checklist", "dana-whitfield", today=TODAY, fmt="html").text
    assert re.search(r'<span class="date">[^<]*2026</span>', html)
    boxes = re.findall(r'<li><label><input type="checkbox" class="sr-only" disabled( checked)?>'
                       r'<span class="box" aria-hidden="true">(.)</span>', html)
    assert boxes and {(bool(c), g) for c, g in boxes} <= {(True, "☑"), (False, "☐")}
    assert ".date { white-space: nowrap;" in html

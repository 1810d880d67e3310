"""Issue 16, "Done means": every sample case, every kind that applies, all six languages, md and html.

Each document renders in the language asked for with no fallback (``<html
lang>`` is that language), and no English sentence of a template shows through:
the rendered text is compared against the English catalogue, i.e. every msgid the
document uses whose translation differs from it. What may stay English, and is
taken out before comparing: the English half of the review note (it is there on
purpose, for staff), the case's own free text printed as written (HTML marks it
``<span lang="en">``; the same passages are taken out of the Markdown), and an
English term in parentheses after its translation (the Hmong glossary gives
"lub chaw pab cuam hauv cheeb tsam (regional center)" so a person can recognise
the name on an English letter). Names from the case files (a referral's
addressee, an employer, a provider) are printed as written and taken out too.
"""

from __future__ import annotations

import html as htmllib
import re

import pytest

from conftest import ROOT, TODAY

from careerpath.documents import render
from careerpath.documents.engine import (_NOTES, builtin_template_folders, case_msgids, kinds_for, make_environment,
                                         subject_of, template_dirs, template_msgids)
from careerpath.documents.kinds import kinds_of
from careerpath.i18n import LANGUAGES, translations
from careerpath.loader import load
from careerpath.plainlang import BOUNDARY, clean

SAMPLE = ROOT / "sample-cases"
CASES = sorted(p.name for p in (SAMPLE / "cases").iterdir() if (p / "case.yaml").is_file())
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
REVIEW_NOTE = "Translation not yet reviewed by a native speaker."
_ENGLISH_SPAN = re.compile(r'<span lang="en">(.*?)</span>', re.S)


@pytest.fixture(scope="module")
def samples():
    return load(SAMPLE)


def test_templates_have_no_prose_outside_gettext():
    """Every word a document template prints is a msgid (so a catalogue can translate it), or data."""
    for _shown, folder in builtin_template_folders():
        for path in sorted(folder.glob("*.j2")):
            if path.name.startswith("report-") or path.name.startswith("_report"):
                continue  # report pages: tests/test_reports.py
            words = re.findall(r"[^\W\d_]{2,}", clean(path.read_text(encoding="utf-8")).replace(BOUNDARY, " "))
            assert words == [], f"{path.name}: literal words outside _(): {words[:10]}"


def _segments(msgid: str) -> list[str]:
    """The literal parts of an English msgid, sentence by sentence, long enough to be a phrase (two words or more)."""
    out = []
    for seg in re.split(r"[.!?:;](?:\s|$)|" + _PLACEHOLDER.pattern, msgid):
        seg = seg.strip(" .,:;()/—-")
        if len(re.findall(r"[A-Za-z]{2,}", seg)) >= 2:
            out.append(seg)
    return out


def _visible(text: str, fmt: str, passages: list[str], notes: list[str]) -> str:
    """The document's text less what may be English: notes for staff, free text as written, glosses."""
    if fmt == "html":
        text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
        text = _ENGLISH_SPAN.sub(" ", text)
        text = htmllib.unescape(re.sub(r"<[^>]+>", " ", text))
    for passage in sorted(passages, key=len, reverse=True):
        text = text.replace(passage, " ")
    for note in notes:
        text = text.replace(note, " ")
    return text


def _names(subject) -> list[str]:
    """Names the case files hold, printed as written in every language: addressees, employers, providers."""
    out = [r.to for r in subject.referrals] + [j.employer for j in subject.case.jobs]
    out += [sv.provider for sv in (subject.plan.services if subject.plan else ()) if sv.provider]
    return [n for n in out if n]


def _english_term(words: str) -> bool:
    """A term of the English glossary (any of its forms, any case)."""
    from careerpath import glossary

    terms = {f.lower() for t in glossary.load("en").terms.values() for f in (t.term, *t.forms)}
    return words.lower() in terms


def _leaks(text: str, lang: str, msgids, root) -> list[str]:
    cat = translations(lang, "documents", root)
    found = []
    for key in msgids:
        context, msgid = key if isinstance(key, tuple) else (None, key)
        translated = cat.gettext(msgid, context) if context else cat.gettext(msgid)
        if translated == msgid:
            continue  # the same in both languages (CAP, SNILS, a placeholder alone)
        for seg in _segments(msgid):
            for m in re.finditer(r"(?<!\w)" + re.escape(seg) + r"(?!\w)", text):
                gloss = text[m.start() - 1:m.start()] == "(" and text[m.end():m.end() + 1] == ")"
                if gloss and _english_term(text[m.start():m.end()]):
                    continue  # an English glossary term in parentheses after its translation
                found.append(seg)
    return sorted(set(found))


@pytest.mark.parametrize("case", CASES)
def test_every_document_of_every_sample_case_renders_in_every_language_without_english(samples, case):
    env = make_environment(template_dirs(samples.root, samples.programs))
    kinds = kinds_of(samples.programs)
    applicable = [k["kind"] for k in kinds_for(samples, case) if not k["missing"]]
    assert applicable, f"{case}: no document applies"
    english_notes = [translations("en", "documents").gettext(n) % {"language": "X", "fallback": "Y", "variant": "Z", "period": "P"}
                     if "%(" in n else n for n in _NOTES]
    failures = []
    for name in applicable:
        kind = kinds[name]
        subject = subject_of(samples, case)
        for lang in LANGUAGES:
            html = render(samples, name, case, today=TODAY, lang=lang, fmt="html")
            md = render(samples, name, case, today=TODAY, lang=lang, fmt="md")
            for doc in (html, md):
                assert doc.lang == lang and doc.copies == (lang,) and doc.notes == [], (name, case, lang, doc.notes)
            assert re.match(rf'<!DOCTYPE html>\n<html lang="{lang}">', html.text), (name, case, lang)
            if lang == "en":
                continue
            passages = [htmllib.unescape(p) for p in _ENGLISH_SPAN.findall(html.text)] + _names(subject)
            for doc, fmt in ((html, "html"), (md, "md")):
                msgids = template_msgids(env, kind, fmt) | case_msgids(kind, subject)
                leaks = _leaks(_visible(doc.text, fmt, passages, english_notes), lang, msgids, samples.root)
                if leaks:
                    failures.append(f"{name} {lang} {fmt}: {leaks}")
    assert not failures, "\n".join(failures)


def test_the_check_finds_an_english_sentence_left_in_a_document(samples):
    """The comparison can fail: a Vietnamese plan with one English sentence of the template is caught."""
    env = make_environment(template_dirs(samples.root, samples.programs))
    kind = kinds_of(samples.programs)["pccp"]
    doc = render(samples, "pccp", "linh-tran", today=TODAY, lang="vi")
    msgids = template_msgids(env, kind, "md")
    assert _leaks(doc.text, "vi", msgids, samples.root) == ["Translation not yet reviewed by a native speaker", "not yet"]
    assert _leaks(_visible(doc.text, "md", [], [REVIEW_NOTE]), "vi", msgids, samples.root) == []
    planted = doc.text + "\nThis is your plan. You chose these goals.\n"
    assert {"This is your plan", "You chose these goals"} <= set(_leaks(planted, "vi", msgids, samples.root))
    # a glossary term in parentheses is a gloss, not a leak; a sentence in parentheses is a leak
    assert _leaks("trung tâm khu vực (regional center)", "vi", msgids, samples.root) == []
    assert _leaks("trung tâm khu vực (Regional center)", "vi", msgids, samples.root) == []
    assert _leaks("ký (Sign here if you agree with this plan)", "vi", msgids, samples.root) != []

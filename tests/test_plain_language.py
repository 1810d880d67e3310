"""Issue 16: plain language in all six languages, over the shipped document catalogues.

`careerpath i18n check` reads each person-facing template as each language's
reader gets it (English in the template, other languages in their documents
catalogue), with a sentence limit per language and jargon lists that come from
each language's glossary; it also reports glossary drift.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from careerpath import i18n
from careerpath.documents.engine import builtin_template_folders
from careerpath.plainlang import (CHECKED_LANGUAGES, MAX_WORDS_BY_LANGUAGE, check_templates, check_text, clean,
                                  load_jargon, person_facing_templates, sentences, word_count)


def test_the_check_knows_all_six_languages():
    assert set(CHECKED_LANGUAGES) == set(i18n.LANGUAGES)
    assert set(MAX_WORDS_BY_LANGUAGE) == set(i18n.LANGUAGES)


def test_every_person_facing_template_passes_in_every_language():
    facing = person_facing_templates()
    assert {"pccp.j2", "ipe-se.j2", "czn-plan.j2", "referral-psych.j2"} <= facing  # audience person or both
    found = [f for _shown, folder in builtin_template_folders()
             for f in check_templates(folder, CHECKED_LANGUAGES, catalogue=i18n.LOCALE_DIR)]
    assert [f.format() for f in found] == []


@pytest.mark.parametrize("lang, limit", sorted(MAX_WORDS_BY_LANGUAGE.items()))
def test_each_language_has_its_own_sentence_limit(lang, limit):
    jargon = {lang: []}
    at_limit = " ".join(["từ"] * limit) + "."
    over = " ".join(["từ"] * (limit + 1)) + "."
    assert check_text(at_limit, "x", lang, jargon) == []
    found = check_text(over, "x", lang, jargon)
    assert [(f.code, f.words, f.limit) for f in found] == [("long-sentence", limit + 1, limit)]


def test_sentences_end_the_way_each_language_ends_them():
    def counts(text):
        return [word_count(s) for _line, s in sentences(clean(text))]

    # Armenian ends a sentence with «։» (verjaket)
    assert counts("Սա Ձեր ծրագիրն է։ Դուք եք ընտրել նպատակները։") == [4, 4]
    # a Russian abbreviation does not end a sentence; a word ending in «г.» does
    assert counts("Это план, т. е. ваш план. Он для услуг. Вот.") == [6, 3, 1]


def test_jargon_of_a_language_comes_from_its_glossary():
    jargon = load_jargon()
    assert "trung tâm khu vực" in jargon["vi"]             # regional center
    assert "региональный центр" in jargon["ru"]
    assert "ИПРА" in jargon["ru"] and "IPRA" in jargon["ru"]
    assert "lub chaw pab cuam hauv cheeb tsam" in jargon["hmn"]
    assert "ընդլայնված ծառայություններ" in jargon["hy"]    # extended services
    assert "сопровождаем" not in jargon["ru"]              # a stem the glossary accepts is not a jargon term
    found = check_text("Quý vị sẽ gặp trung tâm khu vực.", "x", "vi", jargon)
    assert [(f.code, f.term) for f in found] == [("jargon-unexplained", "trung tâm khu vực")]
    assert check_text("Quý vị sẽ gặp trung tâm khu vực (nơi trả tiền cho dịch vụ).", "x", "vi", jargon) == []


def test_a_role_name_holding_a_term_is_not_the_terms_first_use():
    jargon = load_jargon()
    assert check_text("Chuyên gia Việc làm Tùy chỉnh của quý vị.", "x", "vi", jargon) == []
    assert [f.term for f in check_text("Việc làm Tùy chỉnh giúp quý vị.", "x", "vi", jargon)] == ["Việc làm Tùy chỉnh"]


def test_a_translation_that_breaks_the_rules_is_reported_at_its_catalogue_line(tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "plan.j2").write_text('{#- Person-facing -#}\n{{ b.p(_("You meet the regional center.")) }}\n', encoding="utf-8")
    po = tmp_path / "locale" / "hmn" / "LC_MESSAGES" / "documents.po"
    po.parent.mkdir(parents=True)
    long = " ".join(["lus"] * 32)
    po.write_text('msgid ""\nmsgstr ""\n"Language: hmn\\n"\n\n'
                  f'msgid "You meet the regional center."\nmsgstr "Koj ntsib lub chaw pab cuam hauv cheeb tsam. {long}."\n',
                  encoding="utf-8")
    found = check_templates(folder, ["hmn"], catalogue=tmp_path / "locale")
    assert sorted((Path(f.file).name, f.line, f.code) for f in found) == [
        ("documents.po", 5, "jargon-unexplained"), ("documents.po", 5, "long-sentence")]


def test_the_cli_reports_glossary_drift_with_the_plain_language_findings(cli, tmp_path, monkeypatch):
    locale = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, locale)
    po = locale / "vi" / "LC_MESSAGES" / "documents.po"
    text = po.read_text(encoding="utf-8")
    assert "trung tâm khu vực" in text
    po.write_text(text.replace("trung tâm khu vực", "trung tâm vùng", 1), encoding="utf-8")  # the drift issue 16 found
    monkeypatch.setenv("CAREERPATH_LOCALE_DIR", str(locale))
    r = cli("i18n", "check", "--language", "vi", "--format", "json", "--strict")
    found = json.loads(r.out)
    assert r.code == 1
    assert any(f["code"] == "glossary-avoid" and f["file"].endswith("vi/LC_MESSAGES/documents.po") for f in found), found
    monkeypatch.setenv("CAREERPATH_LOCALE_DIR", str(i18n.LOCALE_DIR))
    assert cli("i18n", "check", "--strict").code == 0


def test_every_template_passes_in_every_language_agency_documents_included(cli):
    """`i18n check --all --strict` over the shipped templates and catalogues: 0 findings in all six languages.

    The documents for agencies (the referral to the regional center, its quarterly and annual reports, the
    DOR packet and ineligibility checklist, the IPRA report, the dashboard) explain their terms too: a
    person gets a copy, and agency staff change. A regression in any template or catalogue fails here.
    """
    r = cli("i18n", "check", "--all", "--strict", "--format", "json")
    assert json.loads(r.out) == [] and r.code == 0
    every_template = [f for _shown, folder in builtin_template_folders()
                   for f in check_templates(folder, CHECKED_LANGUAGES, catalogue=i18n.LOCALE_DIR, everything=True)]
    assert [f.format() for f in every_template] == []


def test_an_abbreviation_closing_a_parenthesis_after_its_long_form_is_explained():
    jargon = load_jargon()
    # the hy glossary's rendering keeps the English name beside the abbreviation
    hy = "Ինչպես կապվել Հաճախորդներին աջակցության ծրագրի (Client Assistance Program, CAP) հետ։"
    assert check_text(hy, "x", "hy", jargon) == []
    assert check_text("Write to the (Department of Rehabilitation, DOR) office.", "x", "en", jargon) == []
    # words before the comma that do not spell it, or no comma at all, explain nothing
    for text in ("Ինչպես կապվել ծրագրի (տես նաև, CAP) հետ։", "Ինչպես կապվել ծրագրի (տես CAP) հետ։",
                 "Ինչպես կապվել CAP ծրագրի հետ։"):
        assert [(f.code, f.term) for f in check_text(text, "x", "hy", jargon)] == [("jargon-unexplained", "CAP")], text

"""Issue 16: every document in the language of its reader.

Context (msgctxt) for ambiguous words, the audience deciding the language,
fallback and review notes that reach their reader, language codes, money in
the currency's home convention.
"""

from __future__ import annotations

import re

import pytest

from conftest import CONFIG, TODAY, write_tree
from doc_cases import CASES

from careerpath.documents import render
from careerpath.documents.engine import make_environment, message_keys, template_dirs, template_msgids
from careerpath.documents.kinds import builtin_kinds
from careerpath.i18n import LANGUAGES, translations
from careerpath.checks import validate
from careerpath.loader import load


@pytest.fixture(scope="module")
def inline(tmp_path_factory):
    root = write_tree(tmp_path_factory.mktemp("lang") / "caseload", {"careerpath.yaml": CONFIG, **CASES})
    cl = load(root)
    assert not [d for d in cl.diagnostics if d.severity == "error"], cl.diagnostics
    return cl


def _header_row(text: str, first: str) -> list[str]:
    """The cells of the Markdown table whose first column is ``first``."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first:
            return cells
    raise AssertionError(f"no table starting with {first!r}")


# ---------------------------------------------------------------- 1. context

@pytest.mark.parametrize("lang, measure, start, end, sender, recipient", [
    ("ru", "Мероприятие", "С", "По", "От", "Кому"),
    ("vi", "Biện pháp", "Từ ngày", "Đến ngày", "Từ", "Gửi"),
    ("es", "Medida", "Desde", "Hasta", "De", "Para"),
])
def test_from_and_to_mean_a_date_range_in_the_ipra_report_and_sender_recipient_in_a_letter(
        inline, lang, measure, start, end, sender, recipient):
    report = render(inline, "ipra-report", "olga-ivanova", today=TODAY, lang=lang)
    assert report.lang == lang
    assert _header_row(report.text, measure)[1:3] == [start, end]
    letter = render(inline, "referral-psych", "olga-ivanova", today=TODAY, lang=lang)
    assert letter.lang == lang
    assert f"**{recipient}:**" in letter.text and f"**{sender}:**" in letter.text
    assert f"**{start}:**" not in letter.text or start == sender


def test_ambiguous_words_are_separate_catalogue_entries():
    """"From"/"To" (date range vs letter), "Date" (letter vs signature), "Done", "Start" carry a msgctxt."""
    env = make_environment(template_dirs(None))
    kinds = builtin_kinds()
    keys = template_msgids(env, kinds["ipra-report"], "md") | template_msgids(env, kinds["referral-rc"], "md")
    assert {("date range", "From"), ("date range", "To"), ("letter", "From"), ("letter", "To"),
            ("signature", "Date"), ("column: date done", "Done")} <= keys
    assert "From" not in keys and "To" not in keys  # no bare msgid left to be translated one way for both
    ru = translations("ru", "documents")
    assert ru.gettext("From", "date range") == "С" and ru.gettext("From", "letter") == "От"
    for lang in LANGUAGES:  # every language translates each meaning
        cat = translations(lang, "documents")
        assert all(cat.has(k) for k in keys), lang


def test_message_keys_read_pgettext_as_context_and_msgid():
    assert message_keys("pgettext", ("date range", "From")) == [("date range", "From")]
    assert message_keys("gettext", "Date") == ["Date"]
    assert message_keys("ngettext", ("one step", "%(num)s steps", None)) == ["one step", "%(num)s steps"]


# ---------------------------------------------------------------- 2. audience decides the language

def test_every_kind_declares_its_audience_in_data():
    kinds = builtin_kinds()
    assert {k: kinds[k].audience for k in ("interpreter-request", "referral-rc", "quarterly-report", "annual-report",
                                           "ipra-report", "referral-dor", "monthly-note")} == dict.fromkeys(
        ("interpreter-request", "referral-rc", "quarterly-report", "annual-report", "ipra-report", "referral-dor",
         "monthly-note"), "agency")
    assert kinds["pccp"].audience == kinds["ipe-se"].audience == kinds["czn-plan"].audience == "person"
    assert kinds["referral-psych"].audience == "both"


@pytest.mark.parametrize("kind, case, person_lang", [
    ("interpreter-request", "maria-lopez", "es"),   # to the interpreter agency, not in the person's Spanish
    ("referral-rc", "an-nguyen", "vi"),             # to the regional center
    ("quarterly-report", "an-nguyen", "vi"),
    ("annual-report", "an-nguyen", "vi"),
    ("referral-dor", "an-nguyen", "vi"),            # DOR's cover letter
])
def test_agency_documents_are_in_the_agencys_language(inline, kind, case, person_lang, tmp_path):
    doc = render(inline, kind, case, today=TODAY)
    assert doc.lang == "en" and doc.copies == ("en",)
    assert doc.text.startswith("# ")  # English: no fallback or review note
    both = render(inline, kind, case, today=TODAY, copy_for_person=True)
    assert both.copies == ("en", person_lang)
    assert both.text.startswith(doc.text.rstrip("\n"))  # the agency's copy first, as it is alone
    translated_title = translations(person_lang, "documents").gettext(builtin_kinds()[kind].title)
    assert f"# {translated_title}" in both.text.split(doc.text.rstrip("\n"), 1)[1]


def test_the_caseload_sets_the_agencies_language(tmp_path):
    root = write_tree(tmp_path / "c", {"careerpath.yaml": CONFIG + "agency_language: es\n", **CASES})
    cl = load(root)
    doc = render(cl, "referral-rc", "an-nguyen", today=TODAY)
    title = translations("es", "documents").gettext(builtin_kinds()["referral-rc"].title)
    assert doc.lang == "es" and f"# {title}\n" in doc.text and title != "Referral to the regional center"
    assert render(cl, "pccp", "an-nguyen", today=TODAY).lang == "vi"  # the person's own plan stays theirs
    # the employment center's program declares Russian for its agencies: the caseload's setting does not change it
    assert render(cl, "ipra-report", "olga-ivanova", today=TODAY).lang == "ru"


def test_the_employment_centers_agency_documents_are_russian_whatever_the_person_reads(tmp_path):
    case = CASES["cases/olga-ivanova/case.yaml"].replace("language: ru", "language: hy")
    root = write_tree(tmp_path / "c", {"careerpath.yaml": CONFIG, **CASES, "cases/olga-ivanova/case.yaml": case})
    cl = load(root)
    report = render(cl, "ipra-report", "olga-ivanova", today=TODAY, fmt="html")
    assert report.lang == "ru" and report.copies == ("ru",) and '<html lang="ru">' in report.text
    # for both the center and the citizen: the Russian referral, then the citizen's copy in Armenian
    psych = render(cl, "referral-psych", "olga-ivanova", today=TODAY, fmt="html")
    assert psych.copies == ("ru", "hy")
    assert '<section class="copy" lang="hy">' in psych.text
    assert psych.text.index("Направление на психологическую поддержку") < psych.text.index('<section class="copy"')
    assert render(cl, "czn-plan", "olga-ivanova", today=TODAY).lang == "hy"  # the citizen's plan: theirs
    # render --lang sets the document's language and makes no copy by itself
    assert render(cl, "referral-psych", "olga-ivanova", today=TODAY, lang="en").copies == ("en",)


def test_render_lang_sets_the_document_and_the_global_lang_only_the_messages(inline, cli):
    r = cli("--lang", "vi", "render", "referral-rc", "an-nguyen", "--caseload", inline.root, "--today", "2026-11-22")
    assert r.code == 0 and r.out.startswith("# Referral to the regional center")
    r = cli("render", "referral-rc", "an-nguyen", "--lang", "vi", "--caseload", inline.root, "--today", "2026-11-22")
    assert r.code == 0 and "# Referral" not in r.out
    assert "Bản dịch" in r.out or "bản dịch" in r.out  # the review note, in Vietnamese
    r = cli("render", "referral-rc", "an-nguyen", "--copy-for-person", "--caseload", inline.root,
            "--today", "2026-11-22")
    assert r.code == 0 and r.out.startswith("# Referral to the regional center")
    assert "Copy for the person" not in r.out and "Bản dành cho quý vị" in r.out


# ---------------------------------------------------------------- 3. fallback and review notes reach their reader

REVIEW = {"ru": "Перевод ещё не проверен носителем языка.", "en": "Translation not yet reviewed by a native speaker."}


def test_the_review_mark_is_in_the_readers_language_and_english_on_every_page_and_copy(inline, tmp_path):
    md = render(inline, "czn-plan", "olga-ivanova", today=TODAY)
    assert md.lang == "ru" and not md.reviewed
    first, last = md.text.splitlines()[0], md.text.rstrip().splitlines()[-1]
    for line in (first, last):  # at the top and at the end
        assert REVIEW["ru"] in line and REVIEW["en"] in line
    html = render(inline, "czn-plan", "olga-ivanova", today=TODAY, fmt="html").text
    assert f'<span lang="ru">{REVIEW["ru"]}</span> / <span lang="en">{REVIEW["en"]}</span>' in html
    # the print stylesheet repeats the mark at the foot of every page
    assert '<div class="review-mark" aria-hidden="true">' in html
    assert re.search(r"@media print \{[^}]*\}?[^@]*\.review-mark \{ display: block; position: fixed", html)
    # a person's copy carries its own mark, in its own language and English
    case = CASES["cases/olga-ivanova/case.yaml"].replace("language: ru", "language: vi")
    root = write_tree(tmp_path / "c", {"careerpath.yaml": CONFIG, **CASES, "cases/olga-ivanova/case.yaml": case})
    both = render(load(root), "referral-psych", "olga-ivanova", today=TODAY, fmt="html")
    assert both.copies == ("ru", "vi")
    copy = both.text.split('<section class="copy" lang="vi">', 1)[1]
    vi_note = translations("vi", "documents").gettext(REVIEW["en"])
    assert f'<span lang="vi">{vi_note}</span> / <span lang="en">{REVIEW["en"]}</span>' in copy
    assert REVIEW["ru"] in both.text.split('<section class="copy"', 1)[0]


def test_an_english_document_has_no_review_mark(inline):
    doc = render(inline, "czn-plan", "olga-ivanova", today=TODAY, lang="en", fmt="html")
    assert doc.reviewed and "review-mark" not in doc.text.split("</style>")[1] and not doc.warnings


@pytest.fixture
def hy_hmn_incomplete(tmp_path, monkeypatch):
    """Catalogues where hy and hmn lack one pccp string (the shipped ones are complete)."""
    import shutil

    from conftest import ROOT

    shutil.copytree(ROOT / "careerpath" / "locale", tmp_path / "locale")
    for lang in ("hy", "hmn"):
        po = tmp_path / "locale" / lang / "LC_MESSAGES" / "documents.po"
        text = po.read_text(encoding="utf-8")
        dropped = re.sub(r'(msgid "Your goals"\nmsgstr )"[^"\n]+"', r'\1""', text)
        assert dropped != text
        po.write_text(dropped, encoding="utf-8")
    monkeypatch.setenv("CAREERPATH_LOCALE_DIR", str(tmp_path / "locale"))


@pytest.mark.parametrize("lang", ["hy", "hmn"])
def test_the_fallback_note_is_in_the_readers_language_and_english(inline, hy_hmn_incomplete, lang):
    doc = render(inline, "pccp", "an-nguyen", today=TODAY, lang=lang, fmt="html")
    assert doc.lang == "en" and doc.requested_lang == lang
    cat = translations(lang, "documents")
    note = cat.gettext("This document is not yet available in %(language)s. It is shown in %(fallback)s.")
    assert note != "This document is not yet available in %(language)s. It is shown in %(fallback)s."
    head = note.split("%(")[0]
    fallback = re.search(r'<p class="fallback" role="note">(.*?)</p>', doc.text).group(1)
    assert f'<span lang="{lang}">{head}' in fallback
    assert '<span lang="en">This document is not yet available in ' in fallback
    assert doc.notes and f"'{lang}'" in doc.notes[0]


def test_staff_are_warned_on_stderr_when_a_translation_is_unreviewed(inline, cli):
    r = cli("render", "czn-plan", "olga-ivanova", "--caseload", inline.root, "--today", "2026-11-22")
    assert r.code == 0 and "warning: czn-plan is rendered in 'ru' from a translation no native speaker has reviewed" in r.err
    r = cli("--lang", "ru", "render", "czn-plan", "olga-ivanova", "--caseload", inline.root, "--today", "2026-11-22")
    assert r.code == 0 and "предупреждение: czn-plan выведен на языке 'ru'" in r.err
    r = cli("render", "czn-plan", "olga-ivanova", "--lang", "en", "--caseload", inline.root, "--today", "2026-11-22")
    assert r.code == 0 and "warning" not in r.err


# ---------------------------------------------------------------- 5. money in the currency's home convention

@pytest.mark.parametrize("lang", ["vi", "hy", "ru", "es", "hmn", "en"])
def test_a_californian_wage_is_written_as_in_california_in_every_language(tmp_path, lang):
    case = CASES["cases/an-nguyen/case.yaml"].replace("wage: 18.50", "wage: 17.25")
    assert case != CASES["cases/an-nguyen/case.yaml"]
    root = write_tree(tmp_path / "c", {"careerpath.yaml": CONFIG, **CASES, "cases/an-nguyen/case.yaml": case})
    doc = render(load(root), "ipe-se", "an-nguyen", today=TODAY, lang=lang)
    assert doc.lang == lang
    row = next(line for line in doc.text.splitlines() if "Sunrise Bakery" in line)
    assert "| $17.25 |" in row, row
    assert "17,25" not in doc.text and "US$" not in doc.text


def test_roubles_are_written_the_russian_way_in_any_document():
    from careerpath.i18n import Formatter

    assert Formatter("en").money(25000, "RUB") == Formatter("ru").money(25000, "RUB") == "25\xa0000,00\xa0₽"


# ---------------------------------------------------------------- 4. language codes

def _with_language(tmp_path, case_id: str, tag: str):
    key = f"cases/{case_id}/case.yaml"
    old = re.search(r"language: (\S+)", CASES[key]).group(0)
    root = write_tree(tmp_path / "c", {"careerpath.yaml": CONFIG, **CASES,
                                       key: CASES[key].replace(old, f"language: {tag}", 1)})
    return load(root)


@pytest.mark.parametrize("tag, catalogue, variant", [
    ("mww", "hmn", "White Hmong"), ("hnj", "hmn", "Mong Leng"), ("hyw", "hy", "Western Armenian")])
def test_variant_codes_read_the_nearest_catalogue_with_a_visible_note(tmp_path, tag, catalogue, variant):
    cl = _with_language(tmp_path, "an-nguyen", tag)
    doc = render(cl, "pccp", "an-nguyen", today=TODAY, fmt="html")
    assert doc.lang == catalogue and f'<html lang="{catalogue}">' in doc.text and not doc.notes
    note = re.search(r'<p class="fallback" role="note">(.*?)</p>', doc.text).group(1)
    english = f"This document is in Hmong, the nearest language careerpath has to {variant}." if catalogue == "hmn" \
        else f"This document is in Armenian, the nearest language careerpath has to {variant}."
    assert f'<span lang="en">{english}</span>' in note
    translated = translations(catalogue, "documents").gettext(variant)
    assert translated != variant and f'<span lang="{catalogue}">' in note and translated in note
    assert "not yet available" not in doc.text


def test_the_interpreter_request_names_the_persons_variant(tmp_path):
    cl = _with_language(tmp_path, "maria-lopez", "hnj")
    doc = render(cl, "interpreter-request", "maria-lopez", today=TODAY)
    assert doc.lang == "en" and "- **Language:** Hmong (Mong Leng, hnj)" in doc.text
    assert not [d for d in validate(cl, TODAY) if d.code == "unknown-language"]


def test_an_unknown_language_code_is_an_error_with_did_you_mean(tmp_path, cli):
    cl = _with_language(tmp_path, "an-nguyen", "vx")
    found = [d for d in validate(cl, TODAY) if d.code == "unknown-language"]
    assert len(found) == 1 and found[0].severity == "error" and found[0].file == "cases/an-nguyen/case.yaml"
    assert "`person.language` is not a known language tag" in found[0].message and "`vi`" in found[0].hint
    r = cli("render", "pccp", "an-nguyen", "--lang", "vx", "--caseload", cl.root, "--today", "2026-11-22")
    assert r.code == 2 and "'vx' is not a known language tag" in r.err and "did you mean 'vi'?" in r.err
    r = cli("validate", "--caseload", cl.root, "--today", "2026-11-22")
    assert r.code == 1 and "unknown-language" in r.out + r.err


def test_well_formed_tags_the_registry_knows_are_valid():
    from careerpath.i18n.tags import is_valid

    assert all(is_valid(t) for t in ("en", "es-MX", "vi", "hy", "hyw", "hmn", "mww", "hnj", "ru-RU", "hy-arevmda"))
    assert not any(is_valid(t) for t in ("vx", "zz", "xx-YY", "en_US", "", "english"))


def test_the_cli_language_reads_a_variant_in_its_catalogue(inline, cli):
    r = cli("--lang", "mww", "render", "nope", "an-nguyen", "--caseload", inline.root)
    assert r.code == 2 and "tsis paub hom ntawv 'nope'" in r.err  # White Hmong reads the Hmong catalogue


# ---------------------------------------------------------------- internal notes stay out of documents

def test_internal_notes_of_rule_citations_never_reach_a_document(inline):
    seen = 0
    for kind, case in (("quarterly-report", "an-nguyen"), ("annual-report", "an-nguyen"),
                       ("monthly-note", "an-nguyen"), ("monthly-note", "olga-ivanova")):
        for fmt in ("md", "html"):
            text = render(inline, kind, case, today=TODAY, fmt=fmt).text
            assert not re.search(r"local:|caseload setting|setting [a-z_]+|seed \d+|not confirmed", text), (kind, case)
            seen += "| " in text or "<td" in text
    assert seen
    quarterly = render(inline, "quarterly-report", "an-nguyen", today=TODAY, period="2026-Q3").text
    assert "CCP service description, service code 956" in quarterly  # the source itself stays

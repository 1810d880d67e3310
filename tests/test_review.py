"""The review workflow: `i18n export` gives a reviewer a PO file; `i18n import --reviewed-by` records the review."""

from __future__ import annotations

import re
import shutil

import pytest
from babel.messages.pofile import read_po

from conftest import CONFIG, ROOT, TODAY, write_tree
from doc_cases import CASES

from careerpath.documents import render
from careerpath.documents.engine import make_environment, template_dirs, template_msgids
from careerpath.documents.kinds import builtin_kinds
from careerpath.loader import load

LOCALE = ROOT / "careerpath" / "locale"


@pytest.fixture
def locale(tmp_path, monkeypatch):
    """A private copy of the catalogues, used by the renderer too."""
    shutil.copytree(LOCALE, tmp_path / "locale", ignore=shutil.ignore_patterns("glossary", "memory"))
    monkeypatch.setenv("CAREERPATH_LOCALE_DIR", str(tmp_path / "locale"))
    return tmp_path / "locale"


def test_export_gives_source_draft_context_and_glossary(cli, locale, tmp_path):
    out = tmp_path / "hy.po"
    r = cli("i18n", "export", "--lang", "hy", "--out", out, "--locale-dir", locale)
    assert r.code == 0, r.err
    text = out.read_text(encoding="utf-8")
    assert '"Language: hy\\n"' in text and '"X-Careerpath-Catalogue: documents\\n"' in text
    entries = {(m.context, m.id): m for m in read_po(open(out, "rb")) if m.id}
    ipra_from = entries[("date range", "From")]
    assert ipra_from.string == "Սկսած" and "draft: machine-drafted, not reviewed" in ipra_from.auto_comments
    ese = next(m for (c, i), m in entries.items() if i == "Extended services")
    assert any(c.startswith("glossary: extended services → ընդլայնված ծառայություններ") for c in ese.auto_comments)
    again = tmp_path / "again.po"
    assert cli("i18n", "export", "--lang", "hy", "--out", again, "--locale-dir", locale).code == 0
    assert again.read_bytes() == out.read_bytes()  # deterministic
    assert cli("i18n", "export", "--lang", "en", "--locale-dir", locale).code == 1  # English is the source


def _keep_only(path, keys: set) -> str:
    """An export with only the entries of ``keys`` (what a reviewer of one document sends back)."""
    import io

    from babel.messages.pofile import write_po

    cat = read_po(open(path, "rb"))
    for m in list(cat):
        if m.id and (m.id if m.context is None else (m.context, m.id)) not in keys:
            cat.delete(m.id, context=m.context)
    buf = io.BytesIO()
    write_po(buf, cat, width=100)
    header = '"Language: vi\\n"\n"X-Careerpath-Catalogue: documents\\n"\n'
    return re.sub(r'("Generated-By: [^"]*\\n"\n)', lambda m: m.group(1) + header, buf.getvalue().decode(), count=1)


def test_import_records_the_review_and_the_mark_disappears_for_reviewed_documents(cli, locale, tmp_path):
    root = write_tree(tmp_path / "c", {"careerpath.yaml": CONFIG, **CASES})
    cl = load(root)
    assert not render(cl, "pccp", "an-nguyen", today=TODAY).reviewed
    exported = tmp_path / "vi.po"
    assert cli("i18n", "export", "--lang", "vi", "--out", exported, "--locale-dir", locale).code == 0
    env = make_environment(template_dirs(None))
    pccp = builtin_kinds()["pccp"]
    keys = template_msgids(env, pccp, "md") | template_msgids(env, pccp, "html")
    reviewed = tmp_path / "vi-reviewed.po"
    text = _keep_only(exported, keys)
    assert 'msgid "Mục' not in text and "Documents the citizen brings" not in text  # pccp's words only
    text = text.replace('msgstr "Mục tiêu của quý vị"', 'msgstr "Các mục tiêu của quý vị"')
    reviewed.write_text(text, encoding="utf-8")
    r = cli("i18n", "import", reviewed, "--reviewed-by", "Test Reviewer", "--locale-dir", locale)
    assert r.code == 0, r.err
    po = (locale / "vi" / "LC_MESSAGES" / "documents.po").read_text(encoding="utf-8")
    assert "# reviewed by Test Reviewer\n" in po and '"X-Reviewed-By: null\\n"' in po  # not every entry: no header
    plan = render(cl, "pccp", "an-nguyen", today=TODAY)
    assert "Các mục tiêu của quý vị" in plan.text and "not yet reviewed" not in plan.text and not plan.warnings
    other = render(cl, "referral-dor", "an-nguyen", today=TODAY, lang="vi")
    assert not other.reviewed and "Translation not yet reviewed" in other.text  # its own strings are not reviewed
    # the whole file: every translated entry reviewed, the catalogue's header says who
    r = cli("i18n", "import", exported, "--reviewed-by", "Test Reviewer", "--locale-dir", locale)
    assert r.code == 0 and "X-Reviewed-By" in r.out
    po = (locale / "vi" / "LC_MESSAGES" / "documents.po").read_text(encoding="utf-8")
    assert '"X-Reviewed-By: Test Reviewer\\n"' in po and "machine-drafted" not in po
    assert render(cl, "referral-dor", "an-nguyen", today=TODAY, lang="vi").reviewed


def test_import_refuses_a_translation_that_loses_a_placeholder(cli, locale, tmp_path):
    exported = tmp_path / "ru.po"
    assert cli("i18n", "export", "--lang", "ru", "--out", exported, "--locale-dir", locale).code == 0
    text = exported.read_text(encoding="utf-8")
    broken = re.sub(r'(msgid "This plan is for %\(name\)s\."\nmsgstr ")[^"]*(")', r"\1Это план.\2", text)
    assert broken != text
    exported.write_text(broken, encoding="utf-8")
    before = (locale / "ru" / "LC_MESSAGES" / "documents.po").read_text(encoding="utf-8")
    r = cli("i18n", "import", exported, "--reviewed-by", "R", "--locale-dir", locale)
    assert r.code == 1 and "This plan is for %(name)s." in r.err
    after = (locale / "ru" / "LC_MESSAGES" / "documents.po").read_text(encoding="utf-8")
    assert "Это план.\"" not in after and after != before  # the rest was imported
    assert '"X-Reviewed-By: null\\n"' in after  # one entry not reviewed: the header stays


def test_import_refuses_a_file_that_names_no_catalogue(cli, locale, tmp_path):
    bad = tmp_path / "x.po"
    bad.write_text('msgid ""\nmsgstr ""\n"Language: vi\\n"\n\nmsgid "Date"\nmsgstr "Ngày"\n', encoding="utf-8")
    r = cli("i18n", "import", bad, "--reviewed-by", "R", "--locale-dir", locale)
    assert r.code == 1 and "careerpath i18n export" in r.err

"""Messages as values: English unchanged, every message rendered from the catalogues, the lookup order.

The goldens in tests/golden/messages/ were written by the code before messages
became values (the regex reverse-translation): English text, JSON and
obligation details must stay byte for byte what they were. ``UPDATE_GOLDEN=1``
rewrites them when a wording changes on purpose.
"""

from __future__ import annotations

import json
import os
import pickle
import re
from datetime import date
from pathlib import Path

import pytest

from careerpath import i18n, load, validate
from careerpath.i18n import Message, join
from conftest import ROOT, SAMPLE, TODAY, write_tree
from toy_program import add_toy

FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = ROOT / "tests" / "golden" / "messages"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
LOCATED = re.compile(r"^(?P<where>\S+:\d+:\d+): (?P<severity>\S+) (?P<code>[a-z0-9-]+): (?P<message>.*)$")
#: Words that make an English sentence; none may be left once data (paths, ids, values) is taken out.
ENGLISH = re.compile(r"\b(the|is|are|a|an|of|to|not|should|be|must|does|has|have|and|or|with|without|before|after|"
                     r"this|file|field|date|value|values|case|needs|lacks|minimum|for|in|it|its|once|only)\b", re.I)


@pytest.fixture(autouse=True)
def english_after():
    yield
    i18n.use("en")
    i18n.use_caseload(None)


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed (UPDATE_GOLDEN=1 if on purpose)"


# ------------------------------------------------------------ English unchanged

@pytest.mark.parametrize("name", ["domain-errors", "planted-50", "schema-errors", "yaml-errors"])
def test_english_text_and_json_of_diagnostics_are_unchanged(name):
    diags = validate(load(FIXTURES / name), TODAY)
    _golden(f"validate-{name}.txt", "".join(d.format() + "\n" for d in diags))
    _golden(f"validate-{name}.json", json.dumps([d.to_dict() for d in diags], ensure_ascii=False, indent=1) + "\n")
    assert all(isinstance(d.message, Message) for d in diags if d.code not in ("yaml-syntax",)), \
        [d for d in diags if not isinstance(d.message, Message)]


def test_english_obligation_details_are_unchanged():
    from careerpath.obligations import compute

    found = compute(load(SAMPLE), TODAY, include_closed_history=True)
    _golden("due-details-sample.txt", "".join(f"{o.case} {o.rule} {o.item} | {o.detail}\n" for o in found if o.detail))
    assert {type(o.detail) for o in found if o.detail} == {Message}


def test_a_message_is_its_english_text_and_keeps_how_it_was_made():
    what = Message("a whole number")
    m = Message("`{path}` should be {what}", path="jobs[0].wage", what=what)
    assert m == "`jobs[0].wage` should be a whole number" and hash(m) == hash(str(m))
    assert sorted([m, "`a`"]) == sorted([str(m), "`a`"])
    assert json.dumps({"message": m}) == json.dumps({"message": str(m)})
    back = pickle.loads(pickle.dumps(m, pickle.HIGHEST_PROTOCOL))
    assert (back, back.msgid, back.context, back.args) == (m, m.msgid, "diagnostic", m.args)
    assert isinstance(dict(back.args)["what"], Message)
    assert Message("dated after today ({date})", date=date(2026, 11, 22)) == "dated after today (2026-11-22)"
    # only {name} of a given argument is filled in: literal braces stay as written
    assert Message("a closed case needs `closure: {date, reason}`") == "a closed case needs `closure: {date, reason}`"
    assert join([Message("a list"), "x"]) == "a list; x" and join([]) == ""
    with pytest.raises(TypeError):
        Message("{x}", x=["a list is no argument"])


# ------------------------------------------------- every message in Russian

def _message_lines(out: str) -> list[str]:
    return [m.group("message") for m in map(LOCATED.match, out.splitlines()) if m]


def _data_in(value) -> list[str]:
    """The text arguments of a message (paths, ids, values): data, not words to translate."""
    if isinstance(value, Message):
        return [x for _k, v in value.args for x in _data_in(v)]
    return [value] if isinstance(value, str) else []


def _english_left(text: str, message) -> list[str]:
    for data in sorted(_data_in(message), key=len, reverse=True):
        text = text.replace(data, " ")
    # code, ranges, file names, citations' paragraphs: `status`, a-z, no/yes, case.yaml, 361.43(b)(1)
    text = re.sub(r"`[^`]*`|\w+(?:[-/.]\w+)+|\(\w{1,3}\)", " ", text)
    return ENGLISH.findall(text)


@pytest.mark.parametrize("name", ["planted-50", "schema-errors", "domain-errors"])
def test_every_diagnostic_reaches_a_russian_reader_from_the_russian_catalogue(cli, name):
    """Each line's message is the ru catalogue's rendering of the diagnostic: no English sentence is left."""
    folder = FIXTURES / name
    diags = validate(load(folder), TODAY)
    out = cli("--lang", "ru", "validate", "--caseload", folder, "--today", TODAY).out
    shown = _message_lines(out)
    assert len(shown) == len(diags) > 10
    i18n.use("ru")
    for d, text in zip(diags, shown):
        assert i18n.translated(d.message), f"no Russian for {d.message.msgid!r}"
        assert text == i18n.text(d.message), (d, text)
        assert not _english_left(text, d.message), (d.code, text)
        if d.hint:
            assert i18n.translated(d.hint) and not _english_left(i18n.text(d.hint), d.hint), d.hint
    hints = [ln.split(": ", 1)[1] for ln in out.splitlines() if ln.startswith("    подсказка: ")]
    assert len(hints) == sum(1 for d in diags if d.hint)


def test_the_staff_qualification_message_is_translated_in_every_language(cli):
    folder = FIXTURES / "domain-errors"
    found = [d for d in validate(load(folder), TODAY) if d.code == "staff-qualification"]
    assert len(found) == 2
    for lang in ("es", "vi", "hy", "hmn", "ru"):
        for d in found:
            assert i18n.translated(d.message, lang) and i18n.translated(d.hint, lang)
            shown = i18n.text(d.message, lang)
            assert not [x for x in ("lacks the CCP minimum", "years in DD services", "customized-employment emphasis")
                        if x in shown], (lang, shown)
            assert "CCP" in shown and "staff[" in shown, (lang, shown)
    out = cli("--lang", "ru", "validate", "--caseload", folder, "--today", TODAY).out
    line = next(ln for ln in out.splitlines() if " staff-qualification: " in ln and "staff[0]" in ln)
    assert "не соответствует минимальным требованиям CCP для роли navigator" in line
    assert "степень бакалавра" in line and not line.endswith("]")


def test_obligation_details_are_russian_in_due_and_english_in_json(cli):
    args = ("due", "--all", "--caseload", SAMPLE, "--today", "2026-11-22")
    out = cli("--lang", "ru", *args).out
    assert "1 из 2" in out and "согласованное продление" in out
    assert "1 of 2" not in out and "agreed extension" not in out
    details = {o["detail"] for o in json.loads(cli("--lang", "ru", *args, "--format", "json").out)}
    assert {"1 of 2", "agreed extension"} <= details


def test_library_errors_reach_the_cli_in_russian(cli, caseload):
    root = caseload({"cases/k7/case.yaml": """\
        id: k7
        person: {name: Invented Person, language: en}
        opened: 2026-01-05
        status: closed
        closure: {date: 2026-02-01, reason: moved}
        staff: {}
        enrollments: {}
        """})
    runs = [  # (command, the Russian words expected on stderr)
        (("log", "nobody", "monthly-review", "--by", "jsmith"), "в картотеке нет дела nobody"),
        (("set", "k7", "jobs..x", "1"), "не путь к полю"),
        (("set", "k7", "status", "active", "--by", "nobody-here"), "не id сотрудника"),
        (("close", "k7", "--reason", "moved", "--by", "jsmith"), "дело k7 уже закрыто"),
        (("report", "quarterly", "--period", "2026-13"), "месяц должен быть"),
    ]
    for args, expected in runs:
        r = cli("--lang", "ru", *args, "--caseload", root, "--today", "2026-03-01")
        assert r.code != 0, args
        said = " ".join(ln for ln in r.err.splitlines() if ln.startswith(("careerpath:", "  ")))
        assert expected in said, (args, r.err)
        assert not _english_left(re.sub(r"\S*[/_.]\S*|--\S+", " ", said.replace("careerpath:", "")), ""), (args, said)


# ------------------------------------------------------------ lookup order

TOY_RU = '''\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: ru\\n"
"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"

msgctxt "diagnostic"
msgid "a regular member needs `sessions` from 1 to 52"
msgstr "постоянному участнику нужно `sessions` от 1 до 52"

msgctxt "diagnostic"
msgid "the person left the club before joining it"
msgstr "человек вышел из клуба раньше, чем вступил"

msgctxt "diagnostic"
msgid "the file is empty"
msgstr "ФАЙЛ ПУСТ (перевод программы)"

msgctxt "diagnostic"
msgid "`{path}` should be {what}"
msgstr "`{path}` {what} {path.__init__.__globals__} {what.__class__}"
'''

TOY_CASE = """\
id: toy
person: {name: Invented Person, language: ru}
opened: 2026-01-05
status: active
staff: {navigator: jsmith}
enrollments:
  xx-toy: {joined: 2026-02-01, left: 2026-01-10, level: regular, sessions: many}
"""


@pytest.fixture
def toy_caseload(caseload):
    root = caseload({"cases/toy/case.yaml": TOY_CASE, "cases/empty/case.yaml": ""})
    add_toy(root)
    write_tree(root, {"programs/xx-toy/locale/ru/LC_MESSAGES/cli.po": TOY_RU})
    return root


def test_a_caseload_program_translates_its_own_messages_first(cli, toy_caseload):
    out = cli("--lang", "ru", "validate", "--caseload", toy_caseload, "--today", TODAY).out
    assert "человек вышел из клуба раньше, чем вступил" in out
    # the caseload's program comes before the core, for core messages too
    assert "ФАЙЛ ПУСТ (перевод программы)" in out and "файл пустой" not in out
    # a translation that reaches for attributes is inert text: only {name} is ever filled in
    wrong = next(ln for ln in out.splitlines() if "sessions" in ln and "wrong-type" in ln)
    assert "{path.__init__.__globals__}" in wrong and "{what.__class__}" in wrong and "__builtins__" not in wrong
    english = cli("validate", "--caseload", toy_caseload, "--today", TODAY).out
    assert "the person left the club before joining it" in english and "ФАЙЛ" not in english


def test_the_lookup_order_is_caseload_program_then_builtin_program_then_core(toy_caseload, tmp_path, monkeypatch):
    from careerpath.i18n import catalogues

    builtin = tmp_path / "builtin-locale"
    write_tree(builtin, {"ru/LC_MESSAGES/cli.po": TOY_RU.replace("ФАЙЛ ПУСТ (перевод программы)", "встроенная программа")
                         .replace("человек вышел", "встроенная: вышел")})
    monkeypatch.setattr(catalogues, "builtin_locales", lambda: (builtin,))
    found = i18n.translations("ru", "cli", toy_caseload)
    assert [c.path for c in found.catalogues] == [
        toy_caseload / "programs" / "xx-toy" / "locale" / "ru" / "LC_MESSAGES" / "cli.po",
        builtin / "ru" / "LC_MESSAGES" / "cli.po", i18n.catalogue_path("ru")]
    assert found.gettext("the file is empty", "diagnostic") == "ФАЙЛ ПУСТ (перевод программы)"
    assert i18n.translations("ru", "cli").gettext("the file is empty", "diagnostic") == "встроенная программа"
    assert i18n.translations("ru", "cli").gettext("a list", "diagnostic") == "список"  # the core answers the rest


def test_a_caseload_catalogue_outside_the_caseload_is_not_read(toy_caseload, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    write_tree(elsewhere, {"ru/LC_MESSAGES/cli.po": TOY_RU})
    locale = toy_caseload / "programs" / "xx-toy" / "locale"
    for p in sorted(locale.rglob("*"), reverse=True):
        p.unlink() if p.is_file() else p.rmdir()
    locale.rmdir()
    locale.symlink_to(elsewhere, target_is_directory=True)
    assert [c.path for c in i18n.translations("ru", "cli", toy_caseload).catalogues] == [i18n.catalogue_path("ru")]


def test_a_caseload_program_translates_document_words_too(toy_caseload):
    from careerpath.i18n import Translations

    write_tree(toy_caseload, {"programs/xx-toy/locale/ru/LC_MESSAGES/documents.po": TOY_RU.replace(
        'msgctxt "diagnostic"\nmsgid "the file is empty"', 'msgid "Translation not yet reviewed by a native speaker."')})
    found = i18n.translations("ru", "documents", toy_caseload)
    assert isinstance(found, Translations) and len(found.catalogues) == 2
    assert found.gettext("Translation not yet reviewed by a native speaker.") == "ФАЙЛ ПУСТ (перевод программы)"
    assert not found.reviewed  # a program catalogue nobody reviewed makes the document unreviewed


def test_program_data_messages_are_in_the_template():
    stored, _ = i18n.read_catalogue(i18n.LOCALE_DIR / "cli.pot", "", "cli")
    keys = {(m.context, m.id) for m in stored if m.id}
    for text in ("the ineligibility notice lacks: {missing}", "agreed extension",
                 "the transition to extended services is dated before SE started"):
        assert ("diagnostic", text) in keys, text
    assert ("code", "Group supported employment serves 3 to 8 consumers per job coach (WIC 4851(r)).") in keys
    assert not any(c == "diagnostic" and "{p0}" in m for c, m in keys)  # joins are not msgids


def test_a_caseload_program_gets_a_template_of_its_own_words(tmp_path):
    from careerpath.catalogs import program_template

    folder = add_toy(tmp_path)
    found = {(m.context, m.id) for m in program_template(folder) if m.id}
    assert found == {("diagnostic", "a regular member needs `sessions` from 1 to 52"),
                     ("diagnostic", "the person left the club before joining it"),
                     ("code", "A regular member has between 1 and 52 sessions a year."),
                     ("field", "Joined the club")}  # a field's label: how `show` names it
    (folder / "program.yaml").write_text("id: [broken\n", encoding="utf-8")
    with pytest.raises(ValueError, match="program.yaml"):
        program_template(folder)

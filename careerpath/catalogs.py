"""Message catalogues as files: extract the template, update the translations, measure coverage.

The ``cli`` template (``careerpath/locale/cli.pot``) is made from the code,
never by hand: every ``_()``, ``ngettext()``, ``pgettext()`` and ``N_()`` call
(Babel's Python extractor), every help text of the typer app, the display
names of stored values (context ``status``, ``severity``), the library's
diagnostic wordings (context ``diagnostic``) and the code descriptions
(context ``code``). ``update`` merges it into each language's ``cli.po``
the gettext way (new strings empty, changed ones fuzzy) and fills the English
catalogue with the source text. Run::

    python -m careerpath.catalogs update

:func:`coverage` counts translated / fuzzy / missing strings per language,
per catalogue and per template file, for ``careerpath i18n status``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from . import i18n

PACKAGE = Path(__file__).resolve().parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
HEADER_FIELD = "X-Reviewed-By"
HEADER_COMMENT = """\
# careerpath command-line messages: {name} ({lang}).
# Translate msgstr only. Keep {{name}} parts and `backquoted` field names as they are.
# Set X-Reviewed-By to the name of the native speaker who reviewed this file; null = not reviewed.
#"""


def template() -> "babel.messages.catalog.Catalog":  # noqa: F821
    """The ``cli`` template, built from the code as it is now."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    from .cli import app
    from .cli.localize import help_strings
    from .diagnostics import CODES

    cat = Catalog(project="careerpath", domain="cli", fuzzy=False,
                  header_comment="# careerpath command-line messages: the template (python -m careerpath.catalogs update).\n#")
    cat.creation_date = cat.revision_date = _FIXED_DATE
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), method_map=[("documents/**.py", "ignore"), ("**.py", "python")], keywords=KEYWORDS,
            strip_comment_tags=True):  # documents/ feeds the documents catalogue, not this one
        cat.add(message, None, [(f"careerpath/{filename}", lineno)], auto_comments=comments, context=context)
    for text in help_strings(app):
        cat.add(text, None, [("careerpath/cli/", None)], context=None)
    for context, values in i18n.DISPLAY_VALUES.items():
        for value in values:
            cat.add(value, None, [("careerpath/i18n.py", None)], context=context,
                    auto_comments=["A stored value shown on screen; files and JSON keep the English word."])
    for text in i18n.DIAGNOSTIC_TEMPLATES:
        cat.add(text, None, [("careerpath/i18n.py", None)], context="diagnostic",
                auto_comments=["Keep every {name} part; `backquoted` parts are field names: do not translate them."]
                if "{" in text or "`" in text else [])
    for code, (_sev, text) in CODES.items():
        cat.add(text, None, [("careerpath/diagnostics.py", None)], context="code", auto_comments=[f"code {code}"])
    return cat


def _fixed_date():
    from datetime import datetime, timezone

    return datetime(2026, 1, 1, tzinfo=timezone.utc)


_FIXED_DATE = _fixed_date()  # keeps regenerated files identical (no churn in diffs)


def write_po(path: Path, cat, reviewed_by: Optional[str] = None) -> None:
    """Write a catalogue; Babel drops unknown headers, so X-Reviewed-By is put back here."""
    from babel.messages.pofile import write_po as babel_write

    buf = io.BytesIO()
    babel_write(buf, cat, width=100, sort_output=False, omit_header=False, include_previous=False)
    text = buf.getvalue().decode("utf-8")
    text = re.sub(r'("Generated-By: [^"]*\\n")', lambda m: m.group(1) + f'\n"{HEADER_FIELD}: {reviewed_by or "null"}\\n"',
                  text, count=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def update(locale_dir: Path = i18n.LOCALE_DIR, languages=i18n.LANGUAGES) -> list[Path]:
    """Regenerate cli.pot and merge it into every language's cli.po (created when absent)."""
    from babel.messages.catalog import Catalog

    tpl = template()
    written = [locale_dir / "cli.pot"]
    write_po(written[0], tpl)
    for lang in languages:
        path = locale_dir / lang / "LC_MESSAGES" / "cli.po"
        reviewer = None
        if path.is_file():
            cat, reviewer = i18n.read_catalogue(path, lang, "cli")
        else:
            cat = Catalog(locale=i18n.CLDR_LOCALES.get(lang), domain="cli", project="careerpath")
        if lang in i18n.PLURAL_FORMS:
            cat._num_plurals, cat._plural_expr = 1, "0"
        cat.project, cat.version = "careerpath", ""
        cat.update(tpl, no_fuzzy_matching=True)
        cat.obsolete.clear()
        cat.creation_date = cat.revision_date = _FIXED_DATE
        cat.last_translator = cat.language_team = ""
        cat.fuzzy = False
        cat.header_comment = HEADER_COMMENT.format(lang=lang, name=i18n.LANGUAGE_NAMES.get(lang, lang))
        if lang == i18n.SOURCE_LANGUAGE:  # the source text is its own translation
            reviewer = reviewer or "source text"
            for m in list(cat):
                if m.id:
                    cat.delete(m.id, context=m.context)  # drop, then add a fresh copy: update() shares objects with the template
                    cat.add(m.id, tuple(m.id) if isinstance(m.id, (tuple, list)) else m.id, m.locations,
                            auto_comments=m.auto_comments, context=m.context, flags=m.flags - {"fuzzy"})
        if lang in i18n.PLURAL_FORMS:  # Babel cannot set a locale it does not know (hmn): write the header by hand
            write_po(path, cat, reviewer)
            text = path.read_text(encoding="utf-8")
            if f'"Language: {lang}' not in text:
                text = text.replace('"Language-Team:', f'"Language: {lang}\\n"\n"Language-Team:', 1)
            if '"Plural-Forms:' not in text:
                text = text.replace('"MIME-Version:', f'"Plural-Forms: {i18n.PLURAL_FORMS[lang]}\\n"\n"MIME-Version:', 1)
            path.write_text(text, encoding="utf-8")
        else:
            write_po(path, cat, reviewer)
        written.append(path)
    return written


# ------------------------------------------------------------------ coverage

@dataclass
class Coverage:
    """One row of ``i18n status``: a language's catalogue (or one template's share of it)."""

    lang: str
    catalogue: str
    template: Optional[str]  # None: the whole catalogue
    translated: int = 0
    fuzzy: int = 0
    missing: int = 0
    reviewed_by: Optional[str] = None
    file: Optional[str] = None

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.missing

    @property
    def complete(self) -> bool:
        return self.fuzzy == 0 and self.missing == 0

    @property
    def percent(self) -> float:
        return 100.0 if self.total == 0 else 100.0 * self.translated / self.total

    def to_dict(self) -> dict:
        return {"lang": self.lang, "catalogue": self.catalogue, "template": self.template,
                "translated": self.translated, "fuzzy": self.fuzzy, "missing": self.missing,
                "total": self.total, "percent": round(self.percent, 1), "complete": self.complete,
                "reviewed_by": self.reviewed_by, "file": self.file}


def _msg_key(m):
    return (m.context, m.id[0] if isinstance(m.id, (tuple, list)) else m.id)


def _translated(m) -> bool:
    s = m.string
    return all(bool(x) for x in s) if isinstance(s, (tuple, list)) else bool(s)


def domains(locale_dir: Path = i18n.LOCALE_DIR) -> list[str]:
    """Catalogue names present: cli, documents, … (from .pot files and <lang>/LC_MESSAGES/*.po)."""
    names = {p.stem for p in locale_dir.glob("*.pot")} | {p.stem for p in locale_dir.glob("*/LC_MESSAGES/*.po")}
    return sorted(names, key=lambda n: (n != "cli", n))


def _template_locations(folders: list[tuple[str, Path]]) -> dict:
    """msgid -> [(template name, line)], from the Jinja templates themselves (documents.pot has no locations).

    ``folders``: (name as shown, folder), e.g. ("templates", …) and ("programs/<id>/templates", …).
    """
    out: dict = {}
    from .plainlang import template_messages

    for shown, folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.j2")):
            for line, msgid in template_messages(path):
                out.setdefault(msgid, []).append((f"{shown}/{path.name}", line))
    return out


def coverage(locale_dir: Path = i18n.LOCALE_DIR, languages=i18n.LANGUAGES,
             templates_dir: Optional[Path] = None, template_folders=()) -> list[Coverage]:
    """Per language and catalogue (then per template inside it): translated, fuzzy, missing, reviewed_by.

    The reference set of strings is the catalogue's ``.pot`` when there is
    one, else every string any language's file holds, so a string absent from
    a language's file counts as missing. Templates are read from
    ``template_folders`` ((name as shown, folder) pairs) and ``templates_dir``
    (shown as ``templates``).
    """
    folders = list(template_folders) + ([("templates", templates_dir)] if templates_dir is not None else [])
    rows: list[Coverage] = []
    for domain in domains(locale_dir):
        pot = locale_dir / f"{domain}.pot"
        parsed = {}
        for lang in languages:
            path = locale_dir / lang / "LC_MESSAGES" / f"{domain}.po"
            if path.is_file():
                parsed[lang] = (path, *i18n.read_catalogue(path, lang, domain))
        reference: dict = {}
        found_in = _template_locations(folders) if domain != "cli" else {}
        if pot.is_file():
            tpl, _ = i18n.read_catalogue(pot, "", domain)
            reference = {_msg_key(m): m.locations for m in tpl if m.id}
        else:
            for _path, cat, _rev in parsed.values():
                for m in cat:
                    if m.id:
                        reference.setdefault(_msg_key(m), m.locations)
        for lang in languages:
            if lang not in parsed:
                row = Coverage(lang, domain, None, missing=len(reference))
                rows.append(row)
                continue
            path, cat, reviewer = parsed[lang]
            by_key = {_msg_key(m): m for m in cat if m.id}
            total = Coverage(lang, domain, None, reviewed_by=reviewer, file=_rel(path, locale_dir))
            per_template: dict[str, Coverage] = {}
            for key, locations in reference.items():
                m = by_key.get(key)
                state = "missing" if m is None or not _translated(m) else ("fuzzy" if m.fuzzy else "translated")
                targets = [total]
                if domain != "cli":
                    for tname in sorted({loc[0] for loc in (locations or found_in.get(key[1], []))}):
                        targets.append(per_template.setdefault(
                            tname, Coverage(lang, domain, tname, reviewed_by=reviewer, file=total.file)))
                for t in targets:
                    setattr(t, state, getattr(t, state) + 1)
            rows.append(total)
            rows.extend(per_template[k] for k in sorted(per_template))
    return rows


def _rel(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base.parent.parent).as_posix()
    except ValueError:
        return str(path)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["update"]:
        for p in update():
            print(f"wrote {p}")
    else:
        print("usage: python -m careerpath.catalogs update", file=sys.stderr)
        sys.exit(2)

"""How complete each language's message catalogues are, for ``careerpath i18n status``.

:func:`coverage` counts translated / fuzzy / missing strings per language,
per catalogue and per template file. Making and updating the catalogues is
:mod:`careerpath.catalogs` (a maintainer's tool over the CLI's help texts).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from . import i18n


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

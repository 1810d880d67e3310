"""Free text of a plan in the reader's language, and passages marked with the language they are in.

A plan's text (strengths, goals, steps, services) is written by staff in one
language: the plan's ``language:``, else the language of the case's agency
(:func:`text_language`). Each translatable object may carry an optional
``translations:`` map, language tag -> the same field names in that language
(docs/format.md, "Translations of free text"). A document takes the
translation for its language when there is one; otherwise it prints the text
as written, as a :class:`Passage` that knows its language, so HTML marks it
``<span lang="en">`` and a screen reader switches voice. ``own_words`` are the
person's own words, in the person's language, and are never asked for in
another.

:func:`untranslated` lists, by field path, the text a document in a given
language would print untranslated: ``validate`` warns about it for the
person's language. Nothing here reads files or formats dates.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional

from markupsafe import escape

from .i18n.languages import catalogue_language

LIST_FIELDS = ("strengths", "interests", "barriers", "supports")


class Passage(str):
    """Text in another language than the document's: ``__html__`` wraps it in ``<span lang="…">``.

    Markdown prints it as plain text; Jinja's autoescape and ``Markup %``
    (a translated sentence with the passage as an argument) both call
    ``__html__``, so the mark survives macros and ``_("Goal: %(goal)s")``.
    """

    lang: str

    def __new__(cls, text: str, lang: str) -> "Passage":
        obj = super().__new__(cls, text)
        obj.lang = lang
        return obj

    def __reduce__(self):
        return (Passage, (str(self), self.lang))

    def __html__(self) -> str:
        return f'<span lang="{escape(self.lang)}">{escape(str(self))}</span>'


class Citation(str):
    """A rule's citation: each source (``;``-separated) kept on one line in HTML, the list free to wrap."""

    def __html__(self) -> str:
        return "; ".join(f'<span class="nobr">{escape(part.strip())}</span>' for part in str(self).split(";"))


def same_language(a: Optional[str], b: Optional[str]) -> bool:
    """Two tags read with the same catalogue (``mww`` and ``hmn``, ``es-US`` and ``es``)."""
    return bool(a) and bool(b) and catalogue_language(a) == catalogue_language(b)


def text_language(plan: Any, case: Any, config: Any, programs: Any) -> str:
    """The language a plan's text is written in: its ``language:``, else the case's agency's.

    The agency's: the ``agency_language`` of the first of the case's programs
    that declares one (the employment center's staff write Russian), else
    careerpath.yaml's ``agency_language`` (default English).
    """
    declared = getattr(plan, "language", None) if plan is not None else None
    if declared:
        return declared
    for pid in getattr(case, "enrollments", {}) or {}:
        program = programs.get(pid) if programs is not None else None
        if program is not None and getattr(program, "agency_language", ""):
            return program.agency_language
    return getattr(config, "agency_language", None) or "en"


def translation(translations: Any, lang: str) -> Any:
    """The entry of a ``translations:`` map for ``lang`` (exact tag first, then any tag of its catalogue)."""
    if not translations:
        return None
    if lang in translations:
        return translations[lang]
    for tag, entry in translations.items():
        if same_language(tag, lang):
            return entry
    return None


def shown(text: Optional[str], translations: Any, field: str, source: str, lang: str) -> Any:
    """One field as a document in ``lang`` shows it: as written, its translation, or a marked Passage."""
    if not text:
        return text or ""
    if same_language(source, lang):
        return text
    entry = translation(translations, lang)
    value = getattr(entry, field, None) if entry is not None else None
    if value:
        return value
    return Passage(text, source)


def shown_list(items: list, translations: Any, field: str, source: str, lang: str) -> list:
    """A plan list (strengths…): its translation when it has as many items, else each item marked."""
    if not items or same_language(source, lang):
        return list(items)
    entry = translation(translations, lang)
    value = getattr(entry, field, None) if entry is not None else None
    if value and len(value) == len(items):
        return list(value)
    return [Passage(t, source) for t in items]


def passages(plan: Any) -> Iterator[tuple[tuple, str, Any, str]]:
    """(path, field, the object's ``translations``, text) of every staff-written text of a plan."""
    for name in LIST_FIELDS:
        for i, text in enumerate(getattr(plan, name) or []):
            yield (name, i), name, plan.translations, text
    for gi, goal in enumerate(plan.goals):
        yield ("goals", gi, "statement"), "statement", goal.translations, goal.statement
        for oi, objective in enumerate(goal.objectives):
            yield ("goals", gi, "objectives", oi, "text"), "text", objective.translations, objective.text
    for si, service in enumerate(plan.services):
        yield ("services", si, "name"), "name", service.translations, service.name
        if service.result:
            yield ("services", si, "result"), "result", service.translations, service.result


def untranslated(plan: Any, source: str, lang: str) -> list[tuple]:
    """Paths of the plan text a document in ``lang`` would print in ``source`` (none when they agree)."""
    if plan is None or same_language(source, lang):
        return []
    out = []
    for path, field, translations, _text in passages(plan):
        entry = translation(translations, lang)
        value = getattr(entry, field, None) if entry is not None else None
        if path[0] in LIST_FIELDS:
            items = getattr(plan, path[0])
            if not value or len(value) != len(items):
                out.append(path)
        elif not value:
            out.append(path)
    return out


def count_mismatches(plan: Any) -> Iterator[tuple[tuple, int, int]]:
    """(path, items, source items) of each translated list whose length differs from its source list."""
    if plan is None:
        return
    for tag, entry in (plan.translations or {}).items():
        for name in LIST_FIELDS:
            value = getattr(entry, name, None)
            if value is not None and len(value) != len(getattr(plan, name)):
                yield ("translations", tag, name), len(value), len(getattr(plan, name))

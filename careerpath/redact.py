"""Replace personal data with stable placeholders, for outputs shared outside the agency.

A :class:`Redactor` learns every personal value of a caseload (names, birth
dates, phones, e-mail and postal addresses, SSN, SNILS, UCI and DOR case
numbers, IPRA numbers, and case ids, which are usually made from names) and
gives each a placeholder: ``Person A``, ``PHONE-1``, ``SSN-2``, ``case-a``.
The same value gets the same placeholder within one redactor, so one output
still shows that two lines are about the same person without saying who.

It works at two levels:

* :meth:`Redactor.caseload` returns a redacted copy of a loaded caseload, for
  commands that render from models (documents, due lists, reports). Personal
  fields become placeholders (birth dates become ``None``: they are dates, not
  text); every other text field (summaries, own words, reasons) has the known
  values inside it replaced too.
* :meth:`Redactor.text` is the safety net over a final output: every known
  value, in the forms it is commonly written (``+1 408 555 0142`` and
  ``(408) 555-0142``; ``2003-04-14``, ``4/14/2003``, ``14.04.2003``; a first
  name alone; a Russian name with a case ending), plus anything shaped like an
  SSN, a SNILS or an e-mail address.

Limits: a value written in a form not listed above (a birth date as ``April
14, 2003``, a nickname, a misspelled name) is not found; staff names are kept
unless ``staff=True``.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any, Iterable, Optional

from pydantic import BaseModel

from .redact_shapes import (PHONE_SHAPES, STREET_SHAPES, address_parts, address_pattern, birth_context, date_spans,
                            fold, fold_map, original_span)

# (model class name, field) -> kind of personal value
_PERSONAL: dict[tuple[str, str], str] = {
    ("Person", "name"): "name",
    ("Person", "preferred_name"): "name",
    ("Person", "birth_date"): "birth_date",
    ("Person", "phone"): "phone",
    ("Person", "email"): "email",
    ("Person", "address"): "address",
    ("Representative", "name"): "name",
    ("Representative", "phone"): "phone",
    ("Identifiers", "uci"): "uci",
    ("Identifiers", "dor_case"): "dor_case",
    ("Identifiers", "snils"): "snils",
    ("Identifiers", "ssn"): "ssn",
    ("Case", "id"): "case_id",
}
_STAFF: dict[tuple[str, str], str] = {("Staff", "name"): "staff", ("Staff", "email"): "email"}

# dotted paths in files (list indices removed) -> kind, for values met outside the models;
# an enrollment's fields say their own kind (``redact:`` in their program's program.yaml)
_PATH_KINDS = {
    "id": "case_id", "person.name": "name", "person.preferred_name": "name", "person.birth_date": "birth_date",
    "person.phone": "phone", "person.email": "email", "person.address": "address",
    "person.representative.name": "name", "person.representative.phone": "phone",
    "identifiers.uci": "uci", "identifiers.dor_case": "dor_case",
    "identifiers.snils": "snils", "identifiers.ssn": "ssn",
}
_STAFF_PATHS = {"staff.name": "staff", "staff.email": "email"}


def _as_date(text: str) -> Any:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return text


_LABEL = {"phone": "PHONE", "email": "EMAIL", "address": "ADDRESS", "uci": "UCI", "dor_case": "DOR-CASE",
          "snils": "SNILS", "ssn": "SSN", "ipra": "IPRA", "birth_date": "BIRTH-DATE"}
_MIN_DIGITS = 5  # shorter numbers (a two-digit UCI) are replaced in their field, not searched for in text

_WORD = re.compile(r"[^\W\d_]{2,}")  # a name part: two or more letters
_CYRILLIC = re.compile(r"[а-яёА-ЯЁ]")
_DIGIT_RUN = re.compile(r"\+?\(?\d+(?:[ ().\-]{1,3}\d+)*\)?")
_DIGIT_GROUP = re.compile(r"\d+")
_SSN_SHAPE = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")
_SNILS_SHAPE = re.compile(r"(?<![\d-])\d{3}-\d{3}-\d{3}[ -]\d{2}(?![\d-])")
_EMAIL_SHAPE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


_NAME_WORD = re.compile(r"[^\W\d_]{2,}")  # a name word, folded: two or more letters (hyphens split)
#: words of the placeholders themselves ("Person A", "Staff B", "case-c"): a name word equal to one
#: could not be told from a placeholder, and would be redacted again on every pass
PLACEHOLDER_WORDS = frozenset({"person", "staff", "case"})
_ARMENIAN = re.compile(r"[\u0531-\u058f]")
#: markup a name must not be read in (a person named Main, Style or Gray would otherwise break a page):
#: style and script blocks, tag names, attribute names. Attribute values and text are read.
_MARKUP = re.compile(r"<style\b.*?</style>|<script\b.*?</script>|</?[A-Za-z][\w:-]*|(?<=\s)[A-Za-z_:][\w:.-]*(?==)",
                     re.DOTALL | re.IGNORECASE)
_INITIALS_AFTER = re.compile(r"(?:[ \t]*[A-ZА-ЯЁԱ-Ֆ]\.){1,3}")
_INITIALS_BEFORE = re.compile(r"(?:(?<![^\W\d_])[A-ZА-ЯЁԱ-Ֆ]\.[ \t]*){1,3}$")


def _name_stem(word: str) -> str:
    """The folded stem a case ending attaches to: Russian names lose their last vowel (галиева -> галиев:
    галиевой, галиеву), Armenian ones keep it (հակոբյան: հակոբյանի, հակոբյանից); '' for others."""
    if _CYRILLIC.search(word) and len(word) >= 4:
        stem = word[:-1] if word[-1] in "аяйьоеыиую" else word
        return stem if len(stem) >= 3 else ""
    if _ARMENIAN.search(word) and len(word) >= 3:
        return word
    return ""


def _address_key(number: str, word: str) -> tuple[str, str]:
    return number, (word[:-2] if _CYRILLIC.search(word) and len(word) >= 5 else word)


def _stem(word: str) -> str:
    """A Cyrillic name without its last vowel, to which case endings attach; '' for others and short ones."""
    if not (_CYRILLIC.search(word) and _WORD.fullmatch(word)):
        return ""
    stem = word[:-1] if word[-1] in "аяйьоеыиуюАЯЙЬОЕЫИУЮ" else word
    return stem if len(stem) >= 3 else ""


def _letters(n: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: spreadsheet column names."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _norm(text: str) -> str:
    """Case- and punctuation-blind key: the words, lower-cased, single-spaced."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def _date_forms(d: date) -> list[str]:
    """The ways a date is written: numeric forms, and long forms in every document language."""
    forms = {d.isoformat(), f"{d.month}/{d.day}/{d.year}", f"{d.month:02}/{d.day:02}/{d.year}",
             f"{d.day}.{d.month}.{d.year}", f"{d.day:02}.{d.month:02}.{d.year}", f"{d.day:02}/{d.month:02}/{d.year}"}
    try:  # every form the one formatter writes, in the CLI and in documents
        from .i18n import LANGUAGES, format_date

        forms.update(format_date(d, lang, f) for lang in LANGUAGES for f in ("medium", "long", "full"))
    except Exception:  # babel missing: the numeric forms still hold
        pass
    return sorted(f for f in forms if f)


#: a flat or building number written after the house number (`ул. Садовая, 9-41`)
_FLAT = re.compile(r"[\-/]\d+[\w]*")

class Redactor:
    """Stable placeholders for the personal values of one caseload, for one output."""

    def __init__(self, caseload: Any = None, *, staff: bool = False) -> None:
        self.staff = staff
        self._fields = {**_PERSONAL, **(_STAFF if staff else {})}
        self._counts: dict[str, int] = {}
        self._exact: dict[str, str] = {}     # case-sensitive text (names, dates, ids) -> placeholder
        self._folded: dict[str, str] = {}    # _norm(text) (e-mails, addresses, DOR numbers) -> placeholder
        self._address_values: set[str] = set()  # the keys of _folded that are addresses
        self._numbers: dict[str, str] = {}   # digit string -> placeholder
        self._by_kind_value: dict[tuple[str, Any], str] = {}
        self._patterns: Optional[tuple[Optional[re.Pattern], Optional[re.Pattern]]] = None
        self._yo: dict[str, str] = {}
        self._stems: dict[str, str] = {}     # Russian name stems (Иванов-а, Мари-я) -> placeholder
        self._yo_stems: dict[str, str] = {}
        self._names: dict[str, str] = {}     # folded name, or name word (case- and diacritic-blind) -> placeholder
        self._name_stems: dict[str, str] = {}  # folded stem a case ending attaches to (Галиев-ой, Հակոբյան-ի)
        self._name_rx: Optional[re.Pattern] = None
        self._births: dict[date, str] = {}   # known birth dates, found in any layout
        self._addresses: dict[tuple[str, str], str] = {}  # (house number, first street word's stem) -> placeholder
        self._address_rx: Optional[re.Pattern] = None
        self._address_forms: dict[str, None] = {}
        self._programs: Any = None
        if caseload is not None:
            self.learn(caseload)

    # ------------------------------------------------------------ learning

    def _new(self, kind: str) -> str:
        n = self._counts.get(kind, 0)
        self._counts[kind] = n + 1
        if kind == "name":
            return f"Person {_letters(n)}"
        if kind == "staff":
            return f"Staff {_letters(n)}"
        if kind == "case_id":
            return f"case-{_letters(n).lower()}"
        return f"{_LABEL[kind]}-{n + 1}"

    def placeholder(self, kind: str, value: Any, person: Optional[str] = None) -> str:
        """The placeholder of ``value`` (assigning the next one if new); ``person`` ties a name to one already given."""
        key = (kind, value.strip() if isinstance(value, str) else value)
        if key in self._by_kind_value:
            return self._by_kind_value[key]
        ph = person or self._new(kind)
        self._by_kind_value[key] = ph
        self._index(kind, key[1], ph)
        return ph

    def _index(self, kind: str, value: Any, ph: str) -> None:
        self._patterns = None
        if kind in ("name", "staff"):
            self._index_name(str(value), ph)
        elif kind == "birth_date" and isinstance(value, date):
            self._births.setdefault(value, ph)
            for form in _date_forms(value):
                self._exact.setdefault(" ".join(form.split()), ph)
        elif kind == "case_id" and len(str(value)) >= 3:  # `a` or `an` as a case id would eat words
            self._exact.setdefault(str(value), ph)
        elif kind in ("phone", "ssn", "snils", "uci"):
            digits = _digits(str(value))
            if len(digits) >= _MIN_DIGITS:
                self._numbers.setdefault(digits, ph)
                if kind == "phone" and len(digits) > 10:
                    self._numbers.setdefault(digits[-10:], ph)  # +1 408… written as (408)…, +7 912… as 8 912…
            if kind == "uci" or kind == "dor_case":
                self._folded.setdefault(_norm(str(value)), ph)
        elif kind in ("email", "address", "dor_case", "ipra"):
            if _norm(str(value)):
                self._folded.setdefault(_norm(str(value)), ph)
            if kind == "address":
                self._address_values.add(_norm(str(value)))
            parts = address_parts(str(value)) if kind == "address" else None
            if parts is not None:
                self._addresses.setdefault(_address_key(parts[0], parts[1][0]), ph)
                self._address_rx = None
                self._address_forms.setdefault(address_pattern(*parts), None)
        if kind == "phone":
            digits = _digits(str(value))
            if len(digits) >= 10:  # 555-0117 for +1 650 555 0117: the number without its area code
                self._numbers.setdefault(digits[-7:], ph)

    def _index_name(self, name: str, ph: str) -> None:
        """A name and each of its words, folded (``SOFÍA``, ``sofia``, ``Pham`` for ``Phạm``), with the stems
        Russian and Armenian case endings attach to."""
        words = [w for w in _NAME_WORD.findall(fold(name)) if w not in PLACEHOLDER_WORDS]
        if not words:
            return
        self._name_rx = None
        self._names.setdefault(" ".join(words), ph)
        for word in words:
            self._names.setdefault(word, ph)
            stem = _name_stem(word)
            if stem:
                self._name_stems.setdefault(stem, ph)

    def _program_set(self) -> Any:
        if self._programs is None:
            from .programs import load_programs

            self._programs = load_programs()
        return self._programs

    def _learn_enrollments(self, enrollments: Any) -> None:
        from .programs.constraints import declared_values

        for pid, enrollment in (enrollments or {}).items():
            program = self._program_set().get(pid)
            if program is None:
                continue
            for spec, value, _path, _holder in declared_values(program.fields, enrollment):
                if spec.redact and value not in (None, ""):
                    for v in value if isinstance(value, list) else [value]:
                        self.placeholder(spec.redact, v)

    def _path_kind(self, path: str) -> Optional[str]:
        kind = _PATH_KINDS.get(path)
        parts = path.split(".")
        if kind is None and len(parts) > 2 and parts[0] == "enrollments":
            program = self._program_set().get(parts[1])
            spec = program.field(parts[2:]) if program is not None else None
            kind = (spec.redact or None) if spec is not None else None
        return kind

    def learn(self, caseload: Any) -> "Redactor":
        """Assign placeholders to every personal value of ``caseload`` (cases in id order)."""
        if getattr(caseload, "programs", None) is not None:
            self._programs = caseload.programs
        if self.staff:
            for s in getattr(caseload.config, "staff", []) or []:
                self._learn_model(s)
        for cid in sorted(caseload.cases):
            case_folder = caseload.cases[cid]
            self.placeholder("case_id", cid)
            for doc in case_folder.files():
                if doc.model is not None:
                    self._learn_model(doc.model)
            self._learn_id_words(cid, case_folder)
        return self

    def _learn_id_words(self, cid: str, case_folder: Any) -> None:
        """Case ids are usually the name in Latin letters (ani-hakobyan for Անի Հակոբյան): its words name the person too."""
        model = getattr(case_folder, "model", None)
        person = getattr(getattr(model, "person", None), "name", None)
        ph = self.placeholder("name", person) if person else self.placeholder("name", f"\0case:{cid}")
        for word in re.split(r"[-_]", cid):
            if word.isalpha() and len(word) >= 2:
                self._index_name(word, ph)

    def _learn_model(self, model: BaseModel) -> None:
        cls = type(model).__name__
        person_ph = None
        if cls == "Person" and model.name:
            person_ph = self.placeholder("name", model.name)
        for name in type(model).model_fields:
            value = getattr(model, name, None)
            kind = self._fields.get((cls, name))
            if kind and value not in (None, ""):
                tie = person_ph if (cls, name) == ("Person", "preferred_name") else None
                self.placeholder(kind, value, tie)
            elif isinstance(value, BaseModel):
                self._learn_model(value)
            elif cls == "Case" and name == "enrollments":
                self._learn_enrollments(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, BaseModel):
                        self._learn_model(item)

    # ------------------------------------------------------------ models

    def model(self, model: Any) -> Any:
        """A redacted copy of a pydantic model (the original is untouched)."""
        if isinstance(model, BaseModel):
            cls = type(model).__name__
            updates: dict[str, Any] = {}
            for name in type(model).model_fields:
                value = getattr(model, name, None)
                kind = self._fields.get((cls, name))
                if kind:
                    if value in (None, ""):
                        continue
                    updates[name] = None if kind == "birth_date" else self.placeholder(kind, value)
                else:
                    new = self.model(value)
                    if new is not value:
                        updates[name] = new
            return model.model_copy(update=updates) if updates else model
        if isinstance(model, list):
            new_list = [self.model(v) for v in model]
            return new_list if any(a is not b for a, b in zip(new_list, model)) else model
        if isinstance(model, dict):  # (a Record stays a Record: enrollments are read by attribute)
            return type(model)({self.text(k) if isinstance(k, str) else k: self.model(v) for k, v in model.items()})
        if isinstance(model, str):
            redacted = self.text(model)
            return redacted if redacted != model else model
        return model

    data = model  # JSON-like data (dicts, lists, text) goes through the same walk

    def field(self, path: str, value: Any) -> Any:
        """``value`` redacted knowing the dotted field path it came from (``person.phone``, ``jobs[0].employer``).

        For values that are not in the current caseload, such as an old phone
        number in git history: the path says what it is.
        """
        if value in (None, ""):
            return value
        if isinstance(value, dict):
            return {k: self.field(f"{path}.{k}", v) for k, v in value.items()}
        kind = self._path_kind(re.sub(r"\[\d+\]", "", path))
        if kind is None and self.staff:
            kind = _STAFF_PATHS.get(re.sub(r"\[\d+\]", "", path))
        if kind is not None:
            if isinstance(value, list):
                return [self.placeholder(kind, v) for v in value]
            return self.placeholder(kind, value if not isinstance(value, str) or kind != "birth_date" else _as_date(value))
        return self.data(value)

    def path(self, path: str) -> str:
        """A caseload-relative path with the case id replaced (``cases/case-a/events/…``)."""
        parts = path.split("/")
        if len(parts) >= 2 and parts[0] == "cases":
            parts[1] = self._by_kind_value.get(("case_id", parts[1]), parts[1])
        return "/".join(self.text(p) if i >= 2 else p for i, p in enumerate(parts))

    def caseload(self, caseload: Any) -> Any:
        """A redacted copy of a loaded Caseload: models, case ids, folder and file paths."""
        self.learn(caseload)
        cases = {}
        for cid in sorted(caseload.cases):
            case_folder = caseload.cases[cid]
            new_id = self.placeholder("case_id", cid)

            def doc(d: Any) -> Any:
                return None if d is None else dataclasses.replace(d, file=self.path(d.file), model=self.model(d.model))

            cases[new_id] = dataclasses.replace(
                case_folder, id=new_id, folder=self.path(case_folder.folder), case=doc(case_folder.case), plan=doc(case_folder.plan),
                events=[doc(d) for d in case_folder.events], referrals=[doc(d) for d in case_folder.referrals],
                appointments=[doc(d) for d in case_folder.appointments])
        config = self.model(caseload.config)
        config_file = caseload.config_file
        if config_file is not None:
            config_file = dataclasses.replace(config_file, model=self.model(config_file.model))
        diagnostics = [dataclasses.replace(d, file=self.path(d.file)) for d in caseload.diagnostics]
        return dataclasses.replace(caseload, config=config, config_file=config_file, cases=cases, diagnostics=diagnostics)

    # ------------------------------------------------------------ text

    def _compiled(self) -> tuple[Optional[re.Pattern], Optional[re.Pattern]]:
        if self._patterns is None:
            exact = []
            for text in sorted(self._exact, key=lambda t: (-len(t), t)):
                words = [re.escape(w).replace("ё", "[её]").replace("Ё", "[ЕЁ]") for w in text.split()]
                pat = r"\s+".join(words)
                if len(words) == 1 and _stem(text):  # Russian case endings: Иван -> Ивану, Мария -> Марию
                    pat = re.escape(_stem(text)).replace("ё", "[её]").replace("Ё", "[ЕЁ]") + "[а-яё]{0,3}"
                exact.append(pat)
            folded = [r"[\W_]+".join(map(re.escape, key.split())) for key in sorted(self._folded, key=lambda t: (-len(t), t))]
            # names with ё written as е, as they often are (Пётр, Петр)
            self._yo = {k.replace("ё", "е").replace("Ё", "Е"): v for k, v in self._exact.items() if "ё" in k or "Ё" in k}
            self._yo_stems = {k.replace("ё", "е").replace("Ё", "Е"): v for k, v in self._stems.items() if "ё" in k or "Ё" in k}
            self._patterns = (
                re.compile(r"(?<![\w-])(?:" + "|".join(exact) + r")(?![\w])") if exact else None,
                # a known address written with its flat (`ул. Садовая, 9-41`): the flat goes into the placeholder too
                re.compile(r"(?<!\w)(?P<known>" + "|".join(folded) + r")(?P<flat>(?<=\d)[\-/]\d+\w*)?(?!\w)",
                           re.IGNORECASE) if folded else None,
            )
        return self._patterns

    def _folded_lookup(self, m: re.Match) -> str:
        key = _norm(m.group("known"))
        ph = self._folded.get(key)
        if ph is None:
            return m.group(0)
        flat = m.group("flat") or ""
        return ph if key in self._address_values else ph + flat

    def _exact_lookup(self, m: re.Match) -> str:
        found = " ".join(m.group(0).split())
        for cut in range(0, 4):
            key = found[: len(found) - cut] if cut else found
            if key in self._exact:
                return self._exact[key]
            if key in self._yo:
                return self._yo[key]
            for stems in (self._stems, self._yo_stems):
                if key in stems:
                    return stems[key]
        return m.group(0)



    def _number(self, digits: str) -> Optional[str]:
        """The placeholder of a known number written with these digits: as stored, or a phone with
        another national or international prefix (8 917… for +7 917…, 001 650… for +1 650…)."""
        found = self._numbers.get(digits)
        if found is None and 11 <= len(digits) <= 14:
            found = self._numbers.get(digits[-10:])
        return found

    def _numbers_in(self, m: re.Match) -> str:
        run = m.group(0)
        groups = [(g.start(), g.end(), g.group(0)) for g in _DIGIT_GROUP.finditer(run)]
        out, last, i = [], 0, 0
        while i < len(groups):
            hit = None
            for j in range(min(len(groups), i + 7) - 1, i - 1, -1):  # longest first
                digits = "".join(g[2] for g in groups[i : j + 1])
                ph = self._number(digits)
                if ph is not None:
                    hit = (j, ph)
                    break
            if hit is None:
                i += 1
                continue
            j, ph = hit
            start, end = groups[i][0], groups[j][1]
            if start > 0 and run[start - 1] == "(" and ")" in run[end : end + 1]:
                start, end = start - 1, end + 1
            elif start > 0 and run[start - 1] == "(":
                start -= 1
            if start == 1 and run[0] == "+":
                start = 0
            out.append(run[last:start] + ph)
            last = end
            i = j + 1
        return "".join(out) + run[last:] if out else run

    def text(self, text: str) -> str:
        """``text`` with every known personal value replaced, in the forms people write it, and anything shaped
        like an SSN, a SNILS, an e-mail, a phone number, a street address or a birth date (a date after "DOB",
        "born", "дата рождения"...) replaced too."""
        if not text:
            return text
        # shapes first, so a SNILS is not read as an SSN followed by two digits
        text = _SNILS_SHAPE.sub(lambda m: self._numbers.get(_digits(m.group(0))) or self.placeholder("snils", _digits(m.group(0))), text)
        text = _SSN_SHAPE.sub(lambda m: self._numbers.get(_digits(m.group(0))) or self.placeholder("ssn", _digits(m.group(0))), text)
        text = self._dates(text)
        if self._numbers:
            text = _DIGIT_RUN.sub(self._numbers_in, text)
        text = PHONE_SHAPES.sub(lambda m: self.placeholder("phone", _digits(m.group(0))), text)
        exact, folded = self._compiled()
        if folded is not None:
            text = folded.sub(self._folded_lookup, text)
        text = _EMAIL_SHAPE.sub(lambda m: self.placeholder("email", m.group(0).casefold()), text)
        text = self._streets(text)
        exact, folded = self._compiled()
        if exact is not None:
            text = exact.sub(self._exact_lookup, text)
        return self._names_in(text)

    # ------------------------------------------------------------ text, by shape

    @staticmethod
    def _replace(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
        """``text`` with each (start, end, placeholder) span replaced; spans are sorted, an overlapping one is skipped."""
        out, last = [], 0
        for start, end, ph in spans:
            if start < last or end <= start:
                continue
            out.append(text[last:start])
            out.append(ph)
            last = end
        if not out:
            return text
        out.append(text[last:])
        return "".join(out)

    def _dates(self, text: str) -> str:
        """Known birth dates in any layout, and any date a birth word names (a birth date not in the caseload)."""
        if not any(c.isdigit() for c in text):
            return text
        folded, where = fold_map(text)
        spans = []
        for s, e, dates in date_spans(folded, overlapping=True):
            ph = next((self._births[d] for d in sorted(dates) if d in self._births), None)
            if ph is None and birth_context(folded, s, e):
                ph = self.placeholder("birth_date", min(dates))
            if ph is None:
                continue
            start, end = original_span(where, s, e)
            if spans and start < spans[-1][1]:  # overlaps the last one: one placeholder over both
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]), spans[-1][2])
            else:
                spans.append((start, end, ph))
        return self._replace(text, spans)

    def _streets(self, text: str) -> str:
        """Known addresses by house number and street (``88 Laurel St``), and any street address by its shape."""
        if not any(c.isdigit() for c in text):
            return text
        if self._address_rx is None and self._address_forms:
            self._address_rx = re.compile("|".join(self._address_forms))
        folded, where = fold_map(text)
        found = []
        if self._address_rx is not None:
            for m in self._address_rx.finditer(folded):
                parts = address_parts(m.group(0))
                ph = None
                number = re.search(r"\d+[a-z]?", m.group(0))
                for word in _NAME_WORD.findall(m.group(0)):
                    if number is not None:
                        ph = self._addresses.get(_address_key(number.group(0), word))
                        if ph:
                            break
                if ph is None and parts is not None:
                    ph = self._addresses.get(_address_key(parts[0], parts[1][0]))
                found.append((m.start(), m.end(), ph or self.placeholder("address", _norm(m.group(0)))))
        for m in STREET_SHAPES.finditer(folded):
            found.append((m.start(), m.end(), self.placeholder("address", _norm(m.group(0)))))
        found.sort(key=lambda f: (f[0], -f[1]))
        merged: list[tuple[int, int, str]] = []
        for s, e, ph in found:  # a known form and a shape that overlap: one placeholder over both (never `-41` left)
            tail = _FLAT.match(folded, e)  # `9-41`, `9/41`: the flat's number belongs to the address
            e = tail.end() if tail else e
            if merged and s < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]), merged[-1][2])
            else:
                merged.append((s, e, ph))
        return self._replace(text, [(*original_span(where, s, e), ph) for s, e, ph in merged])

    def _name_regex(self) -> Optional[re.Pattern]:
        if self._name_rx is None and (self._names or self._name_stems):
            alts = []
            for key in sorted(self._names, key=lambda k: (-len(k), k)):
                alts.append(r"[\s\-]+".join(map(re.escape, key.split())))
            for stem in sorted(self._name_stems, key=lambda k: (-len(k), k)):
                ending = r"[а-я]{0,3}" if _CYRILLIC.search(stem) else r"[\u0561-\u0587]{0,3}"
                alts.append(re.escape(stem) + ending)
            # a name inside a hyphenated word is the whole word (Delgado-Ruiz, not Person J-Ruiz)
            self._name_rx = re.compile(r"(?<![\w])(?:[^\W_]+-)*(?P<core>" + "|".join(alts) + r")(?:-[^\W_]+)*(?![\w])")
        return self._name_rx

    def _name_of(self, core: str) -> Optional[str]:
        key = " ".join(re.split(r"[\s\-]+", core.strip()))
        if key in self._names:
            return self._names[key]
        for cut in range(0, 4):
            if len(key) - cut >= 3 and key[: len(key) - cut] in self._name_stems:
                return self._name_stems[key[: len(key) - cut]]
        return None

    def _names_in(self, text: str) -> str:
        """Every name and name word of the caseload, case-, diacritic- and hyphen-blind, with the initials
        written beside it (``ГАЛИЕВА А.Р.``, ``jamal``, ``Pham Thi Hong``, ``Delgado-Ruiz``, ``J. Carter``).

        A two-letter word (``Le``, ``An``) counts only when written with a capital: in lower case it is too
        often a word of its own (Spanish ``le``)."""
        rx = self._name_regex()
        if rx is None:
            return text
        folded, where = fold_map(text)
        markup = [m.span() for m in _MARKUP.finditer(text)] if "<" in text or "=" in text else []
        spans: list[tuple[int, int, str]] = []
        for m in rx.finditer(folded):
            ph = self._name_of(m.group("core"))
            if ph is None:
                continue
            start, end = original_span(where, m.start(), m.end())
            if markup and any(a < end and start < b for a, b in markup):
                continue
            core_start = original_span(where, m.start("core"), m.end("core"))[0]
            if len(m.group("core")) <= 2 and not text[core_start:core_start + 1].isupper():
                continue
            after = _INITIALS_AFTER.match(text, end)
            if after:
                end = after.end()
            floor = spans[-1][1] if spans else 0   # initials already taken by the name before stay there
            before = _INITIALS_BEFORE.search(text[max(floor, start - 12):start])
            if before:
                start -= len(before.group(0))
            if spans and spans[-1][2] == ph and not text[spans[-1][1]:start].strip():
                start = spans.pop()[0]   # Jamal Carter written in two matches: one placeholder
            spans.append((start, end, ph))
        return self._replace(text, spans)

    def values(self) -> Iterable[str]:
        """Every placeholder given so far (never the values)."""
        return sorted(set(self._by_kind_value.values()))


def redact_text(text: str, caseload: Any, *, staff: bool = False) -> str:
    """One-shot safety net: ``text`` with the personal values of ``caseload`` replaced."""
    return Redactor(caseload, staff=staff).text(text)


def for_output(caseload: Any, enabled: bool, *, staff: bool = False) -> tuple[Any, Any]:
    """What an output command needs for ``--redact``: the caseload to render and a final text filter.

    Disabled: the caseload itself and the identity. Enabled: a redacted copy and
    :meth:`Redactor.text` of the same redactor, so placeholders agree.
    """
    if not enabled:
        return caseload, lambda text: text
    r = Redactor(caseload, staff=staff)
    return r.caseload(caseload), r.text

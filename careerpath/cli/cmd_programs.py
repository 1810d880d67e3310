"""``careerpath programs``: the programs this caseload knows, and what each one asks for."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

from ..i18n import _, ngettext
from .common import CaseloadOpt, CliError, FormatOpt, app, caseload_of
from .output import TEXT_JSON, check_format, emit


def _fields(program: Any) -> list[dict]:
    out = []
    for path, spec in program.walk():
        out.append({"field": ".".join(path).replace(".*", "[]"), "type": spec.type, "required": spec.required,
                    "values": list(spec.values), "key_date": spec.key_date, "help": spec.help})
    return out


def describe(program: Any, lang: str) -> dict:
    """What ``careerpath programs ID --format json`` prints for one program."""
    return {
        "id": program.id, "name": program.name_in(lang), "builtin": program.builtin,
        "folder": program.source.rsplit("/", 1)[0],
        "fields": _fields(program),
        "new_options": [{"option": f"--{f.option}", "field": f.name, "required": f.required, "help": f.help}
                        for f in program.new if f.option],
        "events": sorted(program.events), "documents": list(program.documents),
        "rules": [r.id for r in program.rules],
        "settings": [{"name": s.name, "default": s.default, "help": s.help} for s in program.settings],
    }


@app.command()
def programs(
    ctx: typer.Context,
    program: Annotated[Optional[str], typer.Argument(metavar="ID", help="One program: its fields and options.")] = None,
    format: FormatOpt = "text",
    caseload: CaseloadOpt = None,
) -> int:
    """List the programs: those that ship with careerpath and, inside a
    caseload, its own (each a folder under programs/). With an ID, show what
    the program's enrollment holds, the options `careerpath new` takes for it,
    the event types it counts, its documents and its rules.

    Example:  careerpath programs ca-dor-vr
    """
    check_format(format, TEXT_JSON)
    from ..programs import load_programs
    from .cmd_rules import _caseload_or_none
    from .localize import content_language

    root = _caseload_or_none(ctx, caseload)
    found = load_programs(root)
    lang = content_language(ctx, None, "en")
    chosen = list(found)
    if program is not None:
        one = found.get(program)
        if one is None:
            near = found.nearest(program)
            raise CliError(_("no program {id} here").format(id=program), code=2,
                           hint=_("did you mean {id}?").format(id=near) if near else
                           _("programs: {list}").format(list=", ".join(found.ids())))
        chosen = [one]
    if format == "json":
        emit([describe(p, lang) for p in chosen], format)
        return 0
    if program is None:
        width = max(len(p.id) for p in chosen)
        for p in chosen:
            origin = _("built in") if p.builtin else _("this caseload")
            rules = ngettext("{n} rule", "{n} rules", len(p.rules)).format(n=len(p.rules))
            print(f"{p.id:<{width}}  {p.name_in(lang)}  ({origin}; {rules})")
        return 0
    d = describe(chosen[0], lang)
    print(f"{d['id']}: {d['name']}")
    print(_("enrollment fields (case.yaml: enrollments.{id}):").format(id=d["id"]))
    for f in d["fields"]:
        req = " *" if f["required"] else ""
        values = f" [{', '.join(map(str, f['values']))}]" if f["values"] else ""
        print(f"  {f['field']}{req}  ({f['type']}{values})  {f['help']}".rstrip())
    if d["new_options"]:
        print(_("careerpath new --program {id} takes:").format(id=d["id"]))
        for o in d["new_options"]:
            print(f"  {o['option']}{' *' if o['required'] else ''}  {o['help']}".rstrip())
    print(_("event types it counts: {list}").format(list=", ".join(d["events"]) or "-"))
    print(_("documents: {list}").format(list=", ".join(d["documents"]) or "-"))
    print(_("rules: {list}").format(list=", ".join(d["rules"]) or "-"))
    return 0

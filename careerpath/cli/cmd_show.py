"""``careerpath show CASE``: one person at a glance."""

from __future__ import annotations

import typer

from ..i18n import _, display, display_date as dd, ngettext, text
from .cmd_due import warn_on_errors
from .common import (CaseloadOpt, CliError, ContentLangOpt, FormatOpt, RedactOpt, RedactStaffOpt, TodayOpt, app,
                     cache_of, caseload_of, rule_book, today_of)
from .output import TEXT_JSON, check_format, emit


@app.command()
def show(
    ctx: typer.Context,
    case: str = typer.Argument(..., metavar="CASE", help="The case id (its folder name)."),
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
    format: FormatOpt = "text",
    lang: ContentLangOpt = None,
    redact: RedactOpt = False,
    redact_staff: RedactStaffOpt = False,
) -> int:
    """One person at a glance: who, language and interpreter, enrollments with
    their key dates, jobs, plan progress, open obligations, last events, open
    referrals. Prints the person's name: for your screen, not for logs.

    Example:  careerpath show an-nguyen --caseload sample-cases --today 2026-11-22
    """
    check_format(format, TEXT_JSON)
    root = caseload_of(ctx, caseload)
    day = today_of(ctx, today)
    from ..pipeline import load
    from .filters import require

    loaded = load(root, cache=cache_of(ctx))
    require("CASE", [case], loaded.cases)
    warn_on_errors(loaded.diagnostics)
    from ..obligations import case_obligations
    from ..obligations.query import Query, due
    from ..overview import overview

    # due's query over this one case: open ones, and those left open when the case or an enrollment ended
    # the case's load diagnostics mark what a broken file may hide (`invalid`, `incomplete`)
    own = [d for d in loaded.diagnostics if d.file.startswith(f"cases/{case}/")]
    found = case_obligations(loaded.cases[case], rule_book(loaded.programs), loaded.settings, day, loaded.config_file,
                             own)
    obligations = due(found, day, Query(cases=(case,), history=True)).rows
    from .redaction import redact_obligations, redacted_stdout, redactor

    red = redactor(loaded, redact, redact_staff)
    obligations = redact_obligations(red, obligations)  # uids hash the case id
    view = overview(loaded, case, day, obligations)
    if format == "json" and red is not None:  # field by field first (a birth date is a date, not text), then the text net
        view = red.data(view)
    from .localize import content_language

    language = content_language(ctx, lang, loaded.config.default_language)
    titles = {o.uid: o.title_in(language) for o in obligations}
    with redacted_stdout(red):
        emit(view, format, lambda: _print(view, titles))
    return 0


def _print(v: dict, titles: dict[str, str]) -> None:
    p = v.get("person")
    head = f"{v['case']}"
    if p:
        head += f" — {p['preferred_name']}"
        if p["preferred_name"] != p["name"]:
            head += f" ({p['name']})"
    print(head)
    if p:
        needs = [x for x, on in ((_("interpreter"), p["interpreter"]), (_("plain language"), p["plain_language"])) if on]
        print("  " + _("language {lang}").format(lang=p["language"]) + (f", {', '.join(needs)}" if needs else "")
              + ("; " + _("representative: {name}").format(name=p["representative"]) if p["representative"] else ""))
        closure = v.get("closure")
        if closure:  # closed on its closure date (the opening date is when it opened, not when it closed)
            status = _("closed on {date} ({reason})").format(date=dd(closure["date"]),
                                                             reason=display("closure-reason", closure["reason"]))
            if v.get("opened"):
                status += "; " + _("opened {date}").format(date=dd(v["opened"]))
        else:
            status = display("case-status", v["status"]) + (
                " " + _("since {date}").format(date=dd(v["opened"])) if v.get("opened") else "")
        print(f"  {status}")
        if closure and closure.get("note"):
            print("  " + _("closure note: {text}").format(text=closure["note"]))
        if v["staff"]:
            print("  " + _("staff: {list}").format(list=", ".join(f"{role} {s['id']}" for role, s in v["staff"].items())))
    if v["problems"]:
        print("  ! " + _("{n} file(s) with errors: run `careerpath validate`").format(n=v["problems"]))
    for e in v.get("enrollments", []):
        print(f"\n{e['program']}")
        for name, when in e["dates"].items():
            print(f"  {name:<34} {dd(when)}")  # field names are stored keys: shown as they are
    if v.get("jobs"):
        print("\n" + _("jobs"))
        for j in v["jobs"]:
            span = dd(j["start"]) + (" " + _("to {date}").format(date=dd(j["end"])) if j["end"] else ", " + _("ongoing"))
            what = j["employer"] + (f", {j['title']}" if j["title"] else "")
            print(f"  {what}: {span}"
                  + (", " + _("{hours} h/week").format(hours=f"{j['hours_per_week']:g}") if j["hours_per_week"] else ""))
    if v.get("plan"):
        pl = v["plan"]
        print("\n" + _("plan: {goals} goal(s), objectives {done}/{total} done, services {sdone}/{stotal} done").format(
            goals=pl["goals"], done=pl["objectives_done"], total=pl["objectives"], sdone=pl["services_done"],
            stotal=pl["services"]))
        for o in pl["next_objectives"]:
            print("  " + _("next {id}: {text}").format(id=o["id"], text=o["text"])
                  + (" (" + _("due {date}").format(date=dd(o["due"])) + ")" if o["due"] else ""))
    print("\n" + (_("open obligations") if v["obligations"] else _("open obligations: none")))
    for o in v["obligations"]:
        title = titles.get(o["uid"], o["title"])
        if o["status"] == "invalid":  # case.yaml did not load: where, and how many errors (never a value)
            n = dict(getattr(o["detail"], "args", ())).get("n", 0)
            title = text(o["title"])
            extra = ngettext("{file}, {n} error", "{file}, {n} errors", n).format(file=o["source"], n=n)
        else:
            extra = ", ".join(x for x in (o.get("time", ""), o["item"], text(o["detail"]),
                                          _("incomplete") if o["incomplete"] else "") if x)
        width = max(9, *(len(display("status", x)) for x in ("done", "overdue", "due-soon", "upcoming", "partial", "scheduled",
                                                               "invalid")))
        print(f"  {display('status', o['status']):<{width}} {dd(o['due']) if o['due'] else '-':<10}  {title}"
              + (f" [{extra}]" if extra else ""))
    if v["open_at_end"]:
        print("\n" + _("left open when the case closed or an enrollment ended: {n} (`careerpath due --all --case {case}`)")
              .format(n=len(v["open_at_end"]), case=v["case"]))
    if v["last_events"]:
        print("\n" + _("last events"))
        for e in v["last_events"]:
            print(f"  {dd(e['date'])}  {e['type']}" + (" " + _("by {staff}").format(staff=e["by"]) if e["by"] else "")
                  + (f": {e['summary']}" if e["summary"] else ""))
    if v["open_referrals"]:
        print("\n" + _("open referrals"))
        for r in v["open_referrals"]:
            print(f"  {dd(r['date'])}  " + _("{kind} to {to}").format(kind=r["kind"], to=r["to"])
                  + (", " + _("follow up {date}").format(date=dd(r["follow_up"])) if r["follow_up"] else ""))

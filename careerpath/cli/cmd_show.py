"""``careerpath show CASE``: one person at a glance."""

from __future__ import annotations

import typer

from ..i18n import _, display, display_date as dd, ngettext, text
from .duelist import warn_on_errors
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
    from .filters import one_case

    # this case's folder, careerpath.yaml and the programs: one person costs one person (--redact reads them all)
    loaded = one_case(root, case, whole=redact, cache=cache_of(ctx) if redact else None)
    warn_on_errors(loaded.diagnostics)  # (this case's files and careerpath.yaml: the ones it was computed from)
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
    # each item in the case's own words (a service's name, an objective's text): this screen shows the name
    described = {o.uid: text(o.described) for o in obligations if o.described}
    names = {pid: p.name_in(language) for pid in loaded.programs.ids() if (p := loaded.programs.get(pid)) is not None}
    with redacted_stdout(red):
        emit(view, format, lambda: _print(view, titles, names, described))
    return 0


def _days(n: int) -> str:
    """How far a date is from today, in words."""
    if n < 0:
        return ngettext("{n} day late", "{n} days late", -n).format(n=-n)
    if n == 0:
        return _("today")
    return ngettext("in {n} day", "in {n} days", n).format(n=n)


def _print(v: dict, titles: dict[str, str], names: dict[str, str], described: dict[str, str]) -> None:
    p = v.get("person")
    head = f"{v['case']}"
    if p:
        head += f" — {p['preferred_name']}"
        if p["preferred_name"] != p["name"]:
            head += f" ({p['name']})"
    print(head)
    if p:
        needs = [x for x, on in ((_("interpreter"), p["interpreter"]), (_("plain language"), p["plain_language"])) if on]
        from ..documents.context import language_name
        from ..i18n import current

        # the language by its name in the reader's language, and its tag (what the file and --language take)
        lang = f"{language_name(p['language'], current())} ({p['language']})"
        print("  " + _("language {lang}").format(lang=lang) + (f", {', '.join(needs)}" if needs else "")
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
            print("  " + _("staff: {list}").format(list=", ".join(
                f"{display('staff-role', role)} {s['name'] or s['id']}" for role, s in v["staff"].items())))
    if v["problems"]:
        print("  ! " + _("{n} file(s) with errors: run `careerpath validate`").format(n=v["problems"]))
    if v.get("next_actions"):
        print("\n" + _("next actions"))
        for n, a in enumerate(v["next_actions"], 1):
            what = titles.get(a["uid"], a["title"]) + (f" — {text(a['what'])}" if a["what"] else "")
            print(f"  {n}. " + _("{what}: by {date} ({when})").format(what=what, date=dd(a["due"]), when=_days(a["days"])))
            print("     " + text(a["how"]))
    for e in v.get("enrollments", []):
        print(f"\n{names.get(e['program'], e['name'])}")
        labels = {path: text(label) for path, label in e["labels"].items()}
        width = max([34, *(len(x) + 1 for x in labels.values())]) if labels else 34
        for path, when in e["dates"].items():
            print(f"  {labels.get(path, path):<{width}} {dd(when)}")  # the program's labels, in the user's language
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
            extra = ", ".join(x for x in (o.get("time", ""), described.get(o["uid"]) or text(o["item_words"]) or o["item"],
                                          text(o["detail"]), _("incomplete") if o["incomplete"] else "") if x)
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

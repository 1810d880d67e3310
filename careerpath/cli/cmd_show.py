"""``careerpath show CASE``: one person at a glance."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from .cmd_due import LangOpt, RulesDirOpt, load_and_compute, warn_on_errors
from .common import CaseloadOpt, CliError, FormatOpt, TodayOpt, app


@app.command()
def show(
    ctx: typer.Context,
    case: str = typer.Argument(..., metavar="CASE", help="The case id (its folder name)."),
    caseload: CaseloadOpt = None,
    today: TodayOpt = None,
    format: FormatOpt = "text",
    lang: LangOpt = None,
    rules_dir: RulesDirOpt = None,
) -> int:
    """One person at a glance: who, language and interpreter, enrollments with
    their key dates, jobs, plan progress, open obligations, last events, open
    referrals. Prints the person's name: for your screen, not for logs.

    Example:  careerpath show an-nguyen --caseload sample-cases --today 2026-11-22
    """
    if format not in ("text", "json"):
        raise CliError("--format must be text or json", code=2)
    cl, day, obligations = load_and_compute(ctx, caseload, today, rules_dir, history=True)
    if case not in cl.cases:
        import difflib

        close = difflib.get_close_matches(case, sorted(cl.cases), n=1)
        raise CliError(f"no case `{case}` in this caseload", code=1,
                       hint=f"did you mean `{close[0]}`?" if close else "`careerpath due` lists every case")
    warn_on_errors(cl)
    from ..overview import overview

    view = overview(cl, case, day, [o for o in obligations if o.case == case])
    if format == "json":
        json.dump(view, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    language = lang or cl.config.default_language or "en"
    titles = {o.uid: o.title_in(language) for o in obligations}
    _print(view, titles)
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
        needs = [x for x, on in (("interpreter", p["interpreter"]), ("plain language", p["plain_language"])) if on]
        print(f"  language {p['language']}" + (f", {', '.join(needs)}" if needs else "")
              + (f"; representative: {p['representative']}" if p["representative"] else ""))
        status = v["status"] + (f" since {v['opened']}" if v.get("opened") else "")
        if v.get("closure"):
            status += f", closed {v['closure']['date']} ({v['closure']['reason']})"
        print(f"  {status}")
        if v["staff"]:
            print("  staff: " + ", ".join(f"{role} {s['id']}" for role, s in v["staff"].items()))
    if v["problems"]:
        print(f"  ! {v['problems']} file(s) with errors: run `careerpath validate`")
    for e in v.get("enrollments", []):
        print(f"\n{e['program']}")
        for name, when in e["dates"].items():
            print(f"  {name:<34} {when}")
    if v.get("jobs"):
        print("\njobs")
        for j in v["jobs"]:
            span = j["start"] + (f" to {j['end']}" if j["end"] else ", ongoing")
            what = j["employer"] + (f", {j['title']}" if j["title"] else "")
            print(f"  {what}: {span}" + (f", {j['hours_per_week']:g} h/week" if j["hours_per_week"] else ""))
    if v.get("plan"):
        pl = v["plan"]
        print(f"\nplan: {pl['goals']} goal(s), objectives {pl['objectives_done']}/{pl['objectives']} done, "
              f"services {pl['services_done']}/{pl['services']} done")
        for o in pl["next_objectives"]:
            print(f"  next {o['id']}: {o['text']}" + (f" (due {o['due']})" if o["due"] else ""))
    print("\nopen obligations" + ("" if v["obligations"] else ": none"))
    for o in v["obligations"]:
        extra = ", ".join(x for x in (o["item"], o["detail"]) if x)
        print(f"  {o['status']:<9} {o['due']}  {titles.get(o['uid'], o['title'])}" + (f" [{extra}]" if extra else ""))
    if v["last_events"]:
        print("\nlast events")
        for e in v["last_events"]:
            print(f"  {e['date']}  {e['type']}" + (f" by {e['by']}" if e["by"] else "")
                  + (f": {e['summary']}" if e["summary"] else ""))
    if v["open_referrals"]:
        print("\nopen referrals")
        for r in v["open_referrals"]:
            print(f"  {r['date']}  {r['kind']} to {r['to']}" + (f", follow up {r['follow_up']}" if r["follow_up"] else ""))

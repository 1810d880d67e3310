"""`careerpath cases`: my cases with what is next, filters, sorts, json/csv; and the tables that fit a terminal."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess

import jsonschema
import pytest

from careerpath.cli.shapes import shapes
from careerpath.cli.tables import Column, render
from conftest import ROOT, SAMPLE
from ptyrun import run_at_width

DAY = "2026-11-22"
SAMPLE_IDS = sorted(p.name for p in (SAMPLE / "cases").iterdir())


def cases(cli, *args):
    return cli("cases", "--caseload", SAMPLE, "--today", DAY, *args)


def as_json(cli, *args) -> list:
    r = cases(cli, *args, "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    jsonschema.Draft7Validator(shapes()["cases"], format_checker=jsonschema.FormatChecker()).validate(data)
    return data


def test_every_active_case_by_default_most_past_due_first(cli, monkeypatch):
    monkeypatch.delenv("CAREERPATH_STAFF", raising=False)
    data = as_json(cli)
    assert {d["status"] for d in data} == {"active"} and "quang-le" not in [d["id"] for d in data]
    late = [d["next"]["days_late"] for d in data if d["next"] and d["next"]["days_late"]]
    assert late == sorted(late, reverse=True) and late[0] > 0
    assert [d["id"] for d in as_json(cli, "--all")] != [d["id"] for d in data]
    assert sorted(d["id"] for d in as_json(cli, "--all")) == SAMPLE_IDS


def test_my_cases_when_the_staff_member_is_known(cli, monkeypatch):
    monkeypatch.setenv("CAREERPATH_STAFF", "gsafina")
    r = cases(cli, "--format", "json")
    mine = sorted(d["id"] for d in json.loads(r.out))
    assert mine == ["alsu-galieva", "sergey-morozov"] and "gsafina" in r.err
    assert len(as_json(cli, "--all")) == len(SAMPLE_IDS)
    # --staff overrides who I am
    assert {d["id"] for d in as_json(cli, "--staff", "rpatel", "--status", "active", "--status", "closed")} == \
        {"ashley-brooks", "dana-whitfield", "quang-le"}


def test_filters_combine(cli, monkeypatch):
    monkeypatch.delenv("CAREERPATH_STAFF", raising=False)
    ccp = as_json(cli, "--program", "ca-dds-ccp")
    assert ccp and all("ca-dds-ccp" in d["programs"] for d in ccp)
    both = as_json(cli, "--program", "ca-dds-ccp", "--language", "es")
    assert both and all(d["language"] == "es" and "ca-dds-ccp" in d["programs"] for d in both)
    assert len(both) < len(ccp)
    # search: words of the id or a name, accents and case ignored
    assert [d["id"] for d in as_json(cli, "--search", "TRAN THI")] == ["linh-tran"]
    assert [d["id"] for d in as_json(cli, "--search", "sofia ramirez")] == ["sofia-ramirez"]
    assert [d["id"] for d in as_json(cli, "--search", "морозов")] == ["sergey-morozov"]
    assert as_json(cli, "--search", "nobody-here") == []
    assert [d["id"] for d in as_json(cli, "--status", "closed")] == ["quang-le"]


def test_sorts(cli):
    by_id = [d["id"] for d in as_json(cli, "--all", "--sort", "id")]
    assert by_id == SAMPLE_IDS
    opened = [d["opened"] for d in as_json(cli, "--all", "--sort", "opened")]
    assert opened == sorted(opened)
    r = cases(cli, "--sort", "age")
    assert r.code == 2 and r.out == "" and "--sort" in r.err


def test_an_unknown_staff_or_program_is_refused_not_an_empty_list(cli):
    # checked as `due` checks its filters (cli/filters.py): a usage error, a staff value never echoed
    r = cases(cli, "--staff", "nobody")
    assert r.code == 2 and r.out == "" and "not a staff id" in r.err and "nobody" not in r.err
    r = cases(cli, "--program", "ca-nope")
    assert r.code == 2 and r.out == "" and "ca-nope" in r.err
    r = cases(cli, "--program", "ca-dor-v")
    assert r.code == 2 and "did you mean `ca-dor-vr`?" in r.err
    r = cases(cli, "--status", "activ")
    assert r.code == 2 and "did you mean `active`?" in r.err


def test_csv_has_one_line_per_case(cli, monkeypatch):
    monkeypatch.delenv("CAREERPATH_STAFF", raising=False)
    r = cases(cli, "--all", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.out)))
    assert sorted(x["id"] for x in rows) == SAMPLE_IDS
    linh = next(x for x in rows if x["id"] == "linh-tran")
    assert linh["next_status"] == "overdue" and int(linh["days_late"]) > 0 and linh["programs"] == "ca-dds-ccp"


def test_redact_hides_names_in_every_format(cli):
    for fmt in ("text", "json", "csv"):
        r = cases(cli, "--all", "--redact", "--format", fmt)
        assert r.code == 0
        for name in ("Галиева", "Sofía", "Linh", "Delgado"):
            assert name not in r.out, (fmt, name)


def test_the_text_table_when_piped_is_one_line_per_case(cli, monkeypatch):
    monkeypatch.delenv("CAREERPATH_STAFF", raising=False)
    r = cases(cli, "--all")
    lines = r.out.splitlines()
    assert lines[0].split()[:2] == ["CASE", "NAME"] and len(lines) == len(SAMPLE_IDS) + 2
    assert "13 cases" in lines[-1]



# ---------------------------------------------------------------- tables that fit

def test_layout_wraps_text_and_lists_and_drops_columns_in_order():
    cols = [Column("A", drop=2), Column("ID"), Column("TEXT", wrap="text"), Column("WHO", wrap="list", drop=1)]
    rows = [("x", "sergey-morozov", "a long obligation that needs several lines to be read", "bthompson,gmartinez")]
    wide = render(cols, rows, 200)
    assert len(wide.splitlines()) == 2
    narrow = render(cols, rows, 40)
    assert "WHO" not in narrow and "sergey-morozov" in narrow and all(len(l) <= 40 for l in narrow.splitlines())
    mid = render(cols, rows, 60)
    assert "bthompson," in mid and "gmartinez" in mid and all(len(l) <= 60 for l in mid.splitlines())
    assert len(render(cols, rows, 40, wide=True).splitlines()) == 2


def _cells_by_character(text: str) -> int:
    import unicodedata

    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
               for ch in text)


@pytest.mark.parametrize("text", ["", "c000451", "Worksite monitoring (twice a month) [2025-06]", "Nguyễn Thị Hòa",
                                  "Nguye\u0302\u0303n", "Լուրիկ Մ., Alra M.", "Вераский М. Т.", "Yeej M.",
                                  "職場 支援", "tab\tand\x1b escape", "ｆｕｌｌ ｗｉｄｔｈ"])
def test_cells_counts_as_the_terminal_does_whether_ascii_or_not(text):
    from careerpath.cli.tables import cells

    # the ASCII shortcut and the remembered counts give what counting character by character gives, every time
    assert cells(text) == _cells_by_character(text) == cells(text)


def test_wrapped_cells_are_remembered_but_not_shared_between_widths():
    from careerpath.cli.tables import _wrap

    text = "Report on IPRA execution to the MSE bureau, every quarter of the plan"
    import textwrap

    for width in (20, 30, 20):
        assert list(_wrap(text, width, "text")) == textwrap.wrap(text, width, break_long_words=True,
                                                                 break_on_hyphens=True)
    assert _wrap("Caela A., Ngọc H. D., Mabel L.", 12, "list") == ("Caela A.,", "Ngọc H. D.,", "Mabel L.")
    assert _wrap("short", 20, "text") == ("short",)


def _ids_whole(text: str, ids: list[str]) -> None:
    body = text.splitlines()
    for cid in ids:
        if cid in text:
            continue
        # an id absent from the table must not be there in pieces either
        assert not any(cid[: len(cid) // 2 + 1] in line and cid not in line for line in body), cid


@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_due_and_cases_at_a_real_terminal_never_cut_an_id(width, tmp_path):
    # a private load cache: a process of its own must not write into the one the in-process tests share
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAREERPATH_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("CAREERPATH_STAFF", None)
    staff = ["mreyes", "tnguyen", "avardanyan", "dortiz", "kvang", "gmartinez", "bthompson", "rpatel", "lsargsyan",
             "xlee", "gsafina", "ikarimov"]
    for args in (["due"], ["cases", "--all"]):
        code, shown = run_at_width([*args, "--caseload", str(SAMPLE), "--today", DAY], width, env=env)
        assert code == 0, shown
        lines = [l for l in shown.splitlines() if l.strip()]
        assert all(len(l) <= width for l in lines), (width, [l for l in lines if len(l) > width])
        case_column = [l.split()[0] for l in lines[1:-1] if l[0] != " "]
        listed = [c for c in SAMPLE_IDS if c in shown]
        assert listed, shown
        _ids_whole(shown, SAMPLE_IDS)
        if "STAFF" in lines[0]:
            _ids_whole(shown, staff)
            # a staff list wraps between ids, never inside one
            for line in lines:
                for piece in line.split():
                    piece = piece.rstrip(",")
                    if piece.isalpha() and piece.islower() and any(s.startswith(piece) for s in staff) \
                            and len(piece) >= 4:
                        assert piece in staff, (piece, line)
        if args == ["cases", "--all"]:
            assert sorted(c for c in case_column if c in SAMPLE_IDS) == SAMPLE_IDS
            if width >= 200:
                assert all(h in lines[0] for h in ("NAME", "PROGRAMS", "STATUS", "LANG"))
            if width == 60:
                assert "LANG" not in lines[0]


def test_wide_keeps_every_column_at_a_narrow_terminal(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CAREERPATH_CACHE_DIR": str(tmp_path / "cache")}
    code, shown = run_at_width(["due", "--wide", "--caseload", str(SAMPLE), "--today", DAY], 60, env=env)
    assert code == 0 and all(h in shown.splitlines()[0] for h in ("STATUS", "DUE", "WHEN", "CASE", "STAFF"))

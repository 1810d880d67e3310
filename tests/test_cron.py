"""The crontab in docs/cron.md, run as cron would: bare environment, no terminal, sh -c."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from conftest import copy_samples, ROOT, SAMPLE

CRON_DOC = ROOT / "docs" / "cron.md"


def crontab_block() -> list[str]:
    text = CRON_DOC.read_text(encoding="utf-8")
    block = re.search(r"```crontab\n(.*?)```", text, re.S).group(1)
    return [l for l in block.splitlines() if l.strip() and not l.startswith("#")]


@pytest.mark.slow  # runs the documented crontab's commands as cron would: CI runs it (`pytest -m slow`)
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_documented_crontab_runs_clean_under_cron_conditions(tmp_path):
    caseload = tmp_path / "caseload"
    copy_samples(caseload)
    (caseload / ".gitignore").write_text(".careerpath/\nreports/\n")
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=Setup", "-c", "user.email=setup@example.invalid",
                                                    "commit", "-qm", "caseload"]):
        subprocess.run(["git", *args], cwd=caseload, check=True, capture_output=True)
    (caseload / ".careerpath").mkdir(exist_ok=True)
    env = {"PATH": "/usr/bin:/bin", "SHELL": "/bin/sh", "HOME": str(tmp_path), "LOGNAME": "cron",
           "PYTHONPATH": str(ROOT), "GIT_CONFIG_NOSYSTEM": "1"}  # cron: no user.name, no TERM, no locale
    jobs = []
    for line in crontab_block():
        if re.match(r"^[A-Z_]+=", line):
            name, value = line.split("=", 1)
            env[name] = {"CAREERPATH": f"{sys.executable} -m careerpath", "CASELOAD": str(caseload)}[name]
        else:
            fields = line.split(None, 5)
            assert len(fields) == 6, line
            jobs.append(fields[5])
    assert len(jobs) == 4
    for command in jobs:
        proc = subprocess.run(["/bin/sh", "-c", command], env=env, capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, (command, proc.stderr)
        assert proc.stdout == ""  # cron mails any output: a quiet run prints nothing
    log = (caseload / ".careerpath" / "cron.log").read_text() if (caseload / ".careerpath" / "cron.log").exists() else ""
    assert "Traceback" not in log and "error" not in log.lower()
    assert (caseload / ".careerpath" / "cache" / "results" / "root.pickle").is_file()  # the 00:05 warm-up
    reports = caseload / "reports"
    assert (reports / "dashboard.html").is_file()
    assert any(p.name.startswith("quarterly-") for p in reports.iterdir())
    assert any(p.name.startswith("registry-recipients-") for p in reports.iterdir())
    assert any(p.name.startswith("outcomes-") for p in reports.iterdir())
    # --commit worked without a git identity, through the documented fallback
    log = subprocess.run(["git", "log", "--format=%an <%ae>|%s"], cwd=caseload, capture_output=True, text=True).stdout
    committed = [l for l in log.splitlines() if "|report " in l]
    assert committed and all(l.startswith("careerpath <careerpath@careerpath.invalid>") for l in committed)

"""The server's pre-receive hook in a real bare repository, pushed to over git daemon on 127.0.0.1."""

from __future__ import annotations

import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import TODAY
from gitservers import bare, git, git_daemon, identity
from test_record import CASE

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

CONFIG = """\
agency: Test Agency
staff:
  - {id: jsmith, name: Jordan Smith, role: counselor, languages: [en]}
  - {id: ktran, name: Kim Tran, role: job-coach, languages: [en]}
  - {id: sup, name: Sam Lee, role: navigator, access: supervisor}
  - {id: admin1, name: Ada Park, role: navigator, access: admin, logins: [ada]}
  - {id: rsafina, name: Rosa Safina, role: curator}
"""
OTHER = CASE.replace("id: an-nguyen", "id: bo-li").replace("{navigator: jsmith}", "{navigator: ktran}").replace("Nguyễn Văn An", "Li Bo")


class Server:
    """A bare repository with the hook, served by one git daemon per pusher (CAREERPATH_PUSHER, as plain SSH sets it)."""

    def __init__(self, base: Path):
        self.base = base
        self.repo = bare(base / "caseload.git")

    @contextmanager
    def as_(self, pusher: str | None):
        env = {"CAREERPATH_PUSHER": pusher, "CAREERPATH_TODAY": TODAY.isoformat()} if pusher else \
            {"CAREERPATH_TODAY": TODAY.isoformat()}
        with git_daemon(self.base, env=env) as prefix:
            yield f"{prefix}/caseload.git"

    def push(self, clone: Path, pusher: str | None, *args: str) -> subprocess.CompletedProcess:
        with self.as_(pusher) as url:
            return git(clone, "push", url, *args, check=False)

    def main(self) -> str:
        return git(self.repo, "rev-parse", "main", check=False).stdout.strip()


@pytest.fixture
def server(tmp_path, cli):
    base = tmp_path / "srv"
    base.mkdir()
    srv = Server(base)
    r = cli("server", "install-hook", srv.repo)
    assert r.code == 0, r.err
    clone = tmp_path / "clone"
    clone.mkdir()
    git(clone, "init", "-q", "-b", "main")
    identity(clone, "Ada Park")
    for rel, text in {"careerpath.yaml": CONFIG, "cases/an-nguyen/case.yaml": CASE, "cases/bo-li/case.yaml": OTHER}.items():
        (clone / rel).parent.mkdir(parents=True, exist_ok=True)
        (clone / rel).write_text(text)
    git(clone, "add", "-A")
    git(clone, "commit", "-qm", "start")
    pushed = srv.push(clone, "ada", "main")
    assert pushed.returncode == 0, pushed.stderr
    return srv, clone


def commit(clone: Path, rel: str, text: str, message: str = "change") -> None:
    (clone / rel).parent.mkdir(parents=True, exist_ok=True)
    (clone / rel).write_text(text)
    git(clone, "add", "-A")
    git(clone, "commit", "-qm", message)


def test_a_broken_case_is_refused_with_its_diagnostic_and_nothing_lands(server):
    srv, clone = server
    before = srv.main()
    commit(clone, "cases/an-nguyen/case.yaml", CASE.replace("opened: 2026-03-02", "opened: 2026-02-30"))
    r = srv.push(clone, "jsmith", "main")
    assert r.returncode != 0
    assert "refused refs/heads/main: the push adds validation errors" in r.stderr
    assert "cases/an-nguyen/case.yaml:4:9 invalid-date" in r.stderr
    assert "2026-02-30" not in r.stderr
    assert srv.main() == before


def test_navigator_may_change_only_their_own_cases(server):
    srv, clone = server
    commit(clone, "cases/bo-li/events/2026-11-03-contact.yaml", "date: 2026-11-03\ntype: contact\nby: jsmith\n")
    r = srv.push(clone, "jsmith", "main")
    assert r.returncode != 0 and "`jsmith` may not change these files" in r.stderr and "cases/bo-li/" in r.stderr
    git(clone, "reset", "-q", "--hard", "HEAD~1")
    commit(clone, "cases/an-nguyen/events/2026-11-03-contact.yaml", "date: 2026-11-03\ntype: contact\nby: jsmith\n")
    r = srv.push(clone, "jsmith", "main")
    assert r.returncode == 0, r.stderr


def test_a_navigator_cannot_take_a_case_by_naming_themselves_on_it(server):
    srv, clone = server
    commit(clone, "cases/bo-li/case.yaml", OTHER.replace("{navigator: ktran}", "{navigator: jsmith}"))
    r = srv.push(clone, "jsmith", "main")
    assert r.returncode != 0 and "cases/bo-li/" in r.stderr


def test_supervisor_may_change_every_case_but_not_the_settings(server):
    srv, clone = server
    commit(clone, "cases/bo-li/events/2026-11-03-contact.yaml", "date: 2026-11-03\ntype: contact\nby: ktran\n")
    assert srv.push(clone, "sup", "main").returncode == 0
    commit(clone, "careerpath.yaml", CONFIG.replace("Test Agency", "Other Agency"))
    r = srv.push(clone, "sup", "main")
    assert r.returncode != 0 and "careerpath.yaml" in r.stderr
    assert srv.push(clone, "ada", "main").returncode == 0          # an admin may


def test_unknown_or_anonymous_pusher_is_refused(server):
    srv, clone = server
    commit(clone, "cases/an-nguyen/events/2026-11-03-contact.yaml", "date: 2026-11-03\ntype: contact\nby: jsmith\n")
    r = srv.push(clone, "mallory", "main")
    assert r.returncode != 0 and "`mallory` is not on staff" in r.stderr
    r = srv.push(clone, None, "main")
    assert r.returncode != 0 and "cannot tell who is pushing" in r.stderr
    # an admin's login maps to their staff id; the id itself is not a login when logins are given
    assert srv.push(clone, "admin1", "main").returncode != 0


def test_force_push_and_deleting_main_are_refused(server):
    srv, clone = server
    commit(clone, "cases/an-nguyen/events/2026-11-03-contact.yaml", "date: 2026-11-03\ntype: contact\nby: jsmith\n")
    assert srv.push(clone, "jsmith", "main").returncode == 0
    before = srv.main()
    git(clone, "reset", "-q", "--hard", "HEAD~1")
    commit(clone, "cases/an-nguyen/events/2026-11-04-contact.yaml", "date: 2026-11-04\ntype: contact\nby: jsmith\n")
    for pusher in ("jsmith", "ada"):                            # not even an admin, without a purge marker
        r = srv.push(clone, pusher, "--force", "main")
        assert r.returncode != 0 and "cannot be rewritten" in r.stderr
    r = srv.push(clone, "ada", ":main")
    assert r.returncode != 0 and "cannot be deleted" in r.stderr
    assert srv.main() == before


def test_an_old_error_elsewhere_does_not_block_an_unrelated_push(server, cli):
    srv, clone = server
    # an error already on the server (pushed before the hook existed): only what a push adds is refused
    hook = Path(srv.repo) / "hooks" / "pre-receive"
    saved = hook.read_bytes()
    hook.unlink()
    commit(clone, "cases/bo-li/case.yaml", OTHER.replace("opened: 2026-03-02", "opened: 2026-02-30"))
    assert srv.push(clone, "ada", "main").returncode == 0
    hook.write_bytes(saved)
    hook.chmod(0o755)
    commit(clone, "cases/an-nguyen/events/2026-11-03-contact.yaml", "date: 2026-11-03\ntype: contact\nby: jsmith\n")
    r = srv.push(clone, "jsmith", "main")
    assert r.returncode == 0, r.stderr


def test_check_reads_only_the_changed_case_folders(server):
    from careerpath.team.server import check_push

    srv, clone = server
    commit(clone, "cases/an-nguyen/events/2026-11-03-contact.yaml", "date: 2026-11-03\ntype: contact\nby: jsmith\n")
    srv.push(clone, "jsmith", "main")
    git(clone, "fetch", "-q", str(srv.repo), "main")
    old = srv.main()
    commit(clone, "cases/bo-li/events/2026-11-05-contact.yaml", "date: 2026-11-05\ntype: contact\nby: ktran\n")
    new = git(clone, "rev-parse", "HEAD").stdout.strip()
    git(clone, "push", "-q", str(srv.repo), f"{new}:refs/heads/candidate", check=False, env={"CAREERPATH_PUSHER": "ktran"})
    result = check_push(srv.repo, [(old, new, "refs/heads/main")], TODAY, env={"CAREERPATH_PUSHER": "ktran"})
    assert result.accepted, result.refusals
    (ref, scope, files), = result.checked
    assert scope.cases == ["bo-li"] and not scope.caseload_level
    assert files == 3 + 2        # new: careerpath.yaml, case.yaml, the event; old: the first two. Not the other case


SURVEY = "surveys/2026-10-21-quality.yaml"
SURVEY_TEXT = "date: 2026-10-21\nname: Quality of services\naudience: citizens\nrespondents: 40\nsatisfied: 31\nby: rsafina\n"


def test_surveys_are_changed_by_curators_supervisors_and_admins_only(server):
    srv, clone = server
    commit(clone, SURVEY, SURVEY_TEXT)
    for pusher in ("jsmith", "ktran"):                          # a counselor, a job coach: not their files
        r = srv.push(clone, pusher, "main")
        assert r.returncode != 0 and f"`{pusher}` may not change these files" in r.stderr and SURVEY in r.stderr
    r = srv.push(clone, "rsafina", "main")                      # the curator records the agency's surveys
    assert r.returncode == 0, r.stderr
    commit(clone, SURVEY, SURVEY_TEXT.replace("satisfied: 31", "satisfied: 32"))
    assert srv.push(clone, "sup", "main").returncode == 0       # a supervisor may correct one
    # the curator's role gives surveys/, not the cases of others, nor the settings
    commit(clone, "cases/bo-li/events/2026-11-03-contact.yaml", "date: 2026-11-03\ntype: contact\nby: rsafina\n")
    r = srv.push(clone, "rsafina", "main")
    assert r.returncode != 0 and "cases/bo-li/" in r.stderr


def test_a_broken_survey_or_appointment_is_refused_with_its_diagnostic(server):
    srv, clone = server
    before = srv.main()
    commit(clone, SURVEY, SURVEY_TEXT.replace("respondents: 40", "respondents: forty"))
    r = srv.push(clone, "rsafina", "main")
    assert r.returncode != 0 and "the push adds validation errors" in r.stderr
    assert f"{SURVEY}:4:14 wrong-type" in r.stderr and "forty" not in r.stderr
    assert srv.main() == before
    git(clone, "reset", "-q", "--hard", "HEAD~1")
    appointment = "cases/an-nguyen/appointments/2026-12-03-ipp.yaml"
    commit(clone, appointment, "date: 2026-12-03\nkind: ipp-meting\nstaff: [jsmith]\n")
    r = srv.push(clone, "jsmith", "main")
    assert r.returncode != 0 and f"{appointment}:2:7 invalid-value" in r.stderr
    assert srv.main() == before
    commit(clone, appointment, "date: 2026-12-03\nkind: ipp-meeting\nstaff: [jsmith]\n")
    commit(clone, SURVEY, SURVEY_TEXT)
    assert srv.push(clone, "jsmith", "main").returncode != 0     # the survey is not the counselor's
    git(clone, "reset", "-q", "--hard", "HEAD~1")
    r = srv.push(clone, "jsmith", "main")                       # the fixed appointment lands
    assert r.returncode == 0, r.stderr


def test_a_change_to_a_survey_is_checked_with_the_surveys_only():
    from careerpath.team.incremental import scope_of

    scope = scope_of([SURVEY, "surveys/questionnaires/quality.md"])
    assert scope.surveys and not scope.cases and not scope.caseload_level
    assert not scope_of(["cases/surveys/case.yaml"]).surveys

"""Signed records (issue 15): recordings signed with a staff member's SSH key, and `audit --verify`,
with keys made by the real ssh-keygen in real git repositories."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import TODAY
from test_audit_trail import STAFF_CONFIG, head, run
from test_record import CASE, PLAN, git

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed; the audit trail is git"),
    pytest.mark.skipif(shutil.which("ssh-keygen") is None,
                       reason="ssh-keygen is not installed (OpenSSH's client; .ci/run installs openssh-client)"),
]


def keygen(folder, name: str):
    """A new ed25519 key pair without a passphrase: (private key file, public key line)."""
    path = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@test", "-f", str(path)], check=True,
                   capture_output=True)
    return path, (folder / f"{name}.pub").read_text().strip()


@pytest.fixture
def keys(tmp_path):
    folder = tmp_path / "keys"
    folder.mkdir()
    return {name: keygen(folder, name) for name in ("jsmith", "ktran", "stranger")}


@pytest.fixture
def signed(caseload, keys, monkeypatch):
    """The office caseload, signing: jsmith's and ktran's public keys in careerpath.yaml, their key files named
    in git config on the office machine."""
    monkeypatch.delenv("CAREERPATH_STAFF", raising=False)
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    config = (STAFF_CONFIG
              .replace("email: jordan.smith@agency.example,", f"email: jordan.smith@agency.example, signing_key: "
                                                               f"'{keys['jsmith'][1]}',")
              .replace("{id: ktran, name: Kim Tran,", f"{{id: ktran, name: Kim Tran, signing_key: '{keys['ktran'][1]}',")
              + "settings:\n  sign_commits: ssh\n")
    root = caseload({"cases/an-nguyen/case.yaml": CASE, "cases/an-nguyen/plan.yaml": PLAN}, config=config)
    git(root, "init", "-q")
    git(root, "config", "user.name", "Front Office PC")
    git(root, "config", "user.email", "frontdesk@agency.example")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    git(root, "config", "careerpath.jsmith.signingKey", str(keys["jsmith"][0]))
    git(root, "config", "careerpath.ktran.signingKey", str(keys["ktran"][0]))
    return root


def verify(cli, repo, *args):
    r = cli("audit", "--verify", "--format", "json", "-C", repo, *args)
    return r.code, [(f["code"], f["subject"]) for f in json.loads(r.out or "[]")], r


def test_recordings_are_signed_by_the_staff_member_and_verify(signed, cli):
    assert run(cli, signed, "log", "an-nguyen", "contact", "--date", "2026-11-20", "--by", "jsmith").code == 0
    assert "gpgsig" in git(signed, "cat-file", "commit", "HEAD")
    assert run(cli, signed, "log", "an-nguyen", "contact", "--date", "2026-11-21", "--by", "ktran").code == 0
    # git itself agrees, against the allowed signers careerpath derives from careerpath.yaml
    allowed = signed.parent / "allowed"
    from careerpath.signing import allowed_signers
    from careerpath.models import CaseloadConfig
    from careerpath.yamlfile import read_file

    staff = CaseloadConfig.model_validate(read_file(signed / "careerpath.yaml", "careerpath.yaml").data).staff
    allowed.write_text(allowed_signers(staff))
    proc = subprocess.run(["git", "-c", f"gpg.ssh.allowedSignersFile={allowed}", "verify-commit", "HEAD"], cwd=signed,
                          capture_output=True, text=True)
    assert proc.returncode == 0 and 'Good "git" signature for ktran@careerpath.invalid' in proc.stderr
    code, findings, r = verify(cli, signed)
    # the first commit was made by hand, unsigned; both recordings verify
    assert code == 1 and findings == [("unsigned", "start")], r.out
    assert verify(cli, signed, "--since", "2026-01-01")[1] == [("unsigned", "start")]


def test_unsigned_unknown_and_bad_signatures_are_findings(signed, cli, keys):
    assert run(cli, signed, "log", "an-nguyen", "contact", "--date", "2026-11-20", "--by", "jsmith").code == 0
    case = signed / "cases/an-nguyen/case.yaml"
    # signed with a key careerpath.yaml does not list
    case.write_text(case.read_text().replace("opened: 2026-03-02", "opened: 2026-03-03"))
    git(signed, "-c", "gpg.format=ssh", "-c", f"user.signingKey={keys['stranger'][0]}", "commit", "-qS", "-am", "stranger")
    # unsigned
    case.write_text(case.read_text().replace("opened: 2026-03-03", "opened: 2026-03-04"))
    git(signed, "commit", "-qam", "unsigned")
    # signed by ktran but authored as jsmith
    case.write_text(case.read_text().replace("opened: 2026-03-04", "opened: 2026-03-05"))
    git(signed, "-c", "gpg.format=ssh", "-c", f"user.signingKey={keys['ktran'][0]}", "commit", "-qS", "-am", "posing",
        "--author", "Jordan Smith <jordan.smith@agency.example>")
    # a bad signature: jsmith's signed commit with its message changed afterwards (the object rewritten by hand)
    assert run(cli, signed, "set", "an-nguyen", "person.interpreter", "true", "--by", "jsmith").code == 0
    raw = git(signed, "cat-file", "commit", "HEAD")
    forged = raw.replace("Staff: jsmith", "Staff: ktran")
    assert forged != raw
    sha = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin"], cwd=signed, input=forged,
                         capture_output=True, text=True, check=True).stdout.strip()
    git(signed, "update-ref", "HEAD", sha)
    code, findings, r = verify(cli, signed)
    assert code == 1
    assert findings == [("unsigned", "start"), ("unknown-signer", "stranger"), ("unsigned", "unsigned"),
                        ("signer-not-author", "posing"), ("bad-signature", "an-nguyen: set person.interpreter")]
    import jsonschema

    from careerpath.cli.shapes import shapes

    data = json.loads(r.out)
    jsonschema.validate(data, shapes()["audit"])
    assert data[3]["signature"]["principal"] == "ktran@careerpath.invalid"
    text = cli("audit", "--verify", "-C", signed).out
    assert "the commit is not signed" in text and "signed with a key that is not an allowed signer" in text
    assert "signed by ktran@careerpath.invalid, not by the author" in text and "the signature does not verify" in text
    # without --verify signatures are not checked
    assert not [f for f in json.loads(cli("audit", "--format", "json", "-C", signed).out)
                if f["code"] in ("unsigned", "unknown-signer", "bad-signature", "signer-not-author")]


def test_an_allowed_signers_file_of_ones_own_replaces_careerpath_yaml(signed, cli, keys, tmp_path):
    assert run(cli, signed, "log", "an-nguyen", "contact", "--date", "2026-11-20", "--by", "jsmith").code == 0
    # the auditor's file lists only ktran: jsmith's signature is from an unknown signer
    own = tmp_path / "auditor-allowed-signers"
    own.write_text(f"ktran@careerpath.invalid {keys['ktran'][1]}\n")
    code, findings, _ = verify(cli, signed, "--allowed-signers", own)
    assert findings[-1] == ("unknown-signer", "an-nguyen: log contact 2026-11-20")
    git(signed, "config", "gpg.ssh.allowedSignersFile", str(own))
    assert verify(cli, signed)[1][-1] == ("unknown-signer", "an-nguyen: log contact 2026-11-20")
    r = cli("audit", "--allowed-signers", own, "-C", signed)
    assert r.code == 2 and "--allowed-signers goes with --verify" in r.err


def test_recording_is_refused_before_writing_when_no_key_is_known(signed, cli, keys):
    git(signed, "config", "--unset", "careerpath.ktran.signingKey")
    config = signed / "careerpath.yaml"
    config.write_text(config.read_text().replace(f"signing_key: '{keys['ktran'][1]}',", ""))
    git(signed, "commit", "-qam", "ktran's key removed")
    before = head(signed, "%H")
    r = run(cli, signed, "log", "an-nguyen", "contact", "--date", "2026-11-20", "--by", "ktran")
    assert r.code == 2 and "no SSH key is known for ktran" in r.err
    assert not (signed / "cases/an-nguyen/events").exists() and head(signed, "%H") == before
    # a key file that is gone
    git(signed, "config", "careerpath.ktran.signingKey", str(keys["ktran"][0]) + "-gone")
    r = run(cli, signed, "log", "an-nguyen", "contact", "--date", "2026-11-20", "--by", "ktran")
    assert r.code == 1 and "is not there" in r.err and head(signed, "%H") == before


def test_doctor_reports_the_signing_setup(signed, cli, keys, monkeypatch):
    def signing():
        r = cli("doctor", "--format", "json", "-C", signed)
        return [(f["check"], f["status"]) for f in json.loads(r.out) if f["check"].startswith("signing")], r

    found, r = signing()
    assert ("signing", "warn") in found   # no staff member set on this machine
    monkeypatch.setenv("CAREERPATH_STAFF", "jsmith")
    found, r = signing()
    assert found == [("signing keys", "warn"), ("signing", "ok")], r.out   # reva has no key
    assert f"jsmith signs with {keys['jsmith'][0]} (the signing_key in careerpath.yaml)" in r.out
    git(signed, "config", "careerpath.jsmith.signingKey", str(keys["stranger"][0]))
    found, r = signing()
    assert ("signing", "fail") in found and "is not the signing_key careerpath.yaml lists" in r.out
    monkeypatch.setenv("CAREERPATH_STAFF", "reva")
    found, r = signing()
    assert ("signing", "fail") in found and "no SSH key is known for reva" in r.out


def test_a_signing_key_in_careerpath_yaml_is_one_line_of_a_public_key(caseload, cli):
    bad = STAFF_CONFIG.replace("{id: ktran, name: Kim Tran,", "{id: ktran, name: Kim Tran, signing_key: 'not a key',")
    root = caseload({"cases/an-nguyen/case.yaml": CASE}, config=bad)
    r = cli("validate", "-C", root, "--today", TODAY.isoformat(), "--format", "json")
    assert r.code == 1 and any("signing_key" in json.dumps(d) for d in json.loads(r.out))


def test_a_new_case_is_signed_too(signed, cli):
    r = cli("new", "b-case", "--name", "Invented Person", "--language", "en", "--no-plan", "--navigator", "jsmith",
            "--by", "jsmith", "-C", signed, "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    assert "gpgsig" in git(signed, "cat-file", "commit", "HEAD")

"""``careerpath doctor``: is this machine and this caseload fit to work on?

:func:`diagnose` returns a list of :class:`Finding` values (ok, warn or fail,
each with what to do about it); it never prints, and it reads only metadata:
no case file is parsed and no personal value is shown (paths and counts only).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable, Literal, Optional

Status = Literal["ok", "warn", "fail"]
MIN_PYTHON = (3, 11)
CACHE_DIR = ".careerpath"
# the extras careerpath can use, and what is lost without them
EXTRAS = {
    "weasyprint": "PDF documents (pip install weasyprint; without it documents are HTML)",
    "babel": "dates and numbers in each person's language (pip install babel)",
    "filelock": "safe concurrent runs, e.g. cron while someone edits (pip install filelock)",
}


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    detail: str
    fix: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def _git(args: list[str], cwd: Optional[Path] = None) -> tuple[int, str, str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        p = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as e:
        return 1, "", type(e).__name__
    return p.returncode, p.stdout.strip(), p.stderr.strip()


def check_python() -> Iterable[Finding]:
    v = sys.version_info
    text = f"Python {v.major}.{v.minor}.{v.micro}"
    if (v.major, v.minor) < MIN_PYTHON:
        yield Finding("python", "fail", f"{text}; careerpath needs {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer",
                      "install a newer Python and reinstall careerpath")
    else:
        yield Finding("python", "ok", text)


def check_git(root: Optional[Path]) -> Iterable[Finding]:
    if shutil.which("git") is None:
        yield Finding("git", "warn", "git is not installed: the caseload has no history and no audit trail",
                      "install git (apt install git, brew install git, or git-scm.com)")
        return
    code, out, _ = _git(["--version"])
    yield Finding("git", "ok" if code == 0 else "warn", out or "git did not report its version")
    missing = [key for key in ("user.name", "user.email") if _git(["config", "--get", key], root)[0] != 0]
    if missing:
        yield Finding("git identity", "warn", f"git has no {' and no '.join(missing)}: commits will fail (cron too)",
                      'git config --global user.name "Your Name"; git config --global user.email you@agency.org')
    else:
        yield Finding("git identity", "ok", "user.name and user.email are set")


def check_yaml() -> Iterable[Finding]:
    """The YAML reader: libyaml makes it fast; without it PyYAML's pure-Python parser is ~13 times slower."""
    import yaml

    if getattr(yaml, "__with_libyaml__", False):
        yield Finding("yaml", "ok", f"PyYAML {yaml.__version__} with libyaml")
    else:
        yield Finding("yaml", "warn", f"PyYAML {yaml.__version__} without libyaml: reading a large caseload is slow",
                      "pip install --force-reinstall pyyaml (the wheels for Linux, macOS and Windows include libyaml)")


def check_extras() -> Iterable[Finding]:
    for module, purpose in EXTRAS.items():
        if importlib.util.find_spec(module) is None:
            yield Finding(f"extra {module}", "warn", f"not installed: {purpose.split(' (')[0]} unavailable",
                          purpose[purpose.find("(") + 1 : -1] if "(" in purpose else "")
        else:
            yield Finding(f"extra {module}", "ok", f"installed: {purpose.split(' (')[0]}")


def check_locales(languages: Iterable[str]) -> Iterable[Finding]:
    languages = sorted(set(languages))
    if not languages:
        return
    if importlib.util.find_spec("babel") is None:
        yield Finding("locale data", "warn", "babel is not installed: no locale data for dates and numbers",
                      "pip install babel")
        return
    from babel import Locale, UnknownLocaleError

    missing = []
    for lang in languages:
        try:
            Locale.parse(lang.replace("-", "_"))
        except (UnknownLocaleError, ValueError, TypeError):
            missing.append(lang)
    if missing:
        from .i18n.formatting import OWN_DATE_FORMS

        tabled = [lang for lang in missing if lang.split("-")[0].lower() in OWN_DATE_FORMS]
        iso = [lang for lang in missing if lang not in tabled]
        how = "; ".join([*([f"{', '.join(tabled)}: careerpath's own month table"] if tabled else []),
                         *([f"{', '.join(iso)}: ISO 8601 dates"] if iso else [])])
        yield Finding("locale data", "warn", f"no CLDR locale data for: {', '.join(missing)} ({how})",
                      "have a native speaker review documents in these languages")
    else:
        yield Finding("locale data", "ok", f"CLDR data for {', '.join(languages)}")


def _languages(root: Path, cache: Any = None) -> list[str]:
    """The languages the caseload uses, read cheaply (no personal value leaves this function)."""
    try:
        from .pipeline import load

        caseload = load(root, cache=cache)
    except Exception:  # a broken caseload is validate's business, not doctor's
        return []
    langs = {caseload.config.default_language} if getattr(caseload.config, "default_language", None) else set()
    for s in caseload.config.staff or []:
        langs.update(s.languages)
    for case_folder in caseload.cases.values():
        if case_folder.model is not None:
            langs.add(case_folder.model.person.language)
    return sorted(langs)


def _private_mode(mode: int) -> bool:
    return not (mode & (stat.S_IRWXG | stat.S_IRWXO))


def check_permissions(root: Path) -> Iterable[Finding]:
    if os.name != "posix":
        yield Finding("permissions", "ok", "not a POSIX system: check the folder's sharing settings by hand")
        return
    exposed: list[str] = []
    folders = [root / "cases", root / "careerpath.yaml"]
    for top in folders:
        if not top.exists():
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in [*dirnames, *filenames]:
                path = Path(dirpath) / name
                try:
                    mode = path.lstat().st_mode
                except OSError:
                    continue
                if stat.S_ISLNK(mode):
                    continue
                if not _private_mode(mode):
                    exposed.append(path.relative_to(root).as_posix())
        if top.is_file():
            try:
                if not _private_mode(top.stat().st_mode):
                    exposed.append(top.name)
            except OSError:
                pass
    try:
        root_open = bool(root.stat().st_mode & (stat.S_IROTH | stat.S_IXOTH))
    except OSError:
        root_open = False
    if exposed:
        sample = ", ".join(sorted(exposed)[:3]) + (" …" if len(exposed) > 3 else "")
        yield Finding("permissions", "warn", f"{len(exposed):,} case files or folders are readable by group or others ({sample})",
                      f"chmod -R go-rwx {root}")
    elif root_open:
        yield Finding("permissions", "warn", "the caseload folder can be listed by other users (file names are case ids)",
                      f"chmod go-rwx {root}")
    else:
        yield Finding("permissions", "ok", "case files are private to their owner")


def check_cache(root: Path) -> Iterable[Finding]:
    cache = root / CACHE_DIR
    stale = sorted(p.relative_to(root).as_posix() for p in root.rglob(".*.tmp") if p.is_file())
    if stale:
        yield Finding("leftovers", "warn", f"{len(stale)} temporary file(s) from an interrupted write: {', '.join(stale[:3])}",
                      "delete them (the real files are intact: writes are atomic)")
    if not cache.exists() and not cache.is_symlink():
        yield Finding("cache", "ok", f"no {CACHE_DIR}/ folder (made on first use)")
        return
    if cache.is_symlink() or not cache.is_dir():
        yield Finding("cache", "fail", f"{CACHE_DIR} is not a plain folder", f"delete {cache}; it is rebuilt on the next run")
        return
    if not os.access(cache, os.R_OK | os.W_OK | os.X_OK):
        yield Finding("cache", "fail", f"{CACHE_DIR}/ is not readable and writable by you", f"fix its owner or delete {cache}")
        return
    size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file() and not p.is_symlink())
    yield Finding("cache", "ok", f"{CACHE_DIR}/ holds {size / 1024:,.0f} KiB (safe to delete; it is rebuilt)")


def check_cache_trust(root: Path, place: Any = None) -> Iterable[Finding]:
    """Whose cache files these are: the key that signs them, a cache folder git tracks, files careerpath will not read.

    Paths and counts only (cache file names are hashes and numbers, never case data).
    """
    from .cache.health import inspect
    from .cache.store import tracked_files

    health = inspect(root, place)
    if health.key_status == "refused":
        yield Finding("cache key", "fail", f"{health.key_path} is refused: {health.key_reason}; "
                      "the load cache is off (every run reads every file)",
                      f"delete {health.key_path} (a new key is made; cache files are rebuilt)")
    else:
        yield Finding("cache key", "ok", f"{health.key_path}" + (" (made on first use)" if health.key_status == "missing"
                                                                  else ": yours, private"))
    where = health.place
    tracked = tracked_files(root, where)
    if tracked:
        sample = ", ".join(tracked[:3]) + (" …" if len(tracked) > 3 else "")
        yield Finding("cache in git", "warn",
                      f"{len(tracked)} file(s) under {CACHE_DIR}/ are tracked by git ({sample}): careerpath does "
                      f"not read them" + ("" if where.local else f" and keeps its cache in {where.folder}"),
                      f"git rm -r --cached {CACHE_DIR} && git commit -m 'stop tracking {CACHE_DIR}/'")
    elif where.refused:
        yield Finding("cache in git" if "git" in where.refused else "cache folder", "warn",
                      f"{where.refused}: careerpath keeps its cache in {where.folder}",
                      f"delete {root / CACHE_DIR} (careerpath makes it again)")
    if health.untrusted:
        reasons: dict[str, int] = {}
        for _path, why in health.untrusted:
            reasons[why] = reasons.get(why, 0) + 1
        sample = ", ".join(p for p, _ in health.untrusted[:3]) + (" …" if len(health.untrusted) > 3 else "")
        yield Finding("cache files", "warn",
                      f"{len(health.untrusted)} cache file(s) were not written by careerpath for you ("
                      + "; ".join(f"{why}: {n}" for why, n in sorted(reasons.items()))
                      + f"): {sample}; they are never read, and rebuilt",
                      "delete " + " ".join(sorted({str(Path(p).parent) for p, _ in health.untrusted})))
    elif health.files:
        yield Finding("cache files", "ok", f"{health.files:,} file(s) in {where.folder}, each signed with your key")


def check_repository(root: Path) -> Iterable[Finding]:
    if shutil.which("git") is None:
        return
    code, out, err = _git(["rev-parse", "--is-inside-work-tree"], root)
    if code != 0:
        if "dubious ownership" in err or "safe.directory" in err:
            yield Finding("repository", "fail", "git refuses the repository: it belongs to another user",
                          f"git config --global --add safe.directory {root.resolve()}")
        else:
            yield Finding("repository", "warn", "the caseload is not a git repository: no history, no undo, no audit trail",
                          f"cd {root} && git init && git add -A && git commit -m 'caseload'")
        return
    yield Finding("repository", "ok", "the caseload is under git")
    code, _, _ = _git(["check-ignore", "-q", "--no-index", f"{CACHE_DIR}/x"], root)
    if code != 0:
        yield Finding("gitignore", "warn", f"{CACHE_DIR}/ is not ignored: caches of case data could be committed",
                      f"echo '{CACHE_DIR}/' >> {root / '.gitignore'}")
    else:
        yield Finding("gitignore", "ok", f"{CACHE_DIR}/ is ignored")
    yield from check_git_state(root)
    code, out, _ = _git(["remote"], root)
    remotes = out.split() if code == 0 else []
    if remotes:  # names only: a remote URL can hold a token
        yield Finding("remotes", "warn", f"pushes go to: {', '.join(remotes)}; case data leaves this machine",
                      "make sure every remote is private and access-controlled (never a public host)")


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: it exists
        return True
    return True


def check_git_state(root: Path) -> Iterable[Finding]:
    """git's index.lock (held by a live git, or left by a dead one) and what an interrupted recording left."""
    from . import gitio
    from .record import interrupted, leftovers

    try:
        lock = gitio.index_lock(root)
    except gitio.GitError:
        lock = None
    if lock is None:
        yield Finding("git lock", "ok", "git's index.lock is free")
    elif lock.live:
        yield Finding("git lock", "ok", f"git is working in this repository now ({lock.path}, process "
                                        f"{', '.join(map(str, lock.holders))})", "")
    else:
        yield Finding("git lock", "fail", f"{lock.path} was left by a git process that is no longer running: "
                                          "commits fail until it is removed",
                      f"no git process is using it: rm {lock.path}")
    journals = interrupted(root)
    for j in journals:
        if _alive(j.get("pid")):
            yield Finding("recording", "ok", f"a recording is running now (process {j['pid']})")
    dead = [j for j in journals if not _alive(j.get("pid"))]
    if not dead:
        return
    try:
        pending, _temps = leftovers(root, journals=dead)
    except gitio.GitError:
        pending = sorted({f for j in dead for f in j["files"]})
    if pending:
        started = ", ".join(sorted(str(j.get("started") or "at an unknown time") for j in dead))
        yield Finding("recording", "warn", f"a recording was interrupted before its commit (started {started}); "
                                           f"written but not committed: {', '.join(pending)}",
                      "check them with `git status` and `git diff`, then commit or discard them")
    else:
        yield Finding("recording", "ok", "an interrupted recording's files have been committed or discarded since")


def check_signing(root: Path) -> Iterable[Finding]:
    """Signed records (docs/recording.md): whether the caseload signs, and the acting staff member's key.

    Reads careerpath.yaml (not a case file) and git config; names staff by id
    and keys by file path or fingerprint-free type, never a person served.
    """
    from . import gitio
    from .signing import key_file_missing, key_of_file, public_key, sign_mode, signing_key
    from .yamlfile import read_file

    parsed = read_file(root / "careerpath.yaml", "careerpath.yaml")
    data = parsed.data if isinstance(parsed.data, dict) else {}
    settings = data.get("settings") if isinstance(data.get("settings"), dict) else {}
    staff = [s for s in data.get("staff") or [] if isinstance(s, dict) and isinstance(s.get("id"), str)]
    if sign_mode(settings) != "ssh":
        yield Finding("signing", "ok", "commits are not signed by careerpath (settings.sign_commits is not ssh)")
        return
    if shutil.which("ssh-keygen") is None:
        yield Finding("signing", "fail", "settings.sign_commits is ssh but ssh-keygen is not installed: git cannot sign",
                      "install OpenSSH's client (apt-get install openssh-client)")
        return
    without = sorted(s["id"] for s in staff if not public_key(str(s.get("signing_key") or "")))
    if without:
        yield Finding("signing keys", "warn", f"staff without a signing_key in careerpath.yaml: {', '.join(without)}; "
                                              "their commits cannot be verified (audit --verify)",
                      "add each person's public key (ssh-ed25519 …) as signing_key")
    who = os.environ.get("CAREERPATH_STAFF", "").strip() or gitio.config(root, "careerpath.staff")
    me = next((s for s in staff if s["id"] == who), None)
    if me is None:
        yield Finding("signing", "warn", "settings.sign_commits is ssh; no staff member is set on this machine, so "
                                         "which key signs is not checked",
                      "git config careerpath.staff ID (or CAREERPATH_STAFF) names who works here")
        return

    class _Staff:  # signing_key() reads attributes, as of a loaded Staff
        id, signing_key = me["id"], me.get("signing_key")

    key = signing_key(root, _Staff)
    if key is None:
        yield Finding("signing", "fail", f"settings.sign_commits is ssh and no SSH key is known for {me['id']}: "
                                         "recordings are refused",
                      f"git config careerpath.{me['id']}.signingKey ~/.ssh/KEY")
        return
    if key.startswith("key::"):
        yield Finding("signing", "ok", f"{me['id']} signs with the key in careerpath.yaml, through ssh-agent")
        return
    if key_file_missing(key):
        yield Finding("signing", "fail", f"the signing key file for {me['id']} is not there: {key}",
                      f"git config careerpath.{me['id']}.signingKey names the file")
        return
    mine, listed = key_of_file(key), public_key(str(me.get("signing_key") or ""))
    if listed is not None and mine is not None and mine != listed:
        yield Finding("signing", "fail", f"{me['id']}'s key file {key} is not the signing_key careerpath.yaml lists: "
                                         "their commits will be findings of audit --verify",
                      "use the matching key, or update signing_key in careerpath.yaml")
        return
    yield Finding("signing", "ok", f"{me['id']} signs with {key}"
                  + ("" if listed is None or mine is None else " (the signing_key in careerpath.yaml)"))


def check_journal(root: Path, place: Any = None) -> Iterable[Finding]:
    """Whether a ``careerpath watch`` answers for this caseload (docs/performance.md, "the change journal")."""
    from .cache import journal
    from .cache.store import place as cache_place

    folder = (place or cache_place(root)).folder
    sock = journal.watch_folder(folder) / journal.SOCKET
    news = journal.news(folder, None)
    if news is not None:
        if news.refresh:
            from .cache import refresh
            from .cache.store import code_key

            kept = len(refresh.commands(folder, code_key(), root))
            made = (f"; once an edit settles, and on a new day, it makes the output of {kept} piped command line"
                    f"{'' if kept == 1 else 's'} again (those run while it runs, the {refresh.KEPT} newest)")
        else:
            made = "; it makes no output again (`--no-refresh`)"
        yield Finding("change journal", "ok", "`careerpath watch` answers for this caseload: commands check only the "
                      "case folders it saw change" + made)
    elif sock.exists():
        yield Finding("change journal", "warn", "a watcher's socket is there but nothing answers (a watcher that was "
                      "killed?): commands check every file", f"start `careerpath watch` again, or delete {sock}")
    else:
        yield Finding("change journal", "ok", "no watcher (optional: `careerpath watch` keeps warm commands on a large "
                      "caseload fast; Linux)")


def diagnose(root: Optional[Path], *, cache: Any = None) -> list[Finding]:
    """Every check, in a fixed order; ``root`` None means no caseload was found.

    ``cache``: a :class:`careerpath.cache.Cache` to read the caseload through (None: read every file).
    """
    findings: list[Finding] = [*check_python(), *check_yaml(), *check_git(root), *check_extras()]
    if root is None:
        findings.append(Finding("caseload", "warn", "no caseload found here",
                                "pass --caseload PATH to check a caseload's folder too"))
        return findings
    # before the caseload is read through the cache below, which rebuilds what it will not read
    place = cache.place(root) if cache is not None else None
    trusted = list(check_cache_trust(root, place))
    findings += [*check_locales(_languages(root, cache)), *check_cache(root), *trusted, *check_journal(root, place),
                 *check_permissions(root),
                 *check_repository(root), *check_signing(root)]
    from .team.setup import check_team  # the merge driver and the sync remote (docs/team.md)

    findings += [Finding(*f) for f in check_team(root)]
    return findings

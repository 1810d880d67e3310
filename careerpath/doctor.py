"""``careerpath doctor``: is this machine and this caseload fit to work on?

:func:`diagnose` returns a list of :class:`Finding` values (ok, warn or fail,
each with what to do about it); it never prints, and it reads only metadata:
no case file is parsed and no personal value is shown (paths and counts only).
A finding's words are :class:`~careerpath.i18n.Message` values: English in
JSON, the user's language on screen (the ``check`` id is shown through the
``doctor-check`` display words); commands, paths and versions stay as written.
Counts are plain digits (``20519``): "20,519" reads as a decimal in Russian.
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

from .i18n import Message

Status = Literal["ok", "warn", "fail"]
MIN_PYTHON = (3, 11)
CACHE_DIR = ".careerpath"
# the extras careerpath can use: what is lost without them, and how to have it
EXTRAS = {
    "weasyprint": (Message("PDF documents"), Message("pip install weasyprint; without it documents are HTML")),
    "babel": (Message("dates and numbers in each person's language"), "pip install babel"),
    "filelock": (Message("safe concurrent runs, e.g. cron while someone edits"), "pip install filelock"),
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
        yield Finding("python", "fail", Message("{version}; careerpath needs {needed} or newer", version=text,
                                                needed=f"{MIN_PYTHON[0]}.{MIN_PYTHON[1]}"),
                      Message("install a newer Python and reinstall careerpath"))
    else:
        yield Finding("python", "ok", text)


def check_git(root: Optional[Path]) -> Iterable[Finding]:
    if shutil.which("git") is None:
        yield Finding("git", "warn", Message("git is not installed: the caseload has no history and no audit trail"),
                      Message("install git (apt install git, brew install git, or git-scm.com)"))
        return
    code, out, _ = _git(["--version"])
    yield Finding("git", "ok" if code == 0 else "warn", out or Message("git did not report its version"))
    missing = [key for key in ("user.name", "user.email") if _git(["config", "--get", key], root)[0] != 0]
    if missing:
        yield Finding("git identity", "warn",
                      Message("git has no {setting}: commits will fail (cron too)", setting=missing[0])
                      if len(missing) == 1 else Message("git has no user.name and no user.email: commits will fail "
                                                        "(cron too)"),
                      'git config --global user.name "Your Name"; git config --global user.email you@agency.org')
    else:
        yield Finding("git identity", "ok", Message("user.name and user.email are set"))


def check_yaml() -> Iterable[Finding]:
    """The YAML reader: libyaml makes it fast; without it PyYAML's pure-Python parser is ~13 times slower."""
    import yaml

    if getattr(yaml, "__with_libyaml__", False):
        yield Finding("yaml", "ok", Message("PyYAML {version} with libyaml", version=yaml.__version__))
    else:
        yield Finding("yaml", "warn", Message("PyYAML {version} without libyaml: reading a large caseload is slow",
                                              version=yaml.__version__),
                      Message("pip install --force-reinstall pyyaml (the wheels for Linux, macOS and Windows include "
                              "libyaml)"))


def check_extras() -> Iterable[Finding]:
    for module, (purpose, how) in EXTRAS.items():
        if importlib.util.find_spec(module) is None:
            yield Finding(f"extra {module}", "warn", Message("not installed: {purpose} unavailable", purpose=purpose),
                          how)
        else:
            yield Finding(f"extra {module}", "ok", Message("installed: {purpose}", purpose=purpose))


def check_locales(languages: Iterable[str]) -> Iterable[Finding]:
    languages = sorted(set(languages))
    if not languages:
        return
    if importlib.util.find_spec("babel") is None:
        yield Finding("locale data", "warn", Message("babel is not installed: no locale data for dates and numbers"),
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

        own = [lang for lang in missing if lang.split("-")[0].lower() in OWN_DATE_FORMS]
        tabled, iso = ", ".join(own), ", ".join(lang for lang in missing if lang not in own)
        named = ", ".join(missing)
        if tabled and iso:
            detail = Message("no CLDR locale data for: {languages} ({tabled}: careerpath's own month table; {iso}: "
                             "ISO 8601 dates)", languages=named, tabled=tabled, iso=iso)
        elif tabled:
            detail = Message("no CLDR locale data for: {languages} ({tabled}: careerpath's own month table)",
                             languages=named, tabled=tabled)
        else:
            detail = Message("no CLDR locale data for: {languages} ({iso}: ISO 8601 dates)", languages=named, iso=iso)
        yield Finding("locale data", "warn", detail,
                      Message("have a native speaker review documents in these languages"))
    else:
        yield Finding("locale data", "ok", Message("CLDR data for {languages}", languages=", ".join(languages)))


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
        yield Finding("permissions", "ok", Message("not a POSIX system: check the folder's sharing settings by hand"))
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
        yield Finding("permissions", "warn", Message("{count} case files or folders are readable by group or others "
                                                     "({sample})", count=len(exposed), sample=sample),
                      f"chmod -R go-rwx {root}")
    elif root_open:
        yield Finding("permissions", "warn", Message("the caseload folder can be listed by other users (file names are "
                                                     "case ids)"),
                      f"chmod go-rwx {root}")
    else:
        yield Finding("permissions", "ok", Message("case files are private to their owner"))


def check_cache(root: Path) -> Iterable[Finding]:
    cache = root / CACHE_DIR
    stale = sorted(p.relative_to(root).as_posix() for p in root.rglob(".*.tmp") if p.is_file())
    if stale:
        yield Finding("leftovers", "warn", Message("{count} temporary file(s) from an interrupted write: {files}",
                                                   count=len(stale), files=", ".join(stale[:3])),
                      Message("delete them (the real files are intact: writes are atomic)"))
    if not cache.exists() and not cache.is_symlink():
        yield Finding("cache", "ok", Message("no {folder}/ folder (made on first use)", folder=CACHE_DIR))
        return
    if cache.is_symlink() or not cache.is_dir():
        yield Finding("cache", "fail", Message("{folder} is not a plain folder", folder=CACHE_DIR),
                      Message("delete {path}; it is rebuilt on the next run", path=cache))
        return
    if not os.access(cache, os.R_OK | os.W_OK | os.X_OK):
        yield Finding("cache", "fail", Message("{folder}/ is not readable and writable by you", folder=CACHE_DIR),
                      Message("fix its owner or delete {path}", path=cache))
        return
    size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file() and not p.is_symlink())
    yield Finding("cache", "ok", Message("{folder}/ holds {size} KiB (safe to delete; it is rebuilt)", folder=CACHE_DIR,
                                         size=round(size / 1024)))


def check_cache_trust(root: Path, place: Any = None) -> Iterable[Finding]:
    """Whose cache files these are: the key that signs them, a cache folder git tracks, files careerpath will not read.

    Paths and counts only (cache file names are hashes and numbers, never case data).
    """
    from .cache.health import inspect
    from .cache.store import tracked_files

    health = inspect(root, place)
    if health.key_status == "refused":
        yield Finding("cache key", "fail", Message("{path} is refused: {reason}; the load cache is off (every run "
                                                   "reads every file)", path=health.key_path, reason=health.key_reason),
                      Message("delete {path} (a new key is made; cache files are rebuilt)", path=health.key_path))
    else:
        yield Finding("cache key", "ok", Message("{path} (made on first use)", path=health.key_path)
                      if health.key_status == "missing" else Message("{path}: yours, private", path=health.key_path))
    where = health.place
    tracked = tracked_files(root, where)
    if tracked:
        sample = ", ".join(tracked[:3]) + (" …" if len(tracked) > 3 else "")
        yield Finding("cache in git", "warn",
                      Message("{count} file(s) under {folder}/ are tracked by git ({sample}): careerpath does not read "
                              "them", count=len(tracked), folder=CACHE_DIR, sample=sample) if where.local else
                      Message("{count} file(s) under {folder}/ are tracked by git ({sample}): careerpath does not read "
                              "them and keeps its cache in {cache}", count=len(tracked), folder=CACHE_DIR,
                              sample=sample, cache=where.folder),
                      f"git rm -r --cached {CACHE_DIR} && git commit -m 'stop tracking {CACHE_DIR}/'")
    elif where.refused:
        yield Finding("cache in git" if "git" in where.refused else "cache folder", "warn",
                      Message("{why}: careerpath keeps its cache in {cache}", why=where.refused, cache=where.folder),
                      Message("delete {path} (careerpath makes it again)", path=root / CACHE_DIR))
    if health.untrusted:
        reasons: dict[str, int] = {}
        for _path, why in health.untrusted:
            reasons[why] = reasons.get(why, 0) + 1
        sample = ", ".join(p for p, _ in health.untrusted[:3]) + (" …" if len(health.untrusted) > 3 else "")
        yield Finding("cache files", "warn",
                      Message("{count} cache file(s) were not written by careerpath for you ({reasons}): {sample}; they "
                              "are never read, and rebuilt", count=len(health.untrusted),
                              reasons="; ".join(f"{why}: {n}" for why, n in sorted(reasons.items())), sample=sample),
                      Message("delete {paths}", paths=" ".join(sorted({str(Path(p).parent) for p, _ in health.untrusted}))))
    elif health.files:
        yield Finding("cache files", "ok", Message("{count} file(s) in {cache}, each signed with your key",
                                                   count=health.files, cache=where.folder))


def check_repository(root: Path) -> Iterable[Finding]:
    if shutil.which("git") is None:
        return
    code, out, err = _git(["rev-parse", "--is-inside-work-tree"], root)
    if code != 0:
        if "dubious ownership" in err or "safe.directory" in err:
            yield Finding("repository", "fail", Message("git refuses the repository: it belongs to another user"),
                          f"git config --global --add safe.directory {root.resolve()}")
        else:
            yield Finding("repository", "warn", Message("the caseload is not a git repository: no history, no undo, no "
                                                        "audit trail"),
                          f"cd {root} && git init && git add -A && git commit -m 'caseload'")
        return
    yield Finding("repository", "ok", Message("the caseload is under git"))
    code, _, _ = _git(["check-ignore", "-q", "--no-index", f"{CACHE_DIR}/x"], root)
    if code != 0:
        yield Finding("gitignore", "warn", Message("{folder}/ is not ignored: caches of case data could be committed",
                                                   folder=CACHE_DIR),
                      f"echo '{CACHE_DIR}/' >> {root / '.gitignore'}")
    else:
        yield Finding("gitignore", "ok", Message("{folder}/ is ignored", folder=CACHE_DIR))
    yield from check_git_state(root)
    code, out, _ = _git(["remote"], root)
    remotes = out.split() if code == 0 else []
    if remotes:  # names only: a remote URL can hold a token
        yield Finding("remotes", "warn", Message("pushes go to: {remotes}; case data leaves this machine",
                                                 remotes=", ".join(remotes)),
                      Message("make sure every remote is private and access-controlled (never a public host)"))


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
        yield Finding("git lock", "ok", Message("git's index.lock is free"))
    elif lock.live:
        yield Finding("git lock", "ok", Message("git is working in this repository now ({path}, process {pids})",
                                                path=lock.path, pids=", ".join(map(str, lock.holders))), "")
    else:
        yield Finding("git lock", "fail", Message("{path} was left by a git process that is no longer running: "
                                                  "commits fail until it is removed", path=lock.path),
                      Message("no git process is using it: rm {path}", path=lock.path))
    journals = interrupted(root)
    for j in journals:
        if _alive(j.get("pid")):
            yield Finding("recording", "ok", Message("a recording is running now (process {pid})", pid=j["pid"]))
    dead = [j for j in journals if not _alive(j.get("pid"))]
    if not dead:
        return
    try:
        pending, _temps = leftovers(root, journals=dead)
    except gitio.GitError:
        pending = sorted({f for j in dead for f in j["files"]})
    if pending:
        times = sorted(str(j["started"]) for j in dead if j.get("started"))
        written = ", ".join(pending)
        yield Finding("recording", "warn",
                      Message("a recording was interrupted before its commit (started {started}); written but not "
                              "committed: {files}", started=", ".join(times), files=written) if times else
                      Message("a recording was interrupted before its commit (started at an unknown time); written but "
                              "not committed: {files}", files=written),
                      Message("check them with `git status` and `git diff`, then commit or discard them"))
    else:
        yield Finding("recording", "ok", Message("an interrupted recording's files have been committed or discarded "
                                                 "since"))


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
        yield Finding("signing", "ok", Message("commits are not signed by careerpath (settings.sign_commits is not ssh)"))
        return
    if shutil.which("ssh-keygen") is None:
        yield Finding("signing", "fail", Message("settings.sign_commits is ssh but ssh-keygen is not installed: git "
                                                 "cannot sign"),
                      Message("install OpenSSH's client (apt-get install openssh-client)"))
        return
    without = sorted(s["id"] for s in staff if not public_key(str(s.get("signing_key") or "")))
    if without:
        yield Finding("signing keys", "warn", Message("staff without a signing_key in careerpath.yaml: {ids}; their "
                                                      "commits cannot be verified (audit --verify)",
                                                      ids=", ".join(without)),
                      Message("add each person's public key (ssh-ed25519 …) as signing_key"))
    who = os.environ.get("CAREERPATH_STAFF", "").strip() or gitio.config(root, "careerpath.staff")
    me = next((s for s in staff if s["id"] == who), None)
    if me is None:
        yield Finding("signing", "warn", Message("settings.sign_commits is ssh; no staff member is set on this machine, "
                                                 "so which key signs is not checked"),
                      Message("git config careerpath.staff ID (or CAREERPATH_STAFF) names who works here"))
        return

    class _Staff:  # signing_key() reads attributes, as of a loaded Staff
        id, signing_key = me["id"], me.get("signing_key")

    key = signing_key(root, _Staff)
    if key is None:
        yield Finding("signing", "fail", Message("settings.sign_commits is ssh and no SSH key is known for {id}: "
                                                 "recordings are refused", id=me["id"]),
                      f"git config careerpath.{me['id']}.signingKey ~/.ssh/KEY")
        return
    if key.startswith("key::"):
        yield Finding("signing", "ok", Message("{id} signs with the key in careerpath.yaml, through ssh-agent",
                                               id=me["id"]))
        return
    if key_file_missing(key):
        yield Finding("signing", "fail", Message("the signing key file for {id} is not there: {path}", id=me["id"],
                                                 path=key),
                      Message("git config careerpath.{id}.signingKey names the file", id=me["id"]))
        return
    mine, listed = key_of_file(key), public_key(str(me.get("signing_key") or ""))
    if listed is not None and mine is not None and mine != listed:
        yield Finding("signing", "fail", Message("{id}'s key file {path} is not the signing_key careerpath.yaml lists: "
                                                 "their commits will be findings of audit --verify", id=me["id"],
                                                 path=key),
                      Message("use the matching key, or update signing_key in careerpath.yaml"))
        return
    yield Finding("signing", "ok", Message("{id} signs with {path}", id=me["id"], path=key)
                  if listed is None or mine is None else
                  Message("{id} signs with {path} (the signing_key in careerpath.yaml)", id=me["id"], path=key))


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
            detail = Message("`careerpath watch` answers for this caseload: commands check only the case folders it "
                             "saw change; once an edit settles, and on a new day, it makes the output of {count} piped "
                             "command line(s) again (those run while it runs, the {kept} newest)", count=kept,
                             kept=refresh.KEPT)
        else:
            detail = Message("`careerpath watch` answers for this caseload: commands check only the case folders it "
                             "saw change; it makes no output again (`--no-refresh`)")
        yield Finding("change journal", "ok", detail)
    elif sock.exists():
        yield Finding("change journal", "warn", Message("a watcher's socket is there but nothing answers (a watcher "
                                                        "that was killed?): commands check every file"),
                      Message("start `careerpath watch` again, or delete {path}", path=sock))
    else:
        yield Finding("change journal", "ok", Message("no watcher (optional: `careerpath watch` keeps warm commands on a "
                                                      "large caseload fast; Linux)"))


def diagnose(root: Optional[Path], *, cache: Any = None) -> list[Finding]:
    """Every check, in a fixed order; ``root`` None means no caseload was found.

    ``cache``: a :class:`careerpath.cache.Cache` to read the caseload through (None: read every file).
    """
    findings: list[Finding] = [*check_python(), *check_yaml(), *check_git(root), *check_extras()]
    if root is None:
        findings.append(Finding("caseload", "warn", Message("no caseload found here"),
                                Message("pass --caseload PATH to check a caseload's folder too")))
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

"""The load cache: storage only. A warm run reads again only the files that changed.

What to compute and when is :mod:`careerpath.pipeline`'s business; this
package keeps its inputs and outputs. Everything lives under
``<caseload>/.careerpath/cache/`` (ignored by git; the user cache folder when
the caseload is read-only, or when that folder is a link, someone else's or
tracked by git), every file written atomically, private (0600), with a header
and an HMAC under the user's own key, checked before anything is unpickled: a
cache file that arrived with a cloned repository never runs code. Modules,
bottom up:

    trust     the user's cache key (outside every caseload), who owns a file, what git tracks
    store     file format, keys, authenticated atomic read and write, Stats; where the cache lives; the code key
    scan      the stat index (index.pickle, index.delta, index.mark): which case folders changed, racy entries
    records   per-case shards (shards/NNNN.pickle): loaded case folders, per file its key and document
    results   the results store (results/): per case its diagnostics and stored obligations for one day
    journal   the change journal, client side: ask a running ``careerpath watch`` what changed since the index's mark
    watcher   the change journal's keeper (``careerpath watch``, Linux inotify): cookies, sessions, the socket
    refresh   the watcher's refreshes: kept command lines (refresh/) run again once an edit settles, on a new day
    calendars the working-day calendars the holidays package gave (calendars.pickle), to compute without importing it
    outputs   a command's stored stdout, stderr and exit code (outputs/): whole, or splices of a whole one
    handle    Cache, the choice a caller passes to the pipeline: stats, code key, a scan kept for one command
    health    what ``doctor`` says: the key, where the cache lives, files that would not be read

The CLI keeps two more kinds of file here, next to the commands that use
them (:mod:`careerpath.cli.views`): ``views/`` (``due``'s rows, rendered again
only for changed cases) and ``outputs/`` (a command's whole output, replayed
while nothing changed; stored by :mod:`.outputs`).

Invalidation: the *code key* (package version, the source of the modules that
turn files into results, the program rule files, Python's version) guards
every file; a case's fingerprint guards its shard record and its results;
the results are also keyed by ``careerpath.yaml``'s bytes, ``today`` and the
extra rule folders. Cached diagnostics are returned on every run, exactly as
an uncached run returns them. A missing, truncated, corrupt, foreign or
untrusted file is ignored and rebuilt (``doctor`` names the untrusted ones). docs/performance.md has the layout and the
measurements.
"""

from .handle import Cache, Prepared
from .store import Stats

__all__ = ["Cache", "Prepared", "Stats"]

"""Speed of --redact's redactor: learn the sample caseload, redact its dashboard, 400 KB against 1,000 people.

    python benchmarks/redact.py                      # this checkout
    PYTHONPATH=../main python benchmarks/redact.py   # another checkout, side by side (same machine, same load)

Prints the best of three runs (one for the large text). The 1,000 people are
made up (names of random syllables, phones, birth dates); the text is the
sample dashboard repeated to 400 KB.
"""

from __future__ import annotations

import contextlib
import io
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path


def _best(fn, n: int = 3) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    import careerpath
    from careerpath.cli import main as cli
    from careerpath.pipeline import load
    from careerpath.redact import Redactor

    samples = Path(careerpath.__file__).resolve().parents[1] / "sample-cases"
    with tempfile.TemporaryDirectory() as tmp:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            cli(["report", "dashboard", "--caseload", str(samples), "--today", "2026-11-22", "--out", tmp, "--no-cache"])
        dashboard = (Path(tmp) / "dashboard.html").read_text(encoding="utf-8")
    caseload = load(samples)
    print(f"code: {Path(careerpath.__file__).resolve().parent}")
    print(f"learn the sample caseload        {1000 * _best(lambda: Redactor(caseload)):8.1f} ms")
    Redactor(caseload).text("warm")
    print(f"redact its dashboard ({len(dashboard) // 1024} KB)      "
          f"{1000 * _best(lambda: Redactor(caseload).text(dashboard)):8.1f} ms")
    rnd = random.Random(1)
    syllables = ["an", "ba", "co", "de", "li", "mo", "ra", "si", "tu", "ve", "ng", "uy", "en"]
    big = Redactor()
    for i in range(1000):
        big.placeholder("name", " ".join("".join(rnd.choice(syllables) for _ in range(3)).capitalize() for _ in range(2)))
        big.placeholder("phone", "+1 %03d 555 %04d" % (200 + i % 700, i))
        big.placeholder("birth_date", date(1950 + i % 60, 1 + i % 12, 1 + i % 28))
    text = (dashboard * 40)[: 400 * 1024]
    big.text("warm")
    print(f"400 KB against 1,000 people      {_best(lambda: big.text(text), 1):8.2f} s")


if __name__ == "__main__":
    sys.exit(main())

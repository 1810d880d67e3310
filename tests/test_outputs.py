"""Stored outputs (careerpath/cache/outputs.py): whole, or splices of a whole output; what is read back is what
was written, and splices whose whole output is gone, changed or itself spliced are a miss."""

from __future__ import annotations

import os
import pickle
import time
from datetime import timedelta

from hypothesis import given, settings, strategies as st

from conftest import TODAY
from careerpath.cache import Cache, outputs, store
from careerpath.cache.outputs import Text

from test_cache import generated, trust_fresh_files  # noqa: F401 (the same fixtures)
from test_due_page import _due, _set_due

A, B, C = (bytes([n]) * 16 for n in (1, 2, 3))


@st.composite
def texts(draw):
    """A whole output and a Text of runs of it and bytes of its own."""
    base = draw(st.binary(min_size=0, max_size=300))
    pieces = []
    for _ in range(draw(st.integers(0, 8))):
        if base and draw(st.booleans()):
            a = draw(st.integers(0, len(base)))
            pieces.append((a, draw(st.integers(a, len(base)))))
        else:
            pieces.append(draw(st.binary(max_size=20)))
    return Text(A, base, pieces if draw(st.booleans()) else None)


def _expected(text: Text) -> bytes:
    if text.pieces is None:
        return text.base
    return b"".join(text.base[p[0]:p[1]] if isinstance(p, tuple) else p for p in text.pieces)


@given(texts(), st.data())
@settings(max_examples=300, deadline=None)
def test_a_cut_is_the_slice_of_the_text_and_cuts_of_cuts_map_back_to_the_whole_output(text, data):
    whole = _expected(text)
    assert bytes(text) == whole and len(text) == len(whole)
    assert b"".join(bytes(b) for b in text.buffers()) == whole
    assert text.head(7) == whole[:7] and text.tail(7) == whole[-7:] if whole else text.head(7) == b""
    a = data.draw(st.integers(0, len(whole)))
    b = data.draw(st.integers(a, len(whole)))
    cut = text.cut(a, b)
    again = Text(text.token, text.base, cut)
    assert bytes(again) == whole[a:b]
    # a patch of a patch: runs of the text's runs are still runs of the whole output
    c = data.draw(st.integers(0, len(again)))
    assert bytes(Text(text.token, text.base, again.cut(c, len(again)) + [b"!"])) == whole[a:b][c:] + b"!"


def _folder(tmp_path):
    folder = tmp_path / "c"
    (folder / "outputs").mkdir(parents=True)
    return folder


def _raw(folder, token, key):
    return store.read(outputs.path_of(folder, token), key)


def test_an_output_round_trips_whole_or_as_splices(tmp_path):
    folder, key = _folder(tmp_path), Cache().key
    base = bytes(range(256)) * 40
    outputs.write(folder, A, base, b"warn\n", 3, key)
    got, err, code = outputs.read(folder, A, key)
    assert (bytes(got), got.token, got.pieces, err, code) == (base, A, None, b"warn\n", 3)
    patched = Text(A, base, [(0, 100), b"new line\n", (5000, len(base))])
    outputs.write(folder, B, patched, b"", 0, key)
    assert _raw(folder, B, key)[0][0] == "splices"  # kept as splices, a few bytes
    assert os.path.getsize(outputs.path_of(folder, B)) < 400
    got, err, code = outputs.read(folder, B, key)
    assert (bytes(got), got.token, err, code) == (bytes(patched), A, b"", 0)
    # patched again from what was read: splices of the same whole output, never of the splices
    outputs.write(folder, C, Text(A, base, got.cut(0, 50) + [b"x"]), b"", 0, key)
    assert _raw(folder, C, key)[0][1] == A
    assert bytes(outputs.read(folder, C, key)[0]) == base[:50] + b"x"


def test_splices_without_their_whole_output_are_a_miss(tmp_path):
    folder, key = _folder(tmp_path), Cache().key
    base = b"line\n" * 1000
    outputs.write(folder, A, base, b"", 0, key)
    outputs.write(folder, B, Text(A, base, [(0, 10), b"!"]), b"", 0, key)
    assert outputs.read(folder, B, key) is not None
    outputs.write(folder, A, base + b"more", b"", 0, key)  # (never so: one token, one text) another size
    assert outputs.read(folder, B, key) is None
    outputs.path_of(folder, A).unlink()
    assert outputs.read(folder, B, key) is None
    # splices of splices are never written; one that names splices is refused
    outputs.write(folder, A, base, b"", 0, key)
    store.write(outputs.path_of(folder, C), key, (("splices", B, len(base), [(0, 5)]), b"", 0))
    assert outputs.read(folder, C, key) is None
    # a run outside the whole output, or not a run
    for bad in ((0, len(base) + 1), (3,), ("0", 2), (0, 2, 4), "text"):
        store.write(outputs.path_of(folder, C), key, (("splices", A, len(base), [bad]), b"", 0))
        assert outputs.read(folder, C, key) is None, bad
    # splices naming themselves
    store.write(outputs.path_of(folder, C), key, (("splices", C, len(base), [(0, 5)]), b"", 0))
    assert outputs.read(folder, C, key) is None


def test_a_text_of_many_own_bytes_or_of_no_stored_output_is_kept_whole(tmp_path, monkeypatch):
    folder, key = _folder(tmp_path), Cache().key
    base = b"0123456789" * 100
    outputs.write(folder, A, base, b"", 0, key)
    monkeypatch.setattr(outputs, "MOST_OWN", 10)
    outputs.write(folder, B, Text(A, base, [(0, 10), b"eleven bytes"]), b"", 0, key)
    assert _raw(folder, B, key)[0] == b"0123456789eleven bytes"
    outputs.write(folder, C, Text(b"", b"stored nowhere", [(0, 6)]), b"", 0, key)
    assert _raw(folder, C, key)[0] == b"stored"
    # the output it is: not written again, made the newest
    os.utime(outputs.path_of(folder, A), (1, 1))
    before = outputs.path_of(folder, A).read_bytes()
    outputs.write(folder, A, outputs.read(folder, A, key)[0], b"", 0, key)
    assert outputs.path_of(folder, A).read_bytes() == before and os.path.getmtime(outputs.path_of(folder, A)) > 1


def test_writing_splices_keeps_their_whole_output_among_the_newest(tmp_path, monkeypatch):
    folder, key = _folder(tmp_path), Cache().key
    monkeypatch.setattr(outputs, "KEPT", 2)
    base = b"whole\n" * 100
    outputs.write(folder, A, base, b"", 0, key)
    os.utime(outputs.path_of(folder, A), (1, 1))  # the oldest file
    for n in range(5):
        token = bytes([9 + n]) * 16
        outputs.write(folder, token, Text(A, base, [(0, 6), bytes([n])]), b"", 0, key)
        time.sleep(0.01)
        assert bytes(outputs.read(folder, token, key)[0]) == b"whole\n" + bytes([n])
    assert len(list((folder / "outputs").glob("*.pickle"))) == 2


def test_a_patched_table_is_kept_as_splices_and_replayed_from_them(cli, generated):
    """After an edit due's table is patched (careerpath/cli/page.py) and kept as splices of the whole output it
    was patched from: a few bytes, not the table again. The next run replays it, and one more edit splices the
    same whole output again. Each prints what --no-cache prints. With the whole output gone, the splices are a
    miss and the table is made again."""
    key = Cache().key
    folder = store.cache_dir(generated)

    def kept() -> dict:
        found = {}
        for path in (folder / "outputs").glob("*.pickle"):
            out = store.read(path, key)[0]
            found[path.name] = out if isinstance(out, bytes) else pickle.loads(pickle.dumps(out))
        return found

    _due(cli, generated)
    wholes = {name for name, out in kept().items() if isinstance(out, bytes)}
    assert len(wholes) == 1
    assert _set_due(generated, "c000003", TODAY + timedelta(days=5))
    out, _, stats = _due(cli, generated)
    assert stats.page_cases == 1
    spliced = {name: out for name, out in kept().items() if not isinstance(out, bytes)}
    assert len(spliced) == 1
    (name, splices), = spliced.items()
    assert splices[1].hex() + ".pickle" in wholes and splices[0] == "splices"
    assert os.path.getsize(folder / "outputs" / name) < os.path.getsize(folder / "outputs" / next(iter(wholes))) / 5
    again, _, stats = _due(cli, generated)
    assert stats.output_hit and again == out  # replayed from the splices
    assert _set_due(generated, "c000005", TODAY + timedelta(days=9))
    _, _, stats = _due(cli, generated)
    assert stats.page_cases == 1
    names = {out[1] for out in kept().values() if not isinstance(out, bytes)}
    assert {n.hex() + ".pickle" for n in names} == wholes  # still splices of the first whole output
    for whole in wholes:
        (folder / "outputs" / whole).unlink()
    _, _, stats = _due(cli, generated)
    assert not stats.output_hit and stats.page_cases == -1  # made again (and checked against --no-cache)

"""careerpath.collector: the cyclic collector paused for a block and back as it was, nothing it made lost."""

import gc
import weakref

from careerpath.collector import paused


class _Node:
    pass


def test_paused_turns_the_collector_off_and_back_on():
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # an inner block leaves it off for the outer one
    assert gc.isenabled()


def test_paused_leaves_a_collector_that_was_off_off():
    gc.disable()
    try:
        with paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_paused_on_an_error_puts_the_collector_back():
    try:
        with paused():
            raise ValueError("x")
    except ValueError:
        pass
    assert gc.isenabled()


def test_a_cycle_made_while_paused_is_still_collected_afterwards():
    with paused():
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        alive = weakref.ref(a)
        del a, b
    assert alive() is not None  # not collected while paused
    assert gc.get_freeze_count() == 0  # filed with the old objects, not frozen for good
    gc.collect()
    assert alive() is None


def test_what_a_command_leaves_is_kept_only_when_the_process_ends_with_os_exit(monkeypatch, tmp_path):
    """In process (a library caller, these tests) results are freed when done with; the console script
    (careerpath.start.run, which ends with os._exit) keeps them to the end instead of freeing them one by one."""
    import subprocess
    import sys

    from careerpath import collector
    from conftest import ROOT

    left = _Node()
    alive = weakref.ref(left)
    collector.leave(left)
    del left
    assert alive() is None and collector._LEFT == []
    monkeypatch.setattr(collector, "LEAVING", True)
    monkeypatch.setattr(collector, "_LEFT", [])
    kept = _Node()
    alive = weakref.ref(kept)
    collector.leave(kept)
    del kept
    assert alive() is not None
    # the console script sets LEAVING before the command runs
    probe = ("import sys, careerpath.start as s, careerpath.collector as c; "
             "s.main = lambda: print(c.LEAVING) or 0; s.run()")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert (out.stdout, out.returncode) == ("True\n", 0), out.stderr

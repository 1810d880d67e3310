from conftest import run_process


def test_help_runs_as_a_process():
    r = run_process("--help")
    assert r.code == 0
    assert "validate" in r.out


def test_unknown_command_is_a_usage_error():
    r = run_process("no-such-command")
    assert r.code == 2
    assert "Traceback" not in r.err

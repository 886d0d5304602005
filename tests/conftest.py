import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

try:  # hypothesis profiles: bounded in the default run, longer under -m slow
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "default-run", max_examples=30, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    settings.register_profile(
        "long", max_examples=400, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default-run"))
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass


@pytest.fixture
def cli(capsys):
    """Run ``fsltheory <argv>`` in-process; returns ``(exit status, stdout, stderr)``
    (argparse errors exit through SystemExit, which is caught here)."""
    from fsltheory.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            rc = main(list(argv))
        except SystemExit as exc:
            rc = exc.code
        out, err = capsys.readouterr()
        return rc, out, err

    return run


def assert_one_line_error(rc, out, err, *needles, status=2):
    """Exit ``status``, nothing on stdout, exactly one line on stderr, no traceback, and
    every needle in that line."""
    assert rc == status, (rc, out, err)
    assert out == "", out
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]

"""Ctrl-C in the first second of the command line (while ``fsltheory`` imports): one
line and exit status 130, never a traceback; a program importing the package keeps its
own SIGINT handling."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery is POSIX-specific")
def test_ctrl_c_while_the_command_imports_is_one_line_exit_130():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "fsltheory", "derive", "C-KERNEL"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            text=True)
    time.sleep(0.15)  # importing takes about a second
    if proc.poll() is not None:
        pytest.skip("the command finished before the signal")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert len(lines) == 1 and lines[0].endswith(": interrupted"), err
    assert out == ""


def test_importing_the_package_leaves_sigint_alone():
    code = ("import signal, fsltheory; "
            "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert r.stdout.strip() == "True", r.stderr


def test_the_command_restores_the_handler_when_it_starts():
    from fsltheory import _sigint
    from fsltheory.cli import main

    seen = {}
    _sigint._previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, _sigint._interrupted)
    try:
        main(["--version"])
    except SystemExit:
        pass
    finally:
        seen["handler"] = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    assert seen["handler"] is not _sigint._interrupted

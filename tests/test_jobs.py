"""fsltheory.jobs.JobPool and the --jobs flags of verify / figures: results in submission
order whatever the worker, failures reported per job, bundles kept in one process, and
the same evidence as a serial run."""

from __future__ import annotations

import json
import os

import pytest

from fsltheory.cli import main
from fsltheory.errors import FSLError, InvalidParameterError
from fsltheory.jobs import Job, JobFailure, JobPool, default_jobs


def _boom(x: int) -> int:
    raise ValueError(f"bad {x}")


def test_results_in_submission_order_on_two_workers():
    work = [Job(f"j{i}", pow, (i, 2), cost=float(i % 3)) for i in range(6)]
    with JobPool(2) as pool:
        pool.submit(work)
        res = pool.results()
    assert list(res) == [f"j{i}" for i in range(6)]
    assert list(res.values()) == [i * i for i in range(6)]


def test_a_failed_job_is_reported_and_the_others_finish():
    with JobPool(2) as pool:
        pool.submit([Job("ok", abs, (-3,)), Job("bad", _boom, (7,)), Job("ok2", abs, (4,))])
        res = pool.results()
    assert res["ok"] == 3 and res["ok2"] == 4
    assert isinstance(res["bad"], JobFailure)
    assert res["bad"].type == "ValueError" and "bad 7" in res["bad"].message
    assert "_boom" in res["bad"].traceback


def test_a_bundle_runs_in_one_worker_process_and_the_pool_uses_others():
    with JobPool(2) as pool:
        pool.submit([[Job("a", os.getpid), Job("b", os.getpid)], Job("c", os.getpid)])
        res = pool.results()
    assert res["a"] == res["b"] != os.getpid()  # a spawned worker, the same one
    assert res["c"] != os.getpid()


def test_one_worker_runs_in_this_process_in_order():
    with JobPool(1) as pool:
        pool.submit([Job("a", os.getpid), Job("bad", _boom, (1,))])
        res = pool.results()
    assert res["a"] == os.getpid() and isinstance(res["bad"], JobFailure)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_bad_worker_count_is_refused(bad):
    with pytest.raises(InvalidParameterError, match="jobs must be an integer >= 1"):
        JobPool(bad)


def test_duplicate_keys_are_refused():
    with pytest.raises(InvalidParameterError, match="unique"):
        JobPool(1).submit([Job("a", abs, (1,)), Job("a", abs, (2,))])


def test_default_jobs_is_the_cores_at_most_four():
    assert default_jobs() == max(1, min(os.cpu_count() or 1, 4))


def _rows(capsys, argv):
    assert main(argv) == 0
    d = json.loads(capsys.readouterr().out)
    return [(c["id"], r["quantity"], r["params"], r["predicted"], r["measured"], r["engine"])
            for c in d["claims"] for r in c["rows"]]


def test_verify_jobs_2_gives_the_serial_evidence(capsys):
    argv = ["verify", "C-KERNEL", "C-SIGNAL", "C-STABLE", "--quick", "--json", "--report",
            "-", "--no-progress"]
    serial = _rows(capsys, [*argv, "--jobs", "1"])
    pooled = _rows(capsys, [*argv, "--jobs", "2"])
    assert len(serial) >= 10
    assert pooled == serial


def test_run_claims_raises_a_failed_claim_by_name(monkeypatch):
    import fsltheory.claims as claims_mod

    monkeypatch.setattr(claims_mod, "claim_jobs", lambda ids, *a: [
        Job("claim:C-KERNEL", _boom, (1,)), Job("claim:C-SIGNAL", _boom, (2,))])
    with pytest.raises(FSLError, match="C-KERNEL check failed in a worker: ValueError"):
        claims_mod.run_claims(["C-KERNEL", "C-SIGNAL"], jobs=2, progress=False)


@pytest.mark.parametrize("argv, word", [
    (["verify", "C-KERNEL", "--jobs", "0"], "--jobs"),
    (["verify", "C-KERNEL", "--jobs", "2", "--workers", "2"], "--jobs 1"),
    (["figures", "kernels", "--jobs", "0"], "--jobs"),
    (["reproduce", "--jobs", "0"], "--jobs"),
])
def test_bad_jobs_flag_is_one_line_exit_2(capsys, argv, word):
    assert main([*argv, "--quick"] if argv[0] != "reproduce" else argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and word in err[0]


def test_figures_jobs_2_writes_every_figure(tmp_path, capsys):
    assert main(["figures", "kernels", "duality", "--quick", "--jobs", "2", "--out",
                 str(tmp_path)]) == 0
    for name in ("kernels", "duality"):
        assert (tmp_path / f"{name}.png").stat().st_size > 0
        assert (tmp_path / f"{name}.pdf").stat().st_size > 0
    assert "2 figure(s) written" in capsys.readouterr().out


def _stepper(n: int) -> int:
    import time

    from fsltheory.claims.engine_scaling import progress_bar

    with progress_bar(n, "inner steps") as bar:
        for _ in range(n):
            time.sleep(0.7)
            bar.update(1)
    return n


def test_inner_progress_of_a_worker_job_shows_on_the_parent_bar(capsys):
    # in a worker, a claim's progress_bar is a WorkerBar: its steps reach the parent's bar
    with JobPool(2) as pool:
        pool.submit([Job("slow", _stepper, (3,)), Job("other", abs, (-1,))])
        res = pool.results(progress=True, desc="t")
    assert res == {"slow": 3, "other": 1}
    err = capsys.readouterr().err
    assert "slow" in err and "[inner steps 1/3]" in err


def test_progress_bar_outside_a_worker_is_tqdm():
    from fsltheory.claims.engine_scaling import progress_bar
    from fsltheory.jobs import WorkerBar, in_worker

    assert not in_worker()
    with progress_bar(2, "x") as bar:
        assert not isinstance(bar, WorkerBar)


def test_leaving_the_pool_on_an_error_does_not_wait_for_running_jobs():
    # Ctrl-C (or any error) in the parent: the workers are stopped, not waited for — a
    # 120 s job must not hold the exit (the bound is a hang guard, not a speed target)
    import time

    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="stop"), JobPool(2) as pool:
        pool.submit([Job("a", time.sleep, (120,)), Job("b", time.sleep, (120,)),
                     Job("c", time.sleep, (120,))])
        time.sleep(2.0)  # the workers have started their jobs
        procs = list(pool._executor._processes.values())
        raise RuntimeError("stop")
    assert time.monotonic() - t0 < 60
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not all(_gone(p.pid) for p in procs):
        time.sleep(0.1)
    assert all(_gone(p.pid) for p in procs)


def _gone(pid: int) -> bool:
    """The process has ended (no such process, or a zombie awaiting its parent's wait)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True

"""Sweeps (issue: grids that scale out): grid expansion, bit-identical rows whatever the
executor, failed jobs recorded, resume after an interruption, bad grids, CSV/Parquet."""

from __future__ import annotations

import doctest
import importlib
import itertools
import sys

import numpy as np
import pytest

from fsltheory import PowerLawTask, Schedule, exact_risk, sgd_risk, sweep
from fsltheory.cli import main
from fsltheory.errors import InvalidParameterError
from fsltheory.grid import Grid
from fsltheory.sweep import SerialExecutor, dask_executor, local_executor
from fsltheory.sweeptable import check_out_path, read_table, write_table

# The grid file of the issue, verbatim.
CONTRACT = """\
[task]
beta = [2.0, 3.0]
s = [0.25, 1.5]
sigma = 1.0
modes = 1000
[run]
engine = "exact"
lr = 0.2
budget = [16384, 65536]
schedule = ["const:4", "switch:4,64@0.9"]
"""

# Small and quick, with a stochastic engine so that the per-job seeds matter.
SMALL = {
    "task": {"beta": [2.0, 3.0], "s": 0.25, "modes": 200},
    "run": {"engine": ["exact", "sgd"], "lr": 0.2, "budget": 2048, "seeds": 4,
            "schedule": ["const:4", "switch:4,64@0.9"]},
}


@pytest.fixture(scope="module")
def serial_small():
    return sweep(SMALL, executor="serial", progress=False)


def _schedule(spec: str, budget: int, lr: float) -> Schedule:
    # the shell-safe comma form and the arrow form name the same schedule
    return Schedule.parse(spec.replace("4,64", "4->64"), budget, lr)


# ---------------------------------------------------------------------------- expansion
def test_contract_grid_expands_to_cartesian_product(tmp_path):
    path = tmp_path / "grid.toml"
    path.write_text(CONTRACT)
    g = Grid.from_toml(path)
    assert g.keys == ("beta", "s", "sigma", "modes", "engine", "lr", "budget", "schedule")
    assert g.swept == ("beta", "s", "budget", "schedule")
    jobs = g.jobs()
    # hand-written nested loops, first swept key slowest
    expected = [
        {"beta": b, "s": s, "sigma": 1.0, "modes": 1000, "engine": "exact", "lr": 0.2,
         "budget": d, "schedule": sch}
        for b in (2.0, 3.0) for s in (0.25, 1.5) for d in (16384, 65536)
        for sch in ("const:4", "switch:4,64@0.9")
    ]
    assert jobs == expected and len(g) == 16


def test_cli_runs_contract_grid_verbatim(tmp_path, capsys):
    path = tmp_path / "grid.toml"
    path.write_text(CONTRACT)
    out = tmp_path / "results.csv"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1"]) == 0
    columns, rows = read_table(out)
    for col in ("beta", "s", "sigma", "modes", "engine", "lr", "budget", "schedule",
                "final_risk", "steps", "seconds", "grid_hash", "version", "job_seed",
                "worker", "host"):
        assert col in columns, col
    assert [r["job"] for r in rows] == list(range(16))
    assert len({r["grid_hash"] for r in rows}) == 1
    assert len({r["job_seed"] for r in rows}) == 16  # every job has its own seed
    # each row is the exact engine run directly on its task and schedule (independent
    # call path); CSV floats are written with repr, so the numbers round-trip exactly
    for r in rows[::5]:
        task = PowerLawTask(r["beta"], r["s"], sigma=r["sigma"], modes=r["modes"])
        sch = _schedule(r["schedule"], r["budget"], r["lr"])
        assert r["final_risk"] == exact_risk(task, sch).final_risk
        assert r["steps"] == sch.n_steps and r["error"] is None
    assert "16 jobs, 0 failed" in capsys.readouterr().out


# ---------------------------------------------------------------------------- identity
def _check_small(table) -> None:
    assert len(table) == 8 and not table.failed
    for r in table:
        task = PowerLawTask(r["beta"], r["s"], modes=r["modes"])
        sch = _schedule(r["schedule"], r["budget"], r["lr"])
        if r["engine"] == "sgd":
            ref = sgd_risk(task, sch, seeds=4, seed=r["job_seed"])
        else:
            ref = exact_risk(task, sch)
        assert r["final_risk"] == ref.final_risk


def test_serial_matches_direct_engine_calls(serial_small):
    _check_small(serial_small)
    sgd = serial_small.column("final_risk")[[r["engine"] == "sgd" for r in serial_small]]
    assert len(set(sgd.tolist())) == 4  # distinct seeds (and tasks) → distinct numbers


def test_process_pool_is_bit_identical(serial_small, tmp_path):
    out = tmp_path / "r.csv"
    with local_executor(2) as ex:
        pooled = sweep(SMALL, executor=ex, progress=False)
        # on the same pool: a job that raises in a worker process is recorded in its row
        failing = sweep({"x": [1, 2, 3, 4]}, fn=square_or_fail, executor=ex, out=out,
                        progress=False)
    assert [r["job"] for r in failing.failed] == [2]
    _, rows = read_table(out)
    assert [r["square"] for r in rows] == [1, 4, None, 16]
    assert rows[2]["error"].startswith("RuntimeError")
    assert pooled.values() == serial_small.values()
    assert pooled.grid_hash == serial_small.grid_hash
    assert {r["pid"] for r in pooled} != {r["pid"] for r in serial_small}  # ran elsewhere


def test_dask_local_cluster_is_bit_identical(serial_small):
    pytest.importorskip("distributed", reason="dask.distributed not installed")
    # 2 single-threaded worker processes; the context manager closes client and cluster
    with dask_executor("local:2", timeout=120) as ex:
        table = sweep(SMALL, executor=ex, progress=False)
    assert table.values() == serial_small.values()
    assert all(str(r["worker"]).startswith("tcp://") for r in table)


def test_job_seed_depends_on_grid_and_index_only():
    one = sweep(SMALL, executor="serial", progress=False)
    # same grid under another spelling of the same values: same hash, same seeds
    again = sweep(Grid.from_dict(SMALL), executor="serial", progress=False)
    assert [r["job_seed"] for r in one] == [r["job_seed"] for r in again]
    other = sweep({**SMALL, "task": {**SMALL["task"], "modes": 201}}, executor="serial",
                  progress=False)
    assert other.grid_hash != one.grid_hash
    assert [r["job_seed"] for r in other] != [r["job_seed"] for r in one]


def test_lr_profiles_are_swept_like_any_key():
    grid = {"task": {"beta": 2.0, "s": 0.5, "modes": 100},
            "run": {"budget": 4096, "schedule": "switch:4,64@0.8",
                    "lr_schedule": ["const", "cosine", "wsd:0.2"]}}
    table = sweep(grid, executor="serial", progress=False)
    task = PowerLawTask(2.0, 0.5, modes=100)
    finals = []
    for r in table:
        sch = Schedule.parse("switch:4->64@0.8", 4096, 0.2, lr_schedule=r["lr_schedule"])
        assert r["final_risk"] == exact_risk(task, sch).final_risk
        finals.append(r["final_risk"])
    assert len(set(finals)) == 3  # the profile reaches the engine


# ---------------------------------------------------------------------------- failures
def square_or_fail(params, seed):
    """Job used by the tests below: x² (and the seed's parity), fails for x = 3."""
    if params["x"] == 3:
        raise RuntimeError("x = 3 is not allowed\nsecond line")
    return {"square": params["x"] ** 2, "parity": seed % 2}


def test_failing_job_is_recorded_and_sweep_goes_on():
    table = sweep({"x": [1, 2, 3, 4]}, fn=square_or_fail, executor="serial", progress=False)
    assert [r["square"] for r in table] == [1, 4, None, 16]
    assert [r["job"] for r in table.failed] == [2]
    assert table.failed[0]["error"] == "RuntimeError: x = 3 is not allowed second line"
    assert np.isnan(table.column("square")[2])


def test_cli_exit_1_when_a_job_fails(tmp_path, capsys):
    path = tmp_path / "g.toml"
    # budget 32 < batch 64: the switch job cannot be built, the const one runs
    path.write_text('[task]\nbeta = 2.0\ns = 0.5\nmodes = 50\n[run]\nbudget = 32\n'
                    'schedule = ["const:4", "switch:4,64@0.5"]\n')
    assert main(["sweep", str(path), "--out", str(tmp_path / "r.csv"), "--workers",
                 "1"]) == 1
    err = capsys.readouterr().err
    assert "job 1 failed: InvalidParameterError: budget must be >=" in err


# ---------------------------------------------------------------------------- resume
CALLS: list[int] = []
INTERRUPT_AT: set[int] = set()


def counting(params, seed):
    CALLS.append(params["x"])
    if params["x"] in INTERRUPT_AT:
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C during this job
    return {"y": params["x"] * 0.1, "seed_mod": seed % 7}


def test_resume_from_partial_output(tmp_path):
    grid = {"x": list(range(8))}
    full = sweep(grid, fn=counting, executor="serial", progress=False)
    out = tmp_path / "r.csv"
    # an interrupted run: only jobs 0, 1, 2 and 6 were written, job 6 with an error
    rows = [dict(r) for r in full.rows if r["job"] in (0, 1, 2, 6)]
    rows[-1]["error"], rows[-1]["y"] = "RuntimeError: boom", None
    write_table(out, rows, full.columns)
    CALLS.clear()
    resumed = sweep(grid, fn=counting, executor="serial", out=out, progress=False)
    assert sorted(CALLS) == [3, 4, 5, 6, 7]  # done jobs skipped, the failed one rerun
    assert resumed.values() == full.values()
    assert resumed.meta["resumed"] == 3
    _, back = read_table(out)
    assert [r["y"] for r in back] == [r["y"] for r in full.rows]


def test_resume_after_keyboard_interrupt(tmp_path):
    out = tmp_path / ("r.parquet" if _has_pyarrow() else "r.csv")
    grid = {"x": list(range(8))}
    full = sweep(grid, fn=counting, executor="serial", progress=False)
    INTERRUPT_AT.add(5)
    try:
        with pytest.raises(KeyboardInterrupt):
            sweep(grid, fn=counting, executor="serial", out=out, progress=False)
    finally:
        INTERRUPT_AT.clear()
    _, partial = read_table(out)
    saved = {r["job"] for r in partial}
    assert saved == set(range(5))  # the rows finished before the interrupt were saved
    CALLS.clear()
    resumed = sweep(grid, fn=counting, executor="serial", out=out, progress=False)
    assert sorted(CALLS) == sorted(set(range(8)) - saved)
    assert resumed.values() == full.values()


def test_resume_refuses_other_grid(tmp_path):
    out = tmp_path / "r.csv"
    sweep({"x": [1, 2]}, fn=counting, executor="serial", out=out, progress=False)
    with pytest.raises(InvalidParameterError, match="holds rows of grid .* not of this grid"):
        sweep({"x": [1, 2, 3]}, fn=counting, executor="serial", out=out, progress=False)


# ---------------------------------------------------------------------------- bad input
BAD = [
    ("[task]\nbeta = [2.0, 0.5]\ns = 1\n[run]\nbudget = 64\nschedule = 'const:4'\n",
     "task.beta", "(1, inf)"),
    ("[task]\nbeta = 2\ns = 1\n[run]\nbudget = []\nschedule = 'const:4'\n",
     "run.budget", "at least one value"),
    ("[task]\nbeta = 2\ns = 1\n[run]\nbudget = 64\nschedule = 'switch:4'\n",
     "run.schedule", "cannot parse schedule"),
    ("[task]\nbeta = 2\ns = 1\n[run]\nbudget = 64\n", "run.schedule", "required"),
    ("[task]\nbeta = 2\ns = 1\n[run]\nbudget = 64\nschedule = 'const:4'\nfoo = 1\n",
     "run.foo", "not known"),
    ("[task]\nbeta = 2\ns = 1\n[run]\nbudget = 64\nschedule = 'const:4'\nengine = 'x'\n",
     "run.engine", "engine must be one of"),
    ("[task]\nbeta = 2\ns = 1\nbudget = 8\n[run]\nbudget = 64\nschedule = 'const:4'\n",
     "run.budget", "also given in section 'task'"),
    ("[task]\nbeta = 2\ns = 1\nmodes = 1.5\n[run]\nbudget = 64\nschedule = 'const:4'\n",
     "task.modes", "integer"),
    ("[task]\nbeta = 2\ns = 1\n[run]\nbudget = 64\nschedule = 'const:4'\nseconds = 1\n",
     "run.seconds", "reserved"),
    ("[task]\nbeta = 2\ns = 1\n[run]\nbudget = 64\nschedule = 'const:4'\n"
     "lr_schedule = ['cosine', 'wsd:2']\n", "run.lr_schedule", "wsd"),
    ("budget = 64\n[task]\nbeta = 2\ns = 1\n[run]\nschedule = 'const:4'\n",
     "'budget'", "inside a section"),
    ("[task]\nbeta = 2\ns = \n", "not valid TOML", "line 3"),
]


@pytest.mark.parametrize(("text", "key", "what"), BAD)
def test_bad_grid_exits_2_with_one_line(tmp_path, capsys, text, key, what):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert main(["sweep", str(path), "--out", str(tmp_path / "r.csv"), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert key in err and what in err, err


def test_bad_options_exit_2(tmp_path, capsys):
    path = tmp_path / "g.toml"
    path.write_text(CONTRACT)
    for opts, what in ((["--out", str(tmp_path / "r.txt")], ".csv or .parquet"),
                       (["--out", str(tmp_path / "r.csv"), "--workers", "0"], "--workers"),
                       (["--out", str(tmp_path / "no" / "r.csv")], "existing directory"),
                       (["--out", str(tmp_path / "r.csv"), "--threads", "0"], "--threads")):
        assert main(["sweep", str(path), *opts]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and what in err, err
    assert main(["sweep", str(tmp_path / "missing.toml"), "--out", "r.csv"]) == 2
    assert "cannot be read" in capsys.readouterr().err


def test_parquet_needs_pyarrow(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now fails
    with pytest.raises(InvalidParameterError, match="needs pyarrow"):
        check_out_path(tmp_path / "r.parquet")


# ---------------------------------------------------------------------------- formats
def _has_pyarrow() -> bool:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        return False
    return True


def test_parquet_round_trip(tmp_path, serial_small):
    pytest.importorskip("pyarrow.parquet", reason="pyarrow not installed")
    out = tmp_path / "r.parquet"
    write_table(out, serial_small.rows, serial_small.columns)
    columns, rows = read_table(out)
    assert columns == serial_small.columns
    assert [tuple(r[c] for c in columns) for r in rows] == \
        [tuple(r.get(c) for c in columns) for r in serial_small.rows]


def test_csv_round_trip_is_exact(tmp_path, serial_small):
    out = tmp_path / "r.csv"
    serial_small.write(out)
    columns, rows = read_table(out)
    assert columns == serial_small.columns
    assert [r["final_risk"] for r in rows] == serial_small.column("final_risk").tolist()


def test_summary_says_where_jobs_ran(serial_small):
    text = serial_small.summary()
    assert text.startswith("8 jobs, 0 failed")
    assert f"{serial_small.rows[0]['worker']}: 8 jobs" in text


@pytest.mark.parametrize("modname", ["fsltheory.sweep", "fsltheory.grid", "fsltheory.io"])
def test_docstring_examples(modname):
    mod = importlib.import_module(modname)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0


def test_expansion_order_matches_itertools_product():
    g = Grid.from_dict({"a": [1, 2, 3], "b": "fixed", "c": [0.5, 1.5]})
    assert [(j["a"], j["c"]) for j in g.jobs()] == list(itertools.product([1, 2, 3],
                                                                             [0.5, 1.5]))


# ---------------------------------------------------------------------------- figures
class CountingExecutor(SerialExecutor):
    """An Executor of our own: shows that figure data runs on whatever executor it gets."""

    def __init__(self):
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs):
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


def test_phase_diagram_runs_on_any_executor_and_matches_direct_loop():
    from fsltheory.figdata import _phase_settings, data_phase_diagram
    from fsltheory.optimize import optimal_switch

    ex = CountingExecutor()
    fd = data_phase_diagram(quick=True, executor=ex, resolution=2)
    assert ex.submitted == 2 * 2 * 2  # β × s × panel
    for key, st in _phase_settings(True).items():
        p = fd.panels[key]
        for i, s in enumerate(p["ss"]):
            for j, beta in enumerate(p["betas"]):
                task = PowerLawTask(float(beta), float(s), sigma=1.0, modes=st["modes"])
                opt = optimal_switch(task, st["budget"], 0.2, 4, 64, model=st["model"],
                                     progress=False)
                assert p["share"][i, j] == 1.0 - opt.fraction


def test_csv_keeps_text_columns_that_look_like_numbers(tmp_path):
    # a grid hash made of decimal digits with a leading zero must survive a CSV round trip
    row = {"job": 0, "x": 1, "y": 0.5, "error": None, "seconds": 0.1, "cpu_seconds": 0.1,
           "job_seed": 7, "grid_hash": "0123456789012345", "version": "1", "host": "h",
           "pid": 1, "worker": "w"}
    write_table(tmp_path / "r.csv", [row], list(row))
    _, back = read_table(tmp_path / "r.csv")
    assert back == [row]

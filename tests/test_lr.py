"""LR profiles over the data fraction (docs/theory.md §7) and schedules realised with them.

Expected values come from the closed forms of §7 written out here independently of
fsltheory.lr (naive formulas: ``(1 + cos πp)/2``, ``1 − √u``, ``r^u``), and the engine check
compares the exact engine with a plain-numpy per-step implementation of the §2 recursion.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsltheory import InvalidParameterError, PowerLawTask, Schedule, UnstableScheduleError
from fsltheory.cli import main
from fsltheory.cli.common import parse_budget
from fsltheory.curve import log_spaced_indices
from fsltheory.engines.exact import exact_risk, exact_risk_many, max_stable_lr
from fsltheory.engines.sgd import sgd_risk
from fsltheory.engines.volterra import volterra_risk
from fsltheory.lr import LR_GRAMMAR, LRProfile, as_lr_profile
from fsltheory.segments import axes_at


# ---------------------------------------------------------------- independent reference
def phi_ref(spec: dict, p: np.ndarray, p_end: np.ndarray | None = None) -> np.ndarray:
    """§7 profiles, written from the formulas (no cancellation care: fine away from p = 1).
    ``p_end`` (data fraction after the step) is where the warmup ramp is evaluated per step."""
    r, w = spec.get("final", 0.0), spec.get("warmup", 0.0)
    shape = spec["shape"]
    if shape == "const":
        out = np.ones_like(p)
    elif shape in ("cosine", "linear"):
        q = np.clip((p - w) / (1 - w), 0, 1)
        out = r + (1 - r) * ((1 + np.cos(np.pi * q)) / 2 if shape == "cosine" else 1 - q)
    else:
        F, form = spec["decay"], spec.get("form", "linear")
        u = np.clip((p - (1 - F)) / F, 0, 1)
        dec = {"linear": r + (1 - r) * (1 - u),
               "cosine": r + (1 - r) * (1 + np.cos(np.pi * u)) / 2,
               "sqrt": r + (1 - r) * (1 - np.sqrt(u)),
               "exp": (r if r > 0 else 1.0) ** u}[form]
        out = np.where(p <= 1 - F, 1.0, dec)
    if w > 0:
        x = p if p_end is None else p_end
        out = out * np.minimum(1.0, x / w)
    return out


def exact_numpy_reference(task: PowerLawTask, lr: np.ndarray, batch: np.ndarray) -> np.ndarray:
    """§2 recursion step by step: d ← a d + c (Σ λ d + σ²), E = ½ Σ λ d."""
    lam, sigma2 = task.lambdas, task.sigma**2
    d = task.theta_star**2
    out = [0.5 * lam @ d]
    for eta, b in zip(lr, batch, strict=True):
        a = (1 - eta * lam) ** 2 + eta**2 * lam**2 / b
        c = eta**2 * lam / b
        d = a * d + c * (lam @ d + sigma2)
        out.append(0.5 * lam @ d)
    return np.array(out)


SPECS = {
    "cosine": dict(shape="cosine"),
    "cosine,final=0.1": dict(shape="cosine", final=0.1),
    "linear,warmup=0.05": dict(shape="linear", warmup=0.05),
    "const,warmup=0.1": dict(shape="const", warmup=0.1),
    "wsd:0.2": dict(shape="wsd", decay=0.2),
    "wsd:0.3:cosine,final=0.05": dict(shape="wsd", decay=0.3, form="cosine", final=0.05),
    "wsd:0.2:sqrt,warmup=0.01,final=0.1": dict(shape="wsd", decay=0.2, form="sqrt",
                                               warmup=0.01, final=0.1),
    "wsd:0.5:exp,final=0.01": dict(shape="wsd", decay=0.5, form="exp", final=0.01),
    "wsd:1": dict(shape="wsd", decay=1.0),
}


# ---------------------------------------------------------------- grammar
@pytest.mark.parametrize("spec", sorted(SPECS))
def test_parse_format_round_trip_and_profile_values(spec):
    prof = LRProfile.parse(spec)
    assert prof.format() == spec and LRProfile.parse(prof.format()) == prof
    p = np.linspace(0, 1, 1001)
    if SPECS[spec].get("form") == "sqrt":
        # √u has an infinite slope at the decay start u = 0: the 1e-16 rounding of 1 − p
        # there becomes 1e-8 in φ, so the kink itself is left out for this form
        p = p[np.abs(p - (1 - SPECS[spec]["decay"])) > 1e-9]
    # 1e-13: the library's cancellation-free forms and the naive ones differ by rounding
    np.testing.assert_allclose(prof.profile(p), phi_ref(SPECS[spec], p), rtol=1e-13,
                               atol=1e-15)


def test_constant_and_none():
    assert as_lr_profile(None) == LRProfile() == LRProfile.parse("const")
    assert LRProfile.parse("constant").format() == "const"
    assert LRProfile().is_constant and not LRProfile.parse("const,warmup=0.1").is_constant
    assert LRProfile.parse(" wsd : 0.2 : sqrt ").format() == "wsd:0.2:sqrt"


@settings(max_examples=150, deadline=None)
@given(F=st.floats(1e-6, 1.0), form=st.sampled_from(["linear", "cosine", "sqrt", "exp"]),
       w=st.floats(0, 0.99), r=st.floats(1e-9, 1.0))
def test_round_trip_property(F, form, w, r):
    w = min(w, 1 - F)
    prof = LRProfile("wsd", decay=F, form=form, warmup=w, final=r)
    again = LRProfile.parse(prof.format())
    assert again == prof
    vals = prof.profile(np.linspace(0, 1, 65)[1:-1])
    assert np.all(vals > 0) and np.all(vals <= 1)


HOSTILE = [
    ("wsd:1.5", r"wsd decay fraction F must be in \(0, 1\], got 1.5"),
    ("wsd:0", r"wsd decay fraction F must be in \(0, 1\], got 0"),
    ("wsd:-0.2", r"wsd decay fraction F must be a decimal number in \(0, 1\]"),
    ("cosine,final=-1", r"final must be a decimal number in \[0, 1\], got '-1'"),
    ("cosine,final=1.5", r"final must be in \[0, 1\], got 1.5"),
    ("wsd:0.2:exp", r"final must be in \(0, 1\] for the exp decay form"),
    ("wsd:0.2:exp,final=0", r"final must be in \(0, 1\] for the exp decay form"),
    ("wsd:0.2:quadratic", r"FORM must be one of linear\|cosine\|sqrt\|exp, got 'quadratic'"),
    ("cosine,warmup=1", r"warmup must be in \[0, 1\), got 1.0"),
    ("cosine,warmup=2", r"warmup must be in \[0, 1\)"),
    ("wsd:0.2,warmup=0.9", r"warmup must be in \[0, 0.8\]"),
    ("cosine,warmup=0.1,warmup=0.2", r"gives warmup twice"),
    ("cosine,final=0.1,final=0.1", r"gives final twice"),
    ("wsd:٠.٢", r"must be ASCII"),
    ("wsd:nan", r"wsd decay fraction F must be a decimal number"),
    ("cosine,final=inf", r"final must be a decimal number"),
    ("cosine,warmup=nan", r"warmup must be a decimal number"),
    ("const,final=0.1", r"final applies to cosine, linear and wsd only"),
    ("cosine,peak=1", r"suffix must be warmup=W or final=R"),
    ("exp", r"cannot parse lr schedule"),
    ("", r"cannot parse lr schedule"),
    ("wsd", r"cannot parse lr schedule"),
    ("wsd:0.2:sqrt:x", r"cannot parse lr schedule"),
]


@pytest.mark.parametrize("spec,match", HOSTILE)
def test_hostile_specs_name_the_parameter(spec, match):
    with pytest.raises(InvalidParameterError, match=match):
        LRProfile.parse(spec)


@pytest.mark.parametrize("spec", ["wsd:1.5", "wsd:0", "cosine,final=-1", "wsd:0.2:exp",
                                  "wsd:0.2:foo", "cosine,warmup=1", "linear,warmup=1.5"])
def test_hostile_specs_on_the_cli_one_line_exit_2(capsys, spec):
    rc = None
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--modes", "20", "--budget", "200", "--lr-schedule", spec])
    rc = exc.value.code
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert rc == 2 and out == "" and len(lines) == 1 and "Traceback" not in err
    assert "--lr-schedule" in lines[0]
    assert any(k in lines[0] for k in ("decay fraction F", "final", "FORM", "warmup"))


def test_grammar_text_lists_every_shape():
    for word in ("const", "cosine", "linear", "wsd:F", "wsd:F:FORM", "warmup=W", "final=R",
                 "exp needs", "csv:PATH"):
        assert word in LR_GRAMMAR


# ---------------------------------------------------------------- budgets on the CLI
@pytest.mark.parametrize("text,value", [("131072", 131072), ("1e12", 10**12),
                                        ("2**40", 2**40), ("2.5e3", 2500),
                                        ("1_000", 1000), ("1E6", 10**6)])
def test_parse_budget_accepts_integer_notations(text, value):
    assert parse_budget(text) == value


@pytest.mark.parametrize("text", ["0", "-5", "1.5", "1e-3", "2.5e0", "1e30", "2**70",
                                  "١٢٣", "nan", "inf", "12abc", "", "0**0", "2**-1"])
def test_parse_budget_refuses(text):
    with pytest.raises(InvalidParameterError, match=r"budget must be an integer in \[1, 2\*\*62\]"):
        parse_budget(text)


# ---------------------------------------------------------------- schedules
@pytest.mark.parametrize("spec", sorted(SPECS))
@pytest.mark.parametrize("batch", ["const:7", "switch:4,32@0.5"])
def test_schedule_lr_is_peak_times_profile_at_data_fraction(spec, batch):
    D, peak = 20_011, 0.3
    sch = Schedule.parse(batch, D, peak, lr_schedule=spec)
    assert sch.peak_lr == peak and sch.lr_profile == LRProfile.parse(spec)
    P = sch.data[:-1].astype(np.float64)
    want = peak * phi_ref(SPECS[spec], P / D, (P + sch.batch) / D)
    # the naive (1 + cos πp)/2 loses ~1e-16 absolute near p = 1: atol covers that
    np.testing.assert_allclose(sch.lr, want, rtol=1e-12, atol=1e-15)
    assert np.all(sch.lr > 0)
    # the batch part is independent of the LR profile
    np.testing.assert_array_equal(sch.batch, Schedule.parse(batch, D, peak).batch)
    # lr_at agrees with the dense array; segments reconstruct the batch array
    k = np.array([0, 1, sch.n_steps // 2, sch.n_steps - 1])
    np.testing.assert_array_equal(sch.lr_at(k), sch.lr[k])
    seg = sch.segments()
    np.testing.assert_array_equal(np.repeat(seg.batch, seg.count), sch.batch)
    lrs, bs, counts = sch.runs()
    np.testing.assert_array_equal(np.repeat(lrs, counts), sch.lr)


def test_last_step_lr_positive_even_at_huge_budget():
    """cosine to 0 at D = 2**50: the last step is at 1 − p = 2**-44; φ ≈ (π/2·2**-44)² > 0."""
    D = 2**50
    sch = Schedule.constant(64, D, 1.0, lr_schedule="cosine")
    last = float(sch.lr_at([sch.n_steps - 1])[0])
    v = 64 / D
    assert last == pytest.approx(math.sin(math.pi * v / 2) ** 2, rel=1e-12) and last > 0


def test_piecewise_constant_schedules_are_segments_not_steps():
    D = 10**12
    sch = Schedule.parse("switch:4,64@0.9", D, 0.1, lr_schedule="wsd:0.2")
    seg = sch.segments()
    assert sch.n_steps == 0.9e12 / 4 + 0.1e12 / 64
    # rows: batch 4 stable | batch 4 decay (smooth, switch at 0.9 > 0.8) | batch 64 decay
    assert seg.count.size == 3 and seg.smooth.tolist() == [False, True, True]
    assert sch.budget == D and int(np.sum(seg.batch * seg.count)) == D
    with pytest.raises(InvalidParameterError, match=r"schedule.lr would need .* GB"):
        _ = sch.lr
    with pytest.raises(InvalidParameterError, match="MAX_DENSE_BYTES"):
        _ = sch.intrinsic_time
    const = Schedule.parse("const:64", D, 0.1)
    assert const.segments().count.size == 1 and const.runs()[2].tolist() == [D // 64]
    wsd = Schedule.parse("const:64", D, 0.1, lr_schedule="wsd:0.2,warmup=0.01")
    assert wsd.segments().smooth.tolist() == [True, False, True]
    # the stable segment starts where the warmup ramp reaches 1 (P_{k+1} >= w·D) and
    # ends where the decay starts (D − P_k < F·D)
    k0 = wsd.segments().start_step
    assert (int(k0[1]) + 1) * 64 >= 0.01 * D > int(k0[1]) * 64
    assert D - int(wsd.data_at([k0[2]])[0]) < 0.2 * D <= D - int(wsd.data_at([k0[2] - 1])[0])


def test_equality_and_format_with_profiles():
    a = Schedule.parse("switch:4,64@0.5", 4096, 0.2, lr_schedule="cosine")
    b = Schedule.two_stage(4, 64, 0.5, 4096, 0.2, lr_schedule=LRProfile("cosine"))
    assert a == b and a != Schedule.parse("switch:4,64@0.5", 4096, 0.2)
    assert a == Schedule.from_arrays(a.lr, a.batch)  # same per-step values
    assert a.format() == "switch:4,64@0.5"
    assert Schedule.parse("switch:4->64@0.5", 4096, 0.2, lr_schedule="cosine") == a
    assert "cosine" in repr(a)
    import pickle  # schedules travel to worker processes

    again = pickle.loads(pickle.dumps(a))
    assert again == a and again.lr_profile == a.lr_profile and again.is_smooth


def test_table_profiles(tmp_path):
    D = 1000
    prof = LRProfile.from_samples([0, 300, 700], [1.0, 0.5, 0.25])
    sch = Schedule.constant(16, D, 0.4, lr_schedule=prof)
    P = sch.data[:-1]
    want = 0.4 * np.where(P < 300, 1.0, np.where(P < 700, 0.5, 0.25))
    np.testing.assert_array_equal(sch.lr, want)
    assert sch.segments().count.size == 4  # 3 LR levels, the last step partial (1000 = 62·16 + 8)
    path = tmp_path / "lr.csv"
    path.write_text("samples,lr\n0,3e-4\n300,1.5e-4\n700,7.5e-5\n")
    from_csv = LRProfile.parse(f"csv:{path}")
    assert Schedule.constant(16, D, 0.4, lr_schedule=from_csv) == sch
    assert from_csv.format() == f"csv:{path}"
    steps = LRProfile.from_steps(np.linspace(1.0, 0.1, 63))
    s2 = Schedule.constant(16, D, 0.5, lr_schedule=steps)
    np.testing.assert_allclose(s2.lr, 0.5 * np.linspace(1.0, 0.1, 63), rtol=1e-15)
    with pytest.raises(InvalidParameterError, match="has 10 values but the schedule has 63"):
        Schedule.constant(16, D, 0.5, lr_schedule=LRProfile.from_steps(np.ones(10)))
    bad = tmp_path / "bad.csv"
    bad.write_text("epoch,lr\n0,1\n")
    with pytest.raises(InvalidParameterError, match="header step,lr or samples,lr"):
        LRProfile.parse(f"csv:{bad}")
    with pytest.raises(InvalidParameterError, match="readable file"):
        LRProfile.parse(f"csv:{tmp_path / 'missing.csv'}")


# ---------------------------------------------------------------- engines (must show)
@pytest.mark.parametrize("spec", ["cosine", "wsd:0.2", "wsd:0.3:sqrt,warmup=0.05,final=0.1",
                                  "wsd:0.25:exp,final=0.02", "cosine,warmup=0.1,final=0.1"])
@pytest.mark.parametrize("batch", ["const:8", "switch:2,32@0.7"])
def test_exact_engine_matches_per_step_numpy_recursion(spec, batch):
    """1e-10 relative: the compiled kernel (two-step passes, x = 1 − a form, fastmath) and
    the plain recursion differ only by rounding, ~1e-13 over a few thousand steps."""
    task = PowerLawTask(2.0, 0.5, sigma=1.0, modes=300)
    D, peak = 24_000, 0.4
    sch = Schedule.parse(batch, D, peak, lr_schedule=spec)
    P = sch.data[:-1].astype(np.float64)
    lr = peak * phi_ref(SPECS.get(spec) or _spec_dict(spec), P / D, (P + sch.batch) / D)
    ref = exact_numpy_reference(task, lr, sch.batch)
    got = exact_risk(task, sch)
    np.testing.assert_allclose(got.risk, ref, rtol=1e-10)
    # the LR profile matters: a constant-LR run ends elsewhere
    flat = exact_risk(task, Schedule.parse(batch, D, peak)).final_risk
    assert abs(flat / got.final_risk - 1) > 0.05


def _spec_dict(spec: str) -> dict:
    prof = LRProfile.parse(spec)
    return dict(shape=prof.shape, decay=prof.decay, form=prof.form, warmup=prof.warmup,
                final=prof.final)


@pytest.mark.parametrize("spec,sched,budget", [
    ("cosine", "const:4", 80_000),
    ("wsd:0.2:sqrt,warmup=0.02,final=0.1", "switch:4,32@0.5", 400_000),
    ("wsd:0.3", "switch:4,64@0.9", 400_000),
])
def test_volterra_matches_exact_under_lr_profiles(spec, sched, budget):
    """Same bound as the constant-LR check of tests/test_volterra.py: at peak lr = 0.05 the
    physical O(η) gap between (V) and §2 is ≤ 3% at the end and ≤ 5% = ηλ_1 along the
    curve (a decaying LR only shrinks η, hence the gap)."""
    task = PowerLawTask(2.0, 1.0, sigma=1.0, modes=1000)
    sch = Schedule.parse(sched, budget, 0.05, lr_schedule=spec)
    v = volterra_risk(task, sch, points=None)
    ex = exact_risk(task, sch, points=None)
    assert abs(v.final_risk / ex.final_risk - 1) <= 0.03
    assert np.max(np.abs(v.risk / ex.risk - 1)) <= 0.05
    np.testing.assert_allclose(v.time, ex.time, rtol=0, atol=0)  # same schedule axes
    # and the profile matters: the constant-LR final risk differs by far more than 3%
    flat = volterra_risk(task, Schedule.parse(sched, budget, 0.05), points=2).final_risk
    assert abs(flat / v.final_risk - 1) > 0.1


def test_volterra_grid_refinement_under_smooth_lr():
    """The discretisation error (≲ 1e-4 at 200 nodes per decade, module docstring of the
    engine) also holds with smooth γ: quadrupling the grid moves the curve by < 1e-4."""
    task = PowerLawTask(2.0, 0.5, sigma=1.0, modes=2000)
    sch = Schedule.parse("switch:8,64@0.7", 2_000_000, 0.1,
                         lr_schedule="cosine,warmup=0.05,final=0.05")
    a = volterra_risk(task, sch, points=300)
    b = volterra_risk(task, sch, points=300, grid_per_decade=800)
    np.testing.assert_array_equal(a.steps, b.steps)
    assert np.max(np.abs(a.risk / b.risk - 1)) < 1e-4


def test_huge_budget_axes_without_per_step_arrays():
    """D = 1e12 with a smooth decay: the smooth sums over ~2e10 steps (Euler–Maclaurin
    beyond the first 2^20 steps) agree with closed forms.  Linear decay, batch B, peak η:
    Σ_k η (D − P_k)/D = η Σ_{k<K} (1 − kB/D) = η (K − B K(K−1)/(2D)) when B | D."""
    D, B, eta = 10**12, 50, 0.1
    sch = Schedule.constant(B, D, eta, lr_schedule="linear")
    K = D // B
    _, t, G = axes_at(sch, [K])
    t_exact = eta * (K - B * K * (K - 1) / (2 * D))
    assert t[0] == pytest.approx(t_exact, rel=1e-12)
    # Σ η²(1 − kB/D)²/B = (η²/B) Σ_{j=1}^{K} (j/K)² with j = K − k = (η²/B)(K+1)(2K+1)/(6K)
    G_exact = eta**2 / B * (K + 1) * (2 * K + 1) / (6 * K)
    assert G[0] == pytest.approx(G_exact, rel=1e-12)
    curve = volterra_risk(PowerLawTask(2.0, 0.25, modes=500), sch, points=40)
    assert curve.steps[-1] == K and curve.data[-1] == D and len(curve) <= 40
    assert curve.time[-1] == pytest.approx(t_exact, rel=1e-12)


def _agreement(curve, reference, points=50, z=4.0):
    """Fraction of log-spaced checkpoints k ≥ 1 with |mean − reference| ≤ z · s.e."""
    idx = log_spaced_indices(len(curve), points)
    idx = idx[idx > 0]
    assert idx.size >= 40
    return float(np.mean(np.abs(curve.risk[idx] - reference[idx]) <= z * curve.stderr[idx]))


@pytest.mark.parametrize("s", [0.25, 1.0])
def test_sgd_matches_exact_under_wsd_with_batch_switch(s):
    """Must show: WSD (decay over the last 40%, sqrt form, warmup) with a batch switch 1 → 4
    at 70% of the data; the seed mean is within 4 s.e. of the exact risk at ≥ 95% of
    checkpoints (the calibration argument of tests/test_sgd.py: 64 seeds, ~45 log-spaced
    checkpoints, P(|z| > 4) = 6e-5 each; the 5% absorbs the skew of the seed mean)."""
    task = PowerLawTask(2.0, s, sigma=1.0, modes=1000)
    sch = Schedule.parse("switch:1,4@0.7", 3200, 0.25,
                         lr_schedule="wsd:0.4:sqrt,warmup=0.05,final=0.05")
    assert sch.n_steps >= 2000 and sch.is_smooth
    curve = sgd_risk(task, sch, seeds=64, seed=3)
    exact = exact_risk(task, sch).risk
    assert _agreement(curve, exact) >= 0.95
    # not vacuous: the LR profile changes the expected risk by many standard errors
    flat = exact_risk(task, Schedule.parse("switch:1,4@0.7", 3200, 0.25)).risk
    k = sch.n_steps
    assert abs(flat[k] - exact[k]) > 10 * curve.stderr[k]


def test_exact_recording_options_and_many_agree():
    """points=n records the very values of points=None at the log-spaced steps (same
    compiled arithmetic, so equal to the bit); exact_risk_many gives the same curves."""
    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=200)
    schs = [Schedule.parse("switch:4,32@0.6", 30_000, 0.3, lr_schedule=x)
            for x in ("wsd:0.25:cosine,warmup=0.02", "cosine", "const")]
    for sch, many in zip(schs, exact_risk_many(task, schs), strict=True):
        full = exact_risk(task, sch, points=None)
        part = exact_risk(task, sch, points=37)
        assert len(part) <= 37 and part.steps[-1] == sch.n_steps
        np.testing.assert_array_equal(part.risk, full.risk[part.steps])
        np.testing.assert_array_equal(part.data, full.data[part.steps])
        np.testing.assert_allclose(part.time, full.time[part.steps], rtol=1e-13)
        # the parallel kernel is a separate fastmath compilation (sums may be reassociated)
        np.testing.assert_allclose(many.risk, full.risk, rtol=1e-13)
    with pytest.raises(InvalidParameterError, match="points must be"):
        exact_risk(task, schs[0], points="some")


def test_stability_checked_at_the_largest_lr_of_each_smooth_segment():
    task = PowerLawTask(2.0, 0.5, sigma=1.0, modes=100)
    eta_max = max_stable_lr(task, 4)
    ok = Schedule.constant(4, 4000, 0.99 * eta_max, lr_schedule="cosine,warmup=0.1")
    exact_risk(task, ok, points=10)
    bad = Schedule.constant(4, 4000, 1.01 * eta_max, lr_schedule="cosine,warmup=0.1")
    with pytest.raises(UnstableScheduleError, match="unstable for batch 4"):
        exact_risk(task, bad)


def test_from_batches_realises_the_profile_on_given_batches():
    b = np.r_[np.full(100, 2), np.full(50, 8)]
    sch = Schedule.from_batches(b, 0.2, lr_schedule="linear")
    D = int(b.sum())
    np.testing.assert_array_equal(sch.batch, b)
    P = np.r_[0, np.cumsum(b)[:-1]]
    np.testing.assert_allclose(sch.lr, 0.2 * (1 - P / D), rtol=1e-13)
    same = Schedule.from_batches([2, 8], 0.2, lr_schedule="linear", counts=[100, 50])
    assert same == sch


def test_exact_result_does_not_depend_on_chunking(monkeypatch):
    """The compiled loop runs in timed chunks; chunk boundaries must not change a single bit
    (constant segments are cut at even offsets, so the two-step passes pair the same steps)."""
    import fsltheory.engines.exact as ex

    task = PowerLawTask(2.0, 0.25, sigma=1.0, modes=50)
    sch = Schedule.parse("stages:3,8,32@0.3,0.7", 20_001, 0.3, lr_schedule="wsd:0.2")
    whole = exact_risk(task, sch, points=None).risk
    monkeypatch.setattr(ex, "_CHUNK_WORK", 7 * 50)  # 7 steps a chunk
    monkeypatch.setattr(ex, "_CHUNK_SECONDS", (0.0, 0.0))  # never grow (halve to 1 step)
    np.testing.assert_array_equal(exact_risk(task, sch, points=None).risk, whole)


def test_optimize_cli_takes_lr_schedule_and_budget_notation(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["optimize", "--lr-schedule", "wsd:0", "--budget", "2**12"])
    err = capsys.readouterr().err.strip().splitlines()
    assert exc.value.code == 2 and len(err) == 1
    assert "wsd decay fraction F must be in (0, 1], got 0" in err[0]
    with pytest.raises(SystemExit):
        main(["optimize", "--budget", "4.5e0"])
    assert "budget must be an integer in [1, 2**62]" in capsys.readouterr().err
    assert main(["optimize", "--modes", "50", "--budget", "2**12", "--lr-schedule", "const",
                 "--json", "--no-progress"]) == 0
    import json

    obj = json.loads(capsys.readouterr().out)
    assert obj["budget"] == 4096 and obj["lr_schedule"] == "const"


@settings(max_examples=120, deadline=None)
@given(shape=st.sampled_from(["cosine", "linear", "const", "wsd"]),
       form=st.sampled_from(["linear", "cosine", "sqrt", "exp"]),
       F=st.floats(0.01, 1.0), w=st.floats(0.0, 0.5), r=st.floats(0.001, 0.5),
       b1=st.integers(1, 40), b2=st.integers(1, 40), f=st.floats(0.0, 1.0),
       D=st.integers(40, 5000))
def test_segments_reproduce_the_per_step_definition(shape, form, F, w, r, b1, b2, f, D):
    """Whatever the cut points, every step's LR is peak·φ_step(P_k) (constant segments only
    where φ = 1 exactly), and the batch/budget structure is that of the constant-LR build."""
    w = w if w > 1e-9 else 0.0  # subnormal warmups overflow the naive reference ramp p/w
    if shape == "wsd":
        prof = LRProfile("wsd", decay=F, form=form, warmup=min(w, 1 - F), final=r)
    else:
        prof = LRProfile(shape, warmup=w, final=0.0 if shape == "const" else r)
    sch = Schedule.two_stage(b1, b2, f, D, 0.7, lr_schedule=prof)
    base = Schedule.two_stage(b1, b2, f, D, 0.7)
    np.testing.assert_array_equal(sch.batch, base.batch)
    assert sch.switch_samples == base.switch_samples and sch.budget == D
    P = sch.data[:-1]
    want = 0.7 * phi_ref(_spec_dict(prof.format()), P / D, (P + sch.batch) / D)
    if form == "sqrt" and shape == "wsd":  # √u at the kink: see the profile-values test
        keep = np.abs(P / D - (1 - F)) > 1e-9
        want, got = want[keep], sch.lr[keep]
    else:
        got = sch.lr
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    seg = sch.segments()
    const_steps = np.repeat(~seg.smooth, seg.count)
    assert np.all(sch.lr[const_steps] == 0.7)


def test_batch_grammar_rejects_non_ascii_digits():
    with pytest.raises(InvalidParameterError, match="cannot parse schedule"):
        Schedule.parse("const:٦٤", 4096, 0.1)
    with pytest.raises(InvalidParameterError, match="cannot parse schedule"):
        Schedule.parse("switch:4,64@٠.5", 4096, 0.1)


def test_every_step_recording_refused_when_too_large():
    task = PowerLawTask(2.0, 0.5, modes=10)
    huge = Schedule.constant(1, 10**9, 0.1, lr_schedule="cosine")
    with pytest.raises(InvalidParameterError, match=r"points=None records all .* pass points=N"):
        exact_risk(task, huge, points=None)
    with pytest.raises(InvalidParameterError, match=r"points=None records all"):
        volterra_risk(task, huge, points=None)


@pytest.mark.parametrize("modname", ["fsltheory.lr", "fsltheory.segments",
                                     "fsltheory.cli.common", "fsltheory.engines.grid"])
def test_docstring_examples_and_exports(modname):
    import doctest
    import importlib

    mod = importlib.import_module(modname)
    for name in mod.__all__:
        assert hasattr(mod, name), name
    if modname == "fsltheory.engines.grid":
        return  # no examples: internal to the Volterra engine
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0

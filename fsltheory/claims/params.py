"""Sizes of every numeric check at ``scale="quick"`` (about 30 s for all claims, serial)
and ``scale="full"`` (about 3½ min serial on a quiet 2-core machine).  Each check covers
≥ 3 (β, s) pairs, both regimes where the claim distinguishes them (hard: s < 1 − 1/β),
fits over ≥ 3 decades, and keeps 1 ≪ t ≪ M^β."""

from __future__ import annotations

from typing import Any

# Engine rows (fsltheory.claims.engine_scaling): optima searched on the Volterra engine at
# budgets κ·D', D' in [lo, hi] (n points), σ² = κ (the FSL is invariant under b → κb,
# σ² → κσ², D → κD; batches ≥ κ keep the integer rounding below the engine's resolution)
_ENG = {"kappa": 256, "easy_b_min": 128, "lr": 0.2, "tol": 0.03, "max_modes": 10**6}
_ENG_Q = {**_ENG, "d": (1e5, 1e7, 3)}
_ENG_F = {**_ENG, "d": (1e5, 1e8, 4)}
_SW = {"lr": 0.2, "b1": 1, "b2": 8, "tol": 0.03}

PARAMS: dict[str, dict[str, dict[str, Any]]] = {
    "C-KERNEL": {
        "quick": {"betas": [(1.5, 300_000), (2.0, 100_000), (3.0, 10_000)],
                  "u_lo": 30.0, "u_hi": 3e4, "points": 13},
        "full": {"betas": [(1.5, 1_000_000), (2.0, 300_000), (2.5, 100_000), (3.0, 30_000)],
                 "u_lo": 30.0, "u_hi": 1e5, "points": 25},
    },
    "C-SIGNAL": {
        # (β, s, M): hard (1.5, 0.25), (2, 0.25); easy (1.5, 0.5), (3, 1)
        "quick": {"pairs": [(1.5, 0.25, 300_000), (2.0, 0.25, 100_000), (1.5, 0.5, 300_000),
                            (3.0, 1.0, 10_000)],
                  "t_lo": 30.0, "t_hi": 3e4, "points": 13},
        "full": {"pairs": [(1.5, 0.25, 1_000_000), (2.0, 0.25, 300_000),
                           (1.5, 0.5, 1_000_000), (3.0, 1.0, 30_000), (2.5, 0.3, 100_000)],
                 "t_lo": 30.0, "t_hi": 1e5, "points": 25},
    },
    "C-STABLE": {
        "quick": {"cases": [(1.5, 0.25, 1, 100), (2.0, 0.5, 4, 100), (3.0, 1.0, 16, 100)],
                  "big_modes": 1_000_000, "small_eta": 1e-4,
                  "sgd_case": (2.0, 0.5, 4, 50), "sgd_steps": 400, "seeds": 256},
        "full": {"cases": [(1.5, 0.25, 1, 300), (2.0, 0.5, 4, 300), (3.0, 1.0, 16, 300),
                           (2.5, 0.2, 64, 300)],
                 "big_modes": 3_000_000, "small_eta": 1e-5,
                 "sgd_case": (2.0, 0.5, 4, 100), "sgd_steps": 2000, "seeds": 1024},
    },
    "C-FLOOR": {
        # discrete: (β, s, B, η, M); continuum: (β, γ, M)
        "quick": {"sigma": 1.0, "relax": 40.0,
                  "discrete": [(1.5, 0.25, 1, 0.3, 200), (2.0, 0.5, 4, 1.0, 60),
                               (3.0, 1.0, 16, 1.5, 20)],
                  "continuum": [(1.5, 1e-3, 1_000_000), (2.0, 1e-3, 100_000),
                                (3.0, 1e-3, 10_000)],
                  "volterra": [(1.5, 1e-2, 100), (2.0, 1e-2, 300), (3.0, 1e-2, 60)],
                  "sgd_case": (2.0, 0.5, 2, 0.5, 20), "seeds": 256},
        "full": {"sigma": 1.0, "relax": 60.0,
                 "discrete": [(1.5, 0.25, 1, 0.3, 500), (2.0, 0.5, 4, 1.0, 150),
                              (3.0, 1.0, 16, 1.5, 40), (2.5, 0.3, 8, 1.0, 80)],
                 "continuum": [(1.5, 1e-4, 3_000_000), (2.0, 1e-4, 300_000),
                               (3.0, 1e-4, 30_000)],
                 "volterra": [(1.5, 1e-2, 300), (2.0, 1e-2, 1000), (3.0, 1e-2, 100)],
                 "sgd_case": (2.0, 0.5, 2, 0.5, 30), "seeds": 1024},
    },
    "C-CATCHUP": {
        # exact engine for β ≥ 2; β = 1.5 on the Volterra engine: the finite-M tail M^(1−β)
        # of ∫K spoils the window unless M ≳ 10^6
        "quick": {"pairs": [(2.0, 0.25), (2.5, 1.0), (3.0, 0.5)], "lr": 0.5, "b1": 8,
                  "b2": 32, "sigma": 4.0, "t_switch": 2e4, "tau_min": 5.0, "tau_max": 5e3,
                  "points": 20, "sgd_case": (2.0, 0.25, 100, 400, 400), "seeds": 256,
                  "volterra_pairs": [(1.5, 0.5, 10**7)], "raw_t_switch": 1e7,
                  "raw_pairs": [(2.0, 0.25, 10**5), (3.0, 0.5, 10**5), (2.5, 1.0, 10**5)]},
        "full": {"pairs": [(2.0, 0.25), (2.5, 1.0), (3.0, 0.5), (2.0, 1.0)], "lr": 0.5,
                 "b1": 8, "b2": 32, "sigma": 4.0, "t_switch": 1e5, "tau_min": 10.0,
                 "tau_max": 1e4, "points": 30, "sgd_case": (2.0, 0.25, 200, 2000, 2000),
                 "seeds": 1024, "volterra_pairs": [(1.5, 0.25, 10**7), (1.5, 0.5, 10**7)],
                 "raw_t_switch": 1e8,
                 "raw_pairs": [(2.0, 0.25, 10**6), (3.0, 0.5, 10**5), (2.5, 1.0, 10**5),
                               (1.5, 0.5, 10**7)]},
    },
    "C-OPT-EASY": {
        # T* ≤ ηD bounds M; 1 ≪ T*; leading-order corrections decay like T^(−1/(2β)),
        # hence budgets up to 1e8 (FSL model: cost is logarithmic in D)
        "quick": {"engine": {**_ENG_Q, "pairs": [(2.0, 1.0)]},
                  "pairs": [(2.0, 1.0), (1.5, 1.0), (3.0, 1.0)], "d_lo": 1e5, "d_hi": 1e8,
                  "points": 4, "lr": 0.2, "tol": 0.03, "exact_case": (2.0, 1.0, 300, 20_000),
                  "sgd_case": (2.0, 1.0, 50, 2000), "seeds": 256},
        "full": {"engine": {**_ENG_F, "pairs": [(2.0, 1.0), (3.0, 1.0)]},
                 "pairs": [(2.0, 1.0), (1.5, 1.0), (3.0, 1.0), (2.0, 0.75)], "d_lo": 1e5,
                 "d_hi": 1e8, "points": 7, "lr": 0.2, "tol": 0.03,
                 "exact_case": (2.0, 1.0, 1000, 100_000),
                 "sgd_case": (2.0, 1.0, 100, 8000), "seeds": 512},
    },
    "C-REGIME": {
        "quick": {"engine": {**_ENG_Q, "pairs": [(2.0, 1.0), (3.0, 0.4)]},
                  "pairs": [(2.0, 1.0), (3.0, 1.0), (2.0, 0.25), (3.0, 0.4)], "d_lo": 1e5,
                  "d_hi": 1e8, "points": 4, "lr": 0.2, "tol": 0.03},
        "full": {"engine": {**_ENG_F, "pairs": [(2.0, 1.0), (3.0, 1.0), (3.0, 0.4),
                                                     (2.0, 0.25)]},
                 "pairs": [(2.0, 1.0), (3.0, 1.0), (2.0, 0.75), (2.0, 0.25), (3.0, 0.4),
                           (2.5, 0.3)], "d_lo": 1e5, "d_hi": 1e8, "points": 7, "lr": 0.2,
                 "tol": 0.03},
    },
    "C-OPT-HARD": {
        "quick": {"engine": {**_ENG_Q, "pairs": [(3.0, 0.4)]},
                  "pairs": [(2.0, 0.25), (3.0, 0.4), (2.5, 0.3)], "d_lo": 1e5, "d_hi": 1e8,
                  "points": 4, "lr": 0.2, "tol": 0.03, "b_min_factors": (1, 4, 16),
                  "exact_case": (2.0, 0.25, 300, 20_000),
                  "sgd_case": (2.0, 0.25, 50, 2000), "seeds": 256},
        "full": {"engine": {**_ENG_F, "pairs": [(3.0, 0.4), (2.0, 0.25)]},
                 "pairs": [(2.0, 0.25), (3.0, 0.4), (2.5, 0.3)], "d_lo": 1e5, "d_hi": 1e8,
                 "points": 7, "lr": 0.2, "tol": 0.03, "b_min_factors": (1, 4, 16),
                 "exact_case": (2.0, 0.25, 1000, 100_000),
                 "sgd_case": (2.0, 0.25, 100, 8000), "seeds": 512},
    },
    "C-SWITCH": {
        "quick": {"engine": {**_SW, "pairs": [(2.0, 0.25)], "d": (1e5, 1e7, 3)},
                  "pairs": [(2.0, 0.25), (3.0, 0.4), (2.5, 0.3), (2.0, 1.0)], "d_lo": 1e5,
                  "d_hi": 1e8, "points": 4, "lr": 0.2, "b1": 1, "b2": 8, "tol": 0.03,
                  "exact_case": (2.0, 0.25, 1000, 20_000),
                  "sgd_case": (2.0, 0.25, 50, 2000), "seeds": 256},
        "full": {"engine": {**_SW, "pairs": [(2.0, 0.25), (3.0, 0.4)], "d": (1e5, 1e8, 4)},
                 "pairs": [(2.0, 0.25), (3.0, 0.4), (2.5, 0.3), (2.0, 1.0), (3.0, 1.0)],
                 "d_lo": 1e5, "d_hi": 1e8, "points": 7, "lr": 0.2, "b1": 1, "b2": 8,
                 "tol": 0.03, "exact_case": (2.0, 0.25, 3000, 100_000),
                 "sgd_case": (2.0, 0.25, 100, 8000), "seeds": 512},
    },
    "C-DUALITY": {
        # order rows: ramp b ≥ 2 (the first-order gap ∝ 1 − 1/b), η = 0.01·2^(−k), t ≤ 200
        "quick": {"pairs": [(2.0, 0.25), (2.0, 1.0), (3.0, 0.5)], "lr": 0.05, "time": 2000.0,
                  "b_max": 32, "order_b": (2, 32), "order_lr": 0.01, "order_halvings": 3,
                  "order_time": 200.0, "order_tol": 0.03},
        "full": {"pairs": [(2.0, 0.25), (2.0, 1.0), (3.0, 0.5), (1.5, 0.5)], "lr": 0.05,
                 "time": 5000.0, "b_max": 64, "order_b": (2, 32), "order_lr": 0.01,
                 "order_halvings": 4, "order_time": 200.0, "order_tol": 0.03},
    },
    "C-RATES": {
        # the constant-LR rate does not depend on the regime; s ≥ 0.5 keeps the finite-M
        # signal tail (T/M^β)^s small on the window.  exp_pairs: hard regime (exponential
        # decay at capped η₀ = exp_frac × stability bound), same D window
        "quick": {"pairs": [(3.0, 0.5), (2.0, 1.0), (3.0, 1.5)], "d_lo": 1e2, "d_hi": 1e5,
                  "points": 5, "eta_tol": 0.04,
                  "exp_pairs": [(2.0, 0.25), (3.0, 0.4), (3.0, 0.5)], "exp_frac": 0.5},
        "full": {"pairs": [(3.0, 0.5), (2.0, 1.0), (3.0, 1.5), (1.5, 1.0)], "d_lo": 1e2,
                 "d_hi": 3e5, "points": 7, "eta_tol": 0.04,
                 "exp_pairs": [(2.0, 0.25), (3.0, 0.4), (2.5, 0.3), (3.0, 0.5)],
                 "exp_frac": 0.5},
    },
    "C-BOPT": {
        # Volterra rows: (β, s, [ℓ …]) over 2 decades, hard (3, 0.5) and easy (2, 1), (2, 2);
        # targets keep t_min = (A_e/ℓ)^(1/s) in the asymptotic window of e and K ((2t_min)^(1/β)
        # ≳ 5 modes: at β = 3, s = 1, ℓ = 1e-2 (t_min ≈ 8) the leading forms are 1.5 % off);
        # σ = 10 keeps B large and q ≈ 2ℓ/σ² (the multiplicative-noise terms) negligible.
        # Exact rows at lr 0.1 (η/t_opt ≤ 0.5 %).
        "quick": {"lr": 0.5, "sigma": 10.0,
                  "pairs": [(3.0, 0.5, [1e-2, 1e-3, 1e-4]), (2.0, 1.0, [1e-2, 1e-3, 1e-4]),
                            (2.0, 2.0, [1e-3, 1e-4, 1e-5])],
                  "exact_lr": 0.1, "exact_pairs": [(2.0, 1.0, [1e-2, 1e-3, 1e-4])],
                  "slope_pairs": [(2.0, 1.0, [1e-2, 1e-3, 1e-4]), (2.0, 2.0, [1e-3, 1e-4, 1e-5])],
                  "slope_tol": 0.05, "bisect": [(2.0, 1.0, 1e-3), (3.0, 0.5, 1e-3)]},
        "full": {"lr": 0.5, "sigma": 10.0,
                 "pairs": [(3.0, 0.5, [1e-2, 1e-3, 1e-4]), (2.5, 0.4, [1e-2, 1e-3, 1e-4]),
                           (2.0, 1.0, [1e-2, 1e-3, 1e-4, 1e-5]), (3.0, 1.0, [1e-3, 1e-4, 1e-5]),
                           (2.0, 2.0, [1e-3, 1e-4, 1e-5, 1e-6])],
                 "exact_lr": 0.1, "exact_pairs": [(2.0, 1.0, [1e-2, 1e-3, 1e-4]),
                                                  (3.0, 1.0, [1e-3, 1e-4, 1e-5])],
                 "slope_pairs": [(2.0, 1.0, [1e-2, 1e-3, 1e-4, 1e-5]),
                                 (2.0, 2.0, [1e-3, 1e-4, 1e-5, 1e-6])],
                 "slope_tol": 0.05,
                 "bisect": [(2.0, 1.0, 1e-3), (3.0, 0.5, 1e-3), (2.0, 2.0, 1e-4)]},
    },
    "C-ES": {
        "quick": {"lr": 0.5, "sigma": 10.0,
                  "pairs": [(3.0, 0.5, 1e-3), (2.0, 1.0, 1e-4), (2.0, 2.0, 1e-5)],
                  "batches": [2.0, 3.0, 10.0, 100.0], "mc_batch": 300.0,
                  "asymptote": [(3.0, 0.5, 1e-3)], "asym_x": (0.5, 0.9), "slope_tol": 0.03},
        "full": {"lr": 0.5, "sigma": 10.0,
                 "pairs": [(3.0, 0.5, 1e-3), (2.5, 0.4, 1e-3), (2.0, 1.0, 1e-4),
                           (3.0, 1.0, 1e-4), (2.0, 2.0, 1e-5)],
                 "batches": [2.0, 3.0, 10.0, 30.0, 100.0], "mc_batch": 300.0,
                 "asymptote": [(3.0, 0.5, 1e-3), (2.5, 0.4, 1e-3)], "asym_x": (0.5, 0.85),
                 "slope_tol": 0.03},
    },
    "C-SWITCH-LR": {
        # (β, s): hard (2, 0.25), easy (2, 1); γ₁ = lr/b1 ≈ 0.19 so that the WSD interior
        # switch exists from D ≈ 1e5 on; the Volterra cost grows with the steps D/b1.
        # tol 0.04 on slopes: D − P* is located to rtol (≤ 3 %, i.e. ≤ 0.03/ln(D range) in
        # the slope) and approaches the power law from the pre-asymptotic side; measured
        # deviations ≤ 0.011 (quick) and ≤ 0.007 (full).  shift_tol 0.02: the derived
        # WSD − constant shift is ≈ 0.04–0.05, measured within 0.013.  frac_tol 2 %: the
        # engine's E-feedback moves P*/D by ≤ 0.7 % here; gain_ratio_tol 10 %: engine and
        # FSL gains agreed within 3 %.
        "quick": {"pairs": [(2.0, 0.25), (2.0, 1.0)], "profiles": ["const", "wsd:0.2", "cosine"],
                  "d_lo": 1e5, "d_hi": 3e6, "points": 3, "lr": 1.5, "b1": 8, "b2": 64,
                  "engine": "volterra", "rtol": 0.03, "probes": [0.1], "tol": 0.04,
                  "frac_tol": 0.02, "gain_ratio_tol": 0.1, "gain_tol": 1e-3,
                  "shift_tol": 0.02},
        "full": {"pairs": [(2.0, 0.25), (3.0, 0.4), (2.0, 1.0)],
                 "profiles": ["const", "wsd:0.2", "cosine"], "d_lo": 1e5, "d_hi": 1e8,
                 "points": 4, "lr": 1.5, "b1": 8, "b2": 64, "engine": "volterra",
                 "rtol": 0.02, "probes": [0.01, 0.1, 0.3], "tol": 0.04, "frac_tol": 0.02,
                 "gain_ratio_tol": 0.1, "gain_tol": 1e-3, "shift_tol": 0.02},
    },
}

#: Seconds each check took on a quiet 2-core machine (``fsltheory verify [--quick] --json``,
#: its ``seconds`` field; symbolic derivations included).  Only a scheduling hint: parallel
#: runs (:mod:`fsltheory.jobs`) start the longest checks first.  Never a result.
COST_HINT: dict[str, dict[str, float]] = {
    "C-OPT-EASY": {"quick": 7.9, "full": 20.7},
    "C-REGIME": {"quick": 1.0, "full": 4.4},
    "C-OPT-HARD": {"quick": 2.0, "full": 7.1},
    "C-SWITCH": {"quick": 1.7, "full": 7.9},
    "C-SWITCH-LR": {"quick": 3.7, "full": 26.6},
    "C-CATCHUP": {"quick": 3.9, "full": 67.9},
    "C-DUALITY": {"quick": 2.1, "full": 9.1},
    "C-RATES": {"quick": 3.8, "full": 36.1},
    "C-STABLE": {"quick": 0.6, "full": 6.9},
    "C-FLOOR": {"quick": 0.9, "full": 19.0},
    "C-KERNEL": {"quick": 0.0, "full": 0.1},
    "C-SIGNAL": {"quick": 0.0, "full": 0.1},
    "C-ES": {"quick": 2.7, "full": 4.4},
    "C-BOPT": {"quick": 1.5, "full": 4.1},
}

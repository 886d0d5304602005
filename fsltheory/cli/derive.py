"""``fsltheory derive``: print the symbolically derived formulas of the claims (docs/theory.md
§4–§5).

    fsltheory derive                    # every claim, plain text
    fsltheory derive C-SWITCH --steps   # one claim with its derivation steps
    fsltheory derive C-OPT-EASY --latex
    fsltheory derive --json             # {"claims": [{"id", "title", "results", ...}]}
    fsltheory derive C-SWITCH --beta 2 --s 0.25   # also evaluate the exponents there

An unknown claim ID is an error (exit status 2) naming the allowed IDs.
"""

from __future__ import annotations

import argparse
import math

from ..errors import InvalidParameterError, check_range
from ..symbolic import CLAIM_IDS, Derivation, claim_id, derivation
from ..symbolic.render import render_latex, render_text
from .common import float_arg, print_json


def register(sub) -> None:
    p = sub.add_parser(
        "derive",
        help="print the derived formulas of the claims",
        description="Derive the closed forms and exponents of docs/theory.md §4–§5 with "
        "sympy and print "
        "them per claim. Claims: " + ", ".join(CLAIM_IDS) + ".",
    )
    p.add_argument("claims", nargs="*", metavar="CLAIM", help="claim IDs (default: all)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--latex", action="store_true", help="print LaTeX (align* per claim)")
    fmt.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--steps", action="store_true",
                   help="include the derivation steps (text and JSON output)")
    p.add_argument("--beta", type=float_arg("--beta"), default=None,
                   help="also evaluate results that depend only on (β, s) at this β > 1")
    p.add_argument("--s", type=float_arg("--s"), default=None,
                   help="source exponent s > 0 for --beta")
    p.set_defaults(func=run)


def values_at(d: Derivation, beta: float, s: float | None) -> dict[str, float]:
    """Numeric values of the results of ``d`` whose free symbols are among {β, s}."""
    point = {"beta": beta, "s": s}
    out = {}
    for name, twin in d.numeric.items():
        try:
            if twin.args and set(twin.args) <= {k for k, v in point.items() if v is not None}:
                out[name] = float(twin(**{a: point[a] for a in twin.args}))
            elif not twin.args:
                out[name] = float(twin())
        except (OverflowError, ZeroDivisionError, ValueError, TypeError):
            out[name] = float("nan")
        if name in out and not math.isfinite(out[name]):
            where = f"beta={beta:g}" + ("" if s is None else f", s={s:g}")
            raise InvalidParameterError(
                f"{d.claim} result {name} is not a finite number at {where}; "
                "use moderate --beta/--s (e.g. 1 < beta <= 1e3, 0 < s <= 1e3)"
            )
    return out


def run(args: argparse.Namespace) -> int:
    ids = [claim_id(c) for c in args.claims] or list(CLAIM_IDS)  # bad ID → exit 2
    if args.s is not None and args.beta is None:
        raise InvalidParameterError("--s needs --beta (the point (β, s) to evaluate at)")
    beta = None if args.beta is None else check_range("beta", args.beta, 1.0, None,
                                                      low_open=True)
    s = None if args.s is None else check_range("s", args.s, 0.0, None, low_open=True)
    ders = [derivation(cid) for cid in ids]
    vals = {d.claim: values_at(d, beta, s) for d in ders} if beta is not None else {}
    if args.json:
        out = []
        for d in ders:
            dd = d.to_dict()
            dd["latex"] = d.to_dict(latex=True)["results"]
            if not args.steps:
                dd.pop("steps")
            if vals:
                dd["values"] = vals[d.claim]
                dd["at"] = {"beta": beta, "s": s}
            out.append(dd)
        print_json({"claims": out})
    elif args.latex:
        print("\n\n".join(render_latex(d) for d in ders))
    else:
        blocks = []
        for d in ders:
            text = render_text(d, steps=args.steps)
            if vals.get(d.claim):
                at = f"β={beta:g}" + ("" if s is None else f", s={s:g}")
                text += f"\n  values at {at}: " + ", ".join(
                    f"{k}={v:.6g}" for k, v in vals[d.claim].items())
            blocks.append(text)
        print("\n\n".join(blocks))
    return 0

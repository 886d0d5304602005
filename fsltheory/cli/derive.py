"""``fsltheory derive``: print the symbolically derived formulas of the claims (spec §4–§5).

    fsltheory derive                    # every claim, plain text
    fsltheory derive C-SWITCH --steps   # one claim with its derivation steps
    fsltheory derive C-OPT-EASY --latex
    fsltheory derive --json             # {"claims": [{"id", "title", "results", ...}]}

An unknown claim ID is an error (exit status 2) naming the allowed IDs.
"""

from __future__ import annotations

import argparse

from ..symbolic import CLAIM_IDS, claim_id, derivation
from ..symbolic.render import render_latex, render_text
from .common import print_json


def register(sub) -> None:
    p = sub.add_parser(
        "derive",
        help="print the derived formulas of the claims",
        description="Derive the closed forms and exponents of spec §4–§5 with sympy and print "
        "them per claim. Claims: " + ", ".join(CLAIM_IDS) + ".",
    )
    p.add_argument("claims", nargs="*", metavar="CLAIM", help="claim IDs (default: all)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--latex", action="store_true", help="print LaTeX (align* per claim)")
    fmt.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--steps", action="store_true",
                   help="include the derivation steps (text and JSON output)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    ids = [claim_id(c) for c in args.claims] or list(CLAIM_IDS)  # bad ID → exit 2
    ders = [derivation(cid) for cid in ids]
    if args.json:
        out = []
        for d in ders:
            dd = d.to_dict()
            dd["latex"] = d.to_dict(latex=True)["results"]
            if not args.steps:
                dd.pop("steps")
            out.append(dd)
        print_json({"claims": out})
    elif args.latex:
        print("\n\n".join(render_latex(d) for d in ders))
    else:
        print("\n\n".join(render_text(d, steps=args.steps) for d in ders))
    return 0

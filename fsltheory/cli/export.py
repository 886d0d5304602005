"""``fsltheory export``: a plan's stage table in a trainer's syntax (docs/theory.md §5)."""

from __future__ import annotations

import argparse
import json

from ..errors import InvalidParameterError
from ..export import FORMATS, export_plan
from .common import HelpFormatter


def register(sub) -> None:
    p = sub.add_parser(
        "export", help="print a plan's stage table in a trainer's syntax",
        description="Print PLAN.json's stages as Megatron-LM, Megatron legacy ramp, NeMo, "
                    "OLMo-core, MaxText, CSV or JSON; checks first threshold 0 and "
                    "divisibility by micro-batch x data-parallel size.",
        formatter_class=HelpFormatter)
    p.add_argument("plan", metavar="PLAN.json")
    p.add_argument("--format", required=True, choices=list(FORMATS))
    p.add_argument("--tokens-per-sample", type=int, default=None, metavar="N",
                   help="sequence length; thresholds/batches in tokens where the format wants")
    p.add_argument("--micro-batch", type=int, default=None, help="micro-batch size")
    p.add_argument("--data-parallel", type=int, default=1, help="data-parallel size")
    p.add_argument("--which", choices=["recommended", "continuous"], default="recommended",
                   help="the recommended two-stage plan or the continuous optimum")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        with open(args.plan, encoding="utf-8") as fh:
            plan = json.load(fh)
    except OSError as exc:
        raise InvalidParameterError(f"{args.plan}: cannot read plan ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise InvalidParameterError(f"{args.plan}: not JSON ({exc.msg})") from None
    if not isinstance(plan, dict) or "stages" not in plan:
        raise InvalidParameterError(f"{args.plan}: not a plan file (no 'stages')")
    stages = plan["stages"]
    if args.which == "continuous":
        if not plan.get("continuous"):
            raise InvalidParameterError(f"{args.plan}: has no continuous optimum")
        stages = plan["continuous"]["stages"]
    print(export_plan(stages, args.format, tokens_per_sample=args.tokens_per_sample,
                      micro_batch=args.micro_batch, data_parallel=args.data_parallel))
    return 0

"""Plan → stage table → the syntax trainers accept (docs/theory.md §5).

A *stage table* is a list of stages ``{"samples": threshold, "batch": global batch,
"lr_multiplier": m}``: from ``samples`` consumed on, train at ``batch`` with the LR
schedule multiplied by ``m``.  Formats:

================  ==========================================================================
``megatron``      ``--step-batch-size-schedule "0:768 250B:1536"`` (thresholds in tokens
                  with ``--tokens-per-sample``, else samples; K/M/B/T suffixes when exact)
``megatron-legacy`` ``--rampup-batch-size START INCR SAMPLES --global-batch-size END``
``nemo``          ``model.rampup_batch_size=[START,INCR,SAMPLES] model.global_batch_size=END``
``olmo-core``     ``BatchSizeSchedulerCallback(batch_sizes=[...], schedule=[Duration.tokens(..)])``
                  (batch sizes in tokens, each an integer multiple of the first)
``maxtext``       ``enable_rampup_batch_size=true per_device_batch_size_start=... ...``
``csv`` / ``json`` the stage table itself
================  ==========================================================================

The three ramp formats (Megatron legacy, NeMo, MaxText) express only a *linear ramp*: batches
``START, START+INCR, …, END`` with thresholds ``i·SAMPLES/n`` (n = number of increments), the
rule of Megatron's ``RampupBatchsizeNumMicroBatches``.  A two-stage plan is such a ramp
(n = 1); other tables raise an error naming the formats that can express them.
Every format has a parser (:func:`parse_export`) that recovers the stage table.

Example
-------
>>> table = [{"samples": 0, "batch": 256, "lr_multiplier": 1.0},
...          {"samples": 1_000_000, "batch": 1024, "lr_multiplier": 1.0}]
>>> text = export_plan(table, "megatron")
>>> text
'--step-batch-size-schedule "0:256 1M:1024"'
>>> [(s["samples"], s["batch"]) for s in parse_export(text, "megatron")]
[(0, 256), (1000000, 1024)]
>>> export_plan(table, "megatron-legacy")
'--rampup-batch-size 256 768 1000000 --global-batch-size 1024'
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from .errors import InvalidParameterError, check_int_range

__all__ = ["FORMATS", "export_plan", "parse_export", "validate_stages"]

FORMATS = ("megatron", "megatron-legacy", "nemo", "olmo-core", "maxtext", "csv", "json")
_RAMP = ("megatron-legacy", "nemo", "maxtext")
_SUFFIX = (("T", 10**12), ("B", 10**9), ("M", 10**6), ("K", 10**3))


def validate_stages(stages, *, micro_batch: int | None = None, data_parallel: int = 1
                    ) -> list[dict[str, Any]]:
    """Check a stage table: first threshold 0, thresholds increasing, integer batches ≥ 1
    divisible by ``micro_batch × data_parallel``; returns a clean copy."""
    if not stages:
        raise InvalidParameterError("stage table is empty")
    dp = check_int_range("data-parallel", data_parallel, 1, None)
    unit = dp * (check_int_range("micro-batch", micro_batch, 1, None) if micro_batch else 1)
    out = []
    for i, st in enumerate(stages):
        try:
            s, b = int(st["samples"]), st["batch"]
            m = float(st.get("lr_multiplier", 1.0))
        except (KeyError, TypeError, ValueError):
            raise InvalidParameterError(f"stage {i} needs integer 'samples' and 'batch'") from None
        if float(b) != int(b) or int(b) < 1:
            raise InvalidParameterError(f"stage {i}: batch must be an integer >= 1, got {b!r}")
        b = int(b)
        if i == 0 and s != 0:
            raise InvalidParameterError(f"the first stage must start at 0 samples, got {s}")
        if i > 0 and s <= out[-1]["samples"]:
            raise InvalidParameterError(f"stage {i}: thresholds must increase, got {s} after "
                                        f"{out[-1]['samples']}")
        if b % unit:
            raise InvalidParameterError(
                f"stage {i}: batch {b} is not divisible by micro-batch x data-parallel = {unit}")
        out.append({"samples": s, "batch": b, "lr_multiplier": m})
    return out


def _num(x: int) -> str:
    for suf, mult in _SUFFIX:
        if x and x % mult == 0:
            return f"{x // mult}{suf}"
    return str(x)


def _unnum(t: str) -> int:
    m = re.fullmatch(r"(\d+)([KMBT]?)", t.strip())
    if not m:
        raise InvalidParameterError(f"not a threshold: {t!r}")
    return int(m.group(1)) * dict(_SUFFIX).get(m.group(2), 1)


def _linear_ramp(st) -> tuple[int, int, int, int]:
    """(START, INCR, SAMPLES, END) if the table is an exactly expressible linear ramp."""
    n = len(st) - 1
    can = "megatron, olmo-core, csv or json"
    if n == 0:
        raise InvalidParameterError(f"a single-stage plan has no ramp; use {can}")
    b0, b1 = st[0]["batch"], st[1]["batch"]
    inc, total = b1 - b0, st[-1]["samples"]
    ok = inc > 0 and all(s["batch"] == b0 + i * inc and s["samples"] * n == i * total
                         for i, s in enumerate(st))
    if not ok:
        raise InvalidParameterError(
            "this stage table is not a linear ramp (equal batch increments at equally spaced "
            f"thresholds), which is all a ramp format can express; use {can}")
    return b0, inc, total, st[-1]["batch"]


def export_plan(stages, fmt: str, *, tokens_per_sample: int | None = None,
                micro_batch: int | None = None, data_parallel: int = 1) -> str:
    """The stage table in format ``fmt`` (see the module docstring)."""
    if fmt not in FORMATS:
        raise InvalidParameterError(f"format must be one of {list(FORMATS)}, got {fmt!r}")
    st = validate_stages(stages, micro_batch=micro_batch, data_parallel=data_parallel)
    tps = None if tokens_per_sample is None else check_int_range(
        "tokens-per-sample", tokens_per_sample, 1, None)
    if fmt == "megatron":
        mult = tps or 1
        body = " ".join(f"{_num(s['samples'] * mult)}:{s['batch']}" for s in st)
        return f'--step-batch-size-schedule "{body}"'
    if fmt in _RAMP:
        b0, inc, total, end = _linear_ramp(st)
        if fmt == "megatron-legacy":
            return f"--rampup-batch-size {b0} {inc} {total} --global-batch-size {end}"
        if fmt == "nemo":
            return f"model.rampup_batch_size=[{b0},{inc},{total}] model.global_batch_size={end}"
        dp = data_parallel
        for name, v in (("start", b0), ("increment", inc), ("end", end)):
            if v % dp:
                raise InvalidParameterError(f"maxtext: {name} batch {v} is not divisible by "
                                            f"the {dp} devices (--data-parallel)")
        return (f"enable_rampup_batch_size=true per_device_batch_size_start={b0 // dp} "
                f"per_device_batch_size_increment={inc // dp} per_device_batch_size={end // dp} "
                f"global_rampup_samples={total}")
    if fmt == "olmo-core":
        if tps is None:
            raise InvalidParameterError("olmo-core batch sizes are in tokens: give "
                                        "--tokens-per-sample")
        b0 = st[0]["batch"]
        bad = [s["batch"] for s in st if s["batch"] % b0]
        if bad:
            raise InvalidParameterError(f"olmo-core needs every batch to be an integer multiple "
                                        f"of the first ({b0}), got {bad[0]}")
        sizes = ", ".join(str(s["batch"] * tps) for s in st)
        sched = ", ".join(f"Duration.tokens({s['samples'] * tps})" for s in st)
        return f"BatchSizeSchedulerCallback(batch_sizes=[{sizes}], schedule=[{sched}])"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["samples", "tokens", "batch", "lr_multiplier"])
        for s in st:
            w.writerow([s["samples"], "" if tps is None else s["samples"] * tps, s["batch"],
                        repr(s["lr_multiplier"])])
        return buf.getvalue().rstrip("\n")
    return json.dumps({"tokens_per_sample": tps, "stages": st})


def parse_export(text: str, fmt: str, *, tokens_per_sample: int | None = None,
                 data_parallel: int = 1) -> list[dict[str, Any]]:
    """Recover the stage table (samples, batch[, lr_multiplier]) from an exported string."""
    t = text.strip()
    if fmt == "megatron":
        m = re.fullmatch(r'--step-batch-size-schedule "([^"]*)"', t)
        if not m:
            raise InvalidParameterError("not a megatron --step-batch-size-schedule string")
        out = []
        for item in m.group(1).split():
            thr, b = item.split(":")
            out.append({"samples": _unnum(thr) // (tokens_per_sample or 1), "batch": int(b)})
        return out
    if fmt in _RAMP:
        pats = {"megatron-legacy": r"--rampup-batch-size (\d+) (\d+) (\d+) "
                                   r"--global-batch-size (\d+)",
                "nemo": r"model\.rampup_batch_size=\[(\d+),(\d+),(\d+)\] "
                        r"model\.global_batch_size=(\d+)",
                "maxtext": r"enable_rampup_batch_size=true per_device_batch_size_start=(\d+) "
                           r"per_device_batch_size_increment=(\d+) per_device_batch_size=(\d+) "
                           r"global_rampup_samples=(\d+)"}
        m = re.fullmatch(pats[fmt], t)
        if not m:
            raise InvalidParameterError(f"not a {fmt} ramp string")
        g = [int(x) for x in m.groups()]
        if fmt == "maxtext":
            b0, inc, end, total = (g[0] * data_parallel, g[1] * data_parallel,
                                   g[2] * data_parallel, g[3])
        else:
            b0, inc, total, end = g
        n = (end - b0) // inc
        return [{"samples": i * total // n, "batch": b0 + i * inc} for i in range(n + 1)]
    if fmt == "olmo-core":
        m = re.fullmatch(r"BatchSizeSchedulerCallback\(batch_sizes=\[([^\]]*)\], "
                         r"schedule=\[([^\]]*)\]\)", t)
        if not m or tokens_per_sample is None:
            raise InvalidParameterError("not an olmo-core string (or no tokens-per-sample)")
        sizes = [int(x) for x in m.group(1).split(",")]
        thr = [int(x) for x in re.findall(r"Duration\.tokens\((\d+)\)", m.group(2))]
        return [{"samples": s // tokens_per_sample, "batch": b // tokens_per_sample}
                for s, b in zip(thr, sizes, strict=True)]
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(t)))
        return [{"samples": int(r["samples"]), "batch": int(r["batch"]),
                 "lr_multiplier": float(r["lr_multiplier"])} for r in rows]
    if fmt == "json":
        return list(json.loads(t)["stages"])
    raise InvalidParameterError(f"format must be one of {list(FORMATS)}, got {fmt!r}")

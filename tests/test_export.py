"""Export formats: every format round-trips through its parser; constraint errors."""

from __future__ import annotations

import pytest

from fsltheory.errors import InvalidParameterError
from fsltheory.export import FORMATS, export_plan, parse_export

TWO = [{"samples": 0, "batch": 256, "lr_multiplier": 1.0},
       {"samples": 3_000_000, "batch": 1024, "lr_multiplier": 2.0}]
RAMP = [{"samples": 0, "batch": 128, "lr_multiplier": 1.0},
        {"samples": 1000, "batch": 256, "lr_multiplier": 1.0},
        {"samples": 2000, "batch": 384, "lr_multiplier": 1.0},
        {"samples": 3000, "batch": 512, "lr_multiplier": 1.0}]
UNEVEN = [{"samples": 0, "batch": 128, "lr_multiplier": 1.0},
          {"samples": 700, "batch": 256, "lr_multiplier": 1.0},
          {"samples": 5000, "batch": 1024, "lr_multiplier": 1.0}]


def _sb(t):
    return [(s["samples"], s["batch"]) for s in t]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("table", [TWO, RAMP], ids=["two-stage", "linear-ramp"])
def test_round_trip(fmt, table):
    kw = {"tokens_per_sample": 2048} if fmt in ("olmo-core", "megatron", "csv", "json") else {}
    dp = 2 if fmt == "maxtext" else 1
    text = export_plan(table, fmt, data_parallel=dp, **kw)
    back = parse_export(text, fmt, data_parallel=dp, **kw)
    assert _sb(back) == _sb(table)
    if fmt in ("csv", "json"):  # the only formats that carry the LR multiplier
        assert [s["lr_multiplier"] for s in back] == [s["lr_multiplier"] for s in table]


def test_megatron_uses_exact_suffixes():
    text = export_plan(TWO, "megatron", tokens_per_sample=1000)
    assert text == '--step-batch-size-schedule "0:256 3B:1024"'


def test_ramp_formats_refuse_uneven_tables_and_name_the_alternatives():
    for fmt in ("megatron-legacy", "nemo", "maxtext"):
        with pytest.raises(InvalidParameterError, match="megatron, olmo-core, csv or json"):
            export_plan(UNEVEN, fmt)
    # the general format takes it
    assert _sb(parse_export(export_plan(UNEVEN, "megatron"), "megatron")) == _sb(UNEVEN)


def test_olmo_core_multiples():
    with pytest.raises(InvalidParameterError, match="integer multiple"):
        export_plan([{"samples": 0, "batch": 128}, {"samples": 10, "batch": 192}], "olmo-core",
                    tokens_per_sample=10)
    with pytest.raises(InvalidParameterError, match="tokens-per-sample"):
        export_plan(TWO, "olmo-core")


@pytest.mark.parametrize("bad, match", [
    ([{"samples": 5, "batch": 8}], "start at 0"),
    ([{"samples": 0, "batch": 8}, {"samples": 0, "batch": 16}], "increase"),
    ([{"samples": 0, "batch": 0}], "integer >= 1"),
    ([], "empty"),
])
def test_validation(bad, match):
    with pytest.raises(InvalidParameterError, match=match):
        export_plan(bad, "json")


def test_divisibility_by_micro_batch_times_data_parallel():
    with pytest.raises(InvalidParameterError, match="micro-batch x data-parallel = 96"):
        export_plan(TWO, "megatron", micro_batch=12, data_parallel=8)
    assert export_plan(TWO, "megatron", micro_batch=4, data_parallel=8)

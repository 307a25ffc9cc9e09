"""Benchmark results files: every one says where, when and with what it was measured."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.pages import RESULTS_DIR, load_results

RESULT_FILES = sorted(RESULTS_DIR.glob("*.json"))
PROVENANCE = {"commit", "date", "machine", "python", "torch", "numpy", "threads"}


def test_there_are_results_files():
    assert RESULT_FILES, "benchmarks/results/ is empty: run `make bench`"


@pytest.mark.parametrize("path", RESULT_FILES, ids=lambda p: p.stem)
def test_results_file_has_provenance_and_a_consistent_table(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["benchmark"] == path.stem
    missing = PROVENANCE - set(data["provenance"])
    assert not missing, f"{path.name}: provenance lacks {sorted(missing)}"
    assert all(str(data["provenance"][k]).strip() for k in PROVENANCE)
    headers, rows = data["table"]["headers"], data["table"]["rows"]
    assert rows and all(len(row) == len(headers) for row in rows)
    assert data["metrics"], f"{path.name}: no headline metrics for the results page"
    for metric in data["metrics"]:
        assert metric["name"] and metric["label"]
        assert isinstance(metric["value"], (int, float))
        if metric["goal"]:
            assert metric["met"] in (True, False), (
                f"{metric['name']}: say whether the goal is met"
            )


def test_load_results_names_the_command_for_a_missing_file():
    with pytest.raises(FileNotFoundError, match="make bench"):
        load_results("no-such-benchmark")


def test_a_false_claim_fails_with_the_sentence():
    import pytest

    from zero_to_hero.pages import ClaimError, claim

    claim(True, "true")
    with pytest.raises(ClaimError, match="the page says 'one token'"):
        claim(False, "one token")


def test_the_loss_table_reads_a_loss_three_ways():
    import math

    from zero_to_hero.pages import loss_table

    table = loss_table(27, [("a model", math.log(2.0))])
    lines = table.splitlines()
    uniform = f"| a uniform guess, -ln(1/V) | {math.log(27):.4f} | 27.00 | 4.755 |"
    assert lines[2] == uniform
    # e^(ln 2) = 2 tokens of perplexity, ln 2 / ln 2 = 1 bit
    assert lines[3] == "| a model | 0.6931 | 2.00 | 1.000 |"


def test_a_partial_rerun_replaces_its_runs_and_keeps_the_rest(tmp_path, monkeypatch):
    from benchmarks import common

    monkeypatch.setattr(common, "RESULTS_DIR", tmp_path)
    headers = ["model", "val"]
    common.write_results(
        "demo",
        headers,
        [["`a`: first", 2.0], ["`b`: second", 3.0]],
        0.0,
        [common.Metric("a_val", "a", 2.0), common.Metric("b_val", "b", 3.0)],
        runs={"a": {"val": 2.0}, "b": {"val": 3.0}},
    )
    first = json.loads((tmp_path / "demo.json").read_text(encoding="utf-8"))
    common.update_results(
        "demo",
        headers,
        [["`b`: second", 2.5], ["`c`: new", 4.0]],
        0.0,
        [common.Metric("b_val", "b", 2.5)],
        runs={"b": {"val": 2.5}},
    )
    data = json.loads((tmp_path / "demo.json").read_text(encoding="utf-8"))
    assert data["table"]["rows"] == [
        ["`a`: first", 2.0],
        ["`b`: second", 2.5],
        ["`c`: new", 4.0],
    ]
    assert [m["value"] for m in data["metrics"]] == [2.0, 2.5]
    assert data["runs"] == {"a": {"val": 2.0}, "b": {"val": 2.5}}
    assert data["provenance"]["date"] == first["provenance"]["date"]
    assert data["provenance"]["updates"][0]["runs"] == ["b"]
    with pytest.raises(SystemExit, match="other columns"):
        common.update_results("demo", ["model"], [["`b`"]], 0.0, [], runs={})


@given(st.floats(0, 20))
def test_loss_units_reads_one_loss_as_perplexity_and_bits(loss):
    from zero_to_hero.pages import loss_units

    nats, perplexity, bits = loss_units(loss, per="byte").split(" · ")
    assert float(nats.split()[0]) == pytest.approx(loss, abs=5e-5)
    assert float(perplexity.split()[1]) == pytest.approx(math.exp(loss), rel=1e-2)
    assert bits.endswith("bits per byte")
    assert float(bits.split()[0]) == pytest.approx(loss / math.log(2), abs=5e-3)


def test_loss_units_examples_and_bad_input():
    from zero_to_hero.pages import loss_units

    assert loss_units(math.log(27)) == (
        "3.2958 nats · perplexity 27.00 · 4.75 bits per character"
    )
    for bad in (-0.1, math.nan, math.inf):
        with pytest.raises(ValueError, match="finite number >= 0"):
            loss_units(bad)

"""Every documented error: torch 2.13 raises exactly the recorded exception and message,
the fix runs cleanly, the batch checker names the mistake first, and the page documents
each one."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
import torch

from zero_to_hero.torch_basics.errors import (
    CATEGORIES,
    CUDA_DEVICE_MISMATCH,
    ERRORS,
    KnownError,
    MessageChangedError,
    model_moved_batch_not,
    model_moved_batch_not_fixed,
)

PAGE = Path(__file__).resolve().parents[2] / "docs" / "torch-basics" / "errors.md"
ENTRIES = list(ERRORS.values())
BATCH_ENTRIES = [e for e in ENTRIES if e.is_batch]


def ids(entry: KnownError) -> str:
    return entry.key


@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
def test_torch_raises_the_recorded_exception_and_message(entry):
    with pytest.raises(Exception) as info:
        entry.trigger()
    assert type(info.value) is entry.raises
    assert str(info.value) == entry.message
    assert entry.verify() == entry.message


@pytest.mark.parametrize("entry", ENTRIES, ids=ids)
def test_the_fix_runs_without_error_or_warning(entry):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = torch.as_tensor(entry.run_fix())
    # the fix computes something, and every number of it is finite (a fix that only
    # checks devices runs on "meta" tensors, which have shapes but no numbers)
    assert result.numel() > 0
    if result.device.type != "meta":
        assert torch.isfinite(result.float()).all()


@pytest.mark.parametrize("entry", BATCH_ENTRIES, ids=ids)
def test_the_checker_names_the_mistake_before_torch_raises(entry):
    diagnosis = entry.diagnose()
    assert entry.diagnosis in diagnosis.codes
    assert diagnosis.raises and not diagnosis.ok
    fixed = entry.diagnose(fixed=True)
    assert fixed.ok and not fixed.raises, str(fixed)


def test_non_batch_entries_have_no_diagnosis():
    entry = ERRORS["inplace-leaf"]
    with pytest.raises(ValueError, match="not a loss mistake"):
        entry.diagnose()


def test_every_entry_has_a_known_category_and_a_one_line_summary():
    for entry in ENTRIES:
        assert entry.category in CATEGORIES
        assert entry.summary and "\n" not in entry.summary


# The verification itself can fail: a changed message, another exception, no exception.
def test_verify_reports_a_reworded_message():
    entry = ERRORS["linear-shapes"]
    reworded = KnownError(**{**vars(entry), "message": "an older wording"})
    with pytest.raises(MessageChangedError, match="now says"):
        reworded.verify()


def test_verify_reports_another_exception_type():
    entry = ERRORS["linear-shapes"]
    wrong_type = KnownError(**{**vars(entry), "raises": ValueError})
    with pytest.raises(MessageChangedError, match="expected ValueError"):
        wrong_type.verify()


def test_verify_reports_a_mistake_that_no_longer_raises():
    entry = ERRORS["linear-shapes"]
    no_error = KnownError(**{**vars(entry), "reproduce": entry.fix})
    with pytest.raises(MessageChangedError, match="no longer raises"):
        no_error.verify()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here")
def test_the_same_device_mistake_on_a_gpu():
    with pytest.raises(RuntimeError) as info:
        model_moved_batch_not("cuda")
    assert str(info.value).startswith(CUDA_DEVICE_MISMATCH)
    assert model_moved_batch_not_fixed("cuda").device.type == "cuda"


def test_the_common_errors_page_has_one_section_per_entry_in_order():
    text = PAGE.read_text(encoding="utf-8")
    anchors = re.findall(r"^### .+\{#([a-z0-9-]+)\}\s*$", text, re.M)
    assert anchors == list(ERRORS), "errors.md sections must follow ERRORS, one per key"
    sections = re.split(r"^### ", text, flags=re.M)[1:]
    for key, section in zip(anchors, sections):
        entry = ERRORS[key]
        # the section lists the reproduction and the fix, and runs them
        listing = (
            f"zero_to_hero.torch_basics.errors:{entry.reproduce.__name__}\n"
            f"zero_to_hero.torch_basics.errors:{entry.fix.__name__}\n"
        )
        assert listing in section, f"{key}: the section must list its reproduction"
        for fn in (entry.reproduce, entry.fix):
            assert f"{fn.__name__}(" in section, (
                f"{key}: the section must call {fn.__name__}"
            )
        assert f"except {entry.raises.__name__} as err" in section, key

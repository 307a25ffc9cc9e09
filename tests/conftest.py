"""Shared test set-up: hypothesis profiles and the repository root on sys.path."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for `hooks.page_code` and `benchmarks`

# One thread, as everywhere in this project (see the Makefile).
os.environ.setdefault("OMP_NUM_THREADS", "1")

settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

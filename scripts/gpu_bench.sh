#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: print the versions, run the CUDA tests on the GPU (the same
# tests CI runs in the simulator), then the CUDA benchmark (vector add, the matmul ladder, and
# the GPT kernels: softmax, LayerNorm forward and backward, fused attention, each against
# PyTorch), which writes benchmarks/results/cuda.json. About 3 to 4 minutes on an H100. Extra
# arguments go to the benchmark. Without a GPU, the benchmark says so and writes nothing.
#
#   scripts/gpu_bench.sh                 # the python on the PATH, with what it has installed
#   PYTHON=.venv/bin/python scripts/gpu_bench.sh
#
# It needs torch with CUDA, numba and numba-cuda (a CUDA 13 driver: pip install -e ".[cuda]";
# a CUDA 12 driver: pip install -e . "numba-cuda[cu12]==0.30.4"). The package is used from
# src/ directly, so nothing has to be installed in editable mode.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
export PYTHONPATH="$PWD/src:$PWD${PYTHONPATH:+:$PYTHONPATH}"
export OMP_NUM_THREADS=1
# A copy of the repository without .git cannot name its commit: pass it in.
ZERO_TO_HERO_COMMIT=${ZERO_TO_HERO_COMMIT:-$(git rev-parse --short=12 HEAD 2>/dev/null || true)}
export ZERO_TO_HERO_COMMIT

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
"$PY" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "available:", torch.cuda.is_available())'
"$PY" -m zero_to_hero.cli cuda info

tests=0
if "$PY" -c "import pytest, hypothesis" 2>/dev/null; then
  "$PY" -m pytest tests/cuda -q -p no:cacheprovider || tests=$?
else
  echo "pytest or hypothesis is missing: the tests are skipped (pip install pytest hypothesis)"
fi
"$PY" -m benchmarks cuda "$@" || exit $?
if [[ $tests != 0 ]]; then
  echo "the CUDA tests failed on this GPU (see above), although the benchmark's own checks passed"
  exit "$tests"
fi

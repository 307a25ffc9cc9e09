#!/usr/bin/env bash
# Train GPT-2 (124M) with GPT-3 small's recipe on the GPUs present (the `124m` recipe
# of zero_to_hero.gpt2.recipes): 524,288 tokens per step in rows of 1,024 (B=64,
# T=1024), made up by gradient accumulation over B·T·GPUs tokens per micro-step (8
# micro-steps on one GPU, 1 on eight), a warm-up of 715 steps to 6e-4, a cosine decay
# to 6e-5 at step 19,073, bfloat16 autocast, one process per GPU through torchrun.
#
#   scripts/gpt2_124m.sh [DATA_DIR] [more zero-to-hero gpt2 train flags]
#
# DATA_DIR (or $DATA): a folder of FineWeb-edu shards (edufineweb_train_*.npy and
# edufineweb_val_*.npy, uint16 GPT-2 ids); without one, Tiny Shakespeare's GPT-2
# tokens (encoded into $OUT/data). A run already in $OUT is resumed.
#
# Environment:
#   MAX_STEPS=N   stop after N steps (the schedule still spans 19,073)
#   NPROC=N       processes (default: the number of GPUs, 1 without any)
#   OUT=DIR       run directory (default out-gpt2-124m)
#   COMPILE=1     torch.compile the model
#   DRY_RUN=1     print the plan and the command, run nothing
#   PYTHON=...    the interpreter (default: python)
set -euo pipefail

PYTHON=${PYTHON:-python}
OUT=${OUT:-out-gpt2-124m}
DATA=${DATA:-}
if [[ $# -gt 0 && $1 != -* ]]; then
    DATA=$1
    shift
fi
B=64
T=1024
TOKENS_PER_STEP=524288

with_commas() { echo "$1" | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta'; }
fail() { echo "gpt2_124m.sh: error: $*" >&2; exit 1; }

if [[ -z ${NPROC:-} ]]; then
    NPROC=$("$PYTHON" -c 'import torch; print(torch.cuda.device_count())')
    GPUS=$NPROC
    [[ $NPROC -ge 1 ]] || NPROC=1
else
    GPUS=$("$PYTHON" -c 'import torch; print(torch.cuda.device_count())')
fi
[[ $NPROC =~ ^[1-9][0-9]*$ ]] || fail "NPROC must be a whole number >= 1, got '$NPROC'"
MICRO=$((B * T * NPROC))
if ((TOKENS_PER_STEP % MICRO)); then
    fail "$NPROC processes × B·T = $(with_commas $MICRO) tokens do not divide" \
        "$(with_commas $TOKENS_PER_STEP) tokens per step"
fi
ACCUM=$((TOKENS_PER_STEP / MICRO))

args=(--recipe 124m --out "$OUT" --batch-size "$B" --block-size "$T"
      --tokens-per-step "$TOKENS_PER_STEP")
if [[ -n $DATA ]]; then
    [[ -d $DATA ]] || fail "$DATA is not a directory of token shards"
    if compgen -G "$DATA/edufineweb_train_*.npy" > /dev/null; then
        data_name="FineWeb-edu shards in $DATA"
    else
        data_name="token shards in $DATA (no edufineweb_train_*.npy there)"
    fi
    args+=(--data "$DATA")
else
    data_name="Tiny Shakespeare's GPT-2 tokens (encoded into $OUT/data)"
fi
if [[ $GPUS -ge 1 ]]; then
    args+=(--device cuda --bf16)
    where="$NPROC process(es) on $GPUS GPU(s)"
else
    args+=(--device cpu)
    where="$NPROC CPU process(es): no GPU found (a GPU's job; bound it with MAX_STEPS)"
fi
[[ -n ${MAX_STEPS:-} ]] && args+=(--steps "$MAX_STEPS")
[[ ${COMPILE:-0} == 1 ]] && args+=(--compile)
[[ -f $OUT/last.pt ]] && args+=(--resume)
args+=("$@")

cmd=("$PYTHON" -m torch.distributed.run --standalone --nproc_per_node="$NPROC"
     -m zero_to_hero.cli gpt2 train "${args[@]}")

echo "GPT-2 (124M), GPT-3 small's schedule: 6e-4 after 715 warm-up steps, cosine to" \
    "6e-5 at step 19,073${MAX_STEPS:+, stopping after $MAX_STEPS steps}"
echo "data: $data_name"
echo "processes: $where"
echo "tokens per step: $(with_commas $TOKENS_PER_STEP)" \
    "= B $B × T $T × $NPROC process(es) × $ACCUM accumulation steps"
echo "accumulation steps: $ACCUM"
echo "command: ${cmd[*]}"
if [[ ${DRY_RUN:-0} == 1 ]]; then
    exit 0
fi
exec "${cmd[@]}"

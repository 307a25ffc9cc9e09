"""Training GPT-2 the way it is trained in production: AdamW with weight decay on the
matrices only, a warm-up then a cosine decay of the learning rate, gradients clipped at
norm 1.0, and gradient accumulation.

GPT-3's recipe (Brown et al., 2020, https://arxiv.org/abs/2005.14165), which
reproductions of GPT-2 follow, takes each optimizer step on about half a million tokens:
far more than one forward pass holds in memory. Gradient accumulation splits the batch
into micro-batches, runs forward and backward on each, and adds up their gradients
before the step. As the loss is a mean over the batch, each micro-batch's loss is
divided by their number: the sum of the gradients is then the gradient of the whole
batch's mean loss, and the step is the one the whole batch would have taken.

`train` is the loop around these pieces. It reads token shards (`gpt2.data`)
and, launched by `torchrun`, runs data-parallel: each process reads its own slice of
every step's tokens, and DDP averages the gradients once per step, on the last
micro-batch (`no_sync` on the others), so N processes take the step one process takes
on all the tokens. It evaluates, writes checkpoints and resumes from them: a run
stopped at step k and resumed takes the steps the uninterrupted run takes.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

from zero_to_hero.checkpoint import FORMAT_VERSION, CheckpointError, read_payload
from zero_to_hero.files import atomic_write
from zero_to_hero.gpt.training import ProcessRank, join_process_group, resolve_device
from zero_to_hero.gpt2.data import ShardLoader
from zero_to_hero.gpt2.model import GPT2, GPT2Config
from zero_to_hero.modes import eval_mode
from zero_to_hero.schedules import warmup_cosine

__all__ = [
    "TrainConfig",
    "lr_at",
    "make_optimizer",
    "prepare_model",
    "loss_of",
    "accumulate_gradients",
    "train_step",
    "accumulation_steps",
    "History",
    "CHECKPOINT_KIND",
    "evaluate",
    "train",
    "save_checkpoint",
    "load_checkpoint",
    "load_model",
    "resume_run",
    "RESUMABLE",
]

#: The `kind` of the training checkpoints this module writes and reads.
CHECKPOINT_KIND = "gpt2"


@dataclass(frozen=True)
class TrainConfig:
    """How to train (the model's shape lives in `GPT2Config`). The defaults are GPT-3
    small's, which GPT-2 reproductions use.

    Attributes:
        max_lr: Learning rate at the end of the warm-up.
        min_lr: Learning rate at the end of the cosine decay (and after it).
        warmup_steps: Steps of linear warm-up from `max_lr / warmup_steps`.
        max_steps: Steps until the decay reaches `min_lr`.
        weight_decay: AdamW's decay, on matrices and embeddings only.
        betas: AdamW's moment coefficients.
        grad_clip: Largest global gradient norm (None: no clipping).
        bf16: Run the forward pass under bfloat16 autocast (the matrix products in
            bfloat16, the weights, gradients and optimizer in float32).
        fused: AdamW updates every parameter in one kernel (None: PyTorch's choice).
        compile: Compile the model with `torch.compile` before training.
        batch_size: `B`, rows of `block_size` tokens per micro-batch of one process.
        tokens_per_step: Tokens of one optimizer step over all processes together;
            a multiple of `B·T·world_size`, the rest made up by accumulation.
        steps: Stop after this many steps (None: `max_steps`); the schedule still
            runs over `max_steps`, so a short run is the start of the long one.
        eval_interval: Measure the validation loss every this many steps (and at
            the end); a checkpoint is written then too.
        eval_steps: Micro-batches of validation tokens per measurement and process
            (like `batch_size`, per process: W processes read W times the tokens).
        seed: Seeds the initial weights (the same in every process) and dropout.
        device: "cpu", "cuda", "cuda:1" or "auto" (a GPU if there is one).
    """

    max_lr: float = 6e-4
    min_lr: float = 6e-5
    warmup_steps: int = 715
    max_steps: int = 19073
    weight_decay: float = 0.1
    betas: tuple[float, float] = (0.9, 0.95)
    grad_clip: float | None = 1.0
    bf16: bool = False
    fused: bool | None = None
    compile: bool = False
    batch_size: int = 64
    tokens_per_step: int = 524_288
    steps: int | None = None
    eval_interval: int = 250
    eval_steps: int = 20
    seed: int = 1337
    device: str = "cpu"

    def __post_init__(self) -> None:
        for name in ("batch_size", "tokens_per_step", "eval_interval", "eval_steps"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
        if self.steps is not None and self.steps < 0:
            raise ValueError(f"steps must be None or >= 0, got {self.steps!r}")
        if not 0 <= self.min_lr <= self.max_lr:
            raise ValueError(
                f"need 0 <= min_lr <= max_lr, got {self.min_lr!r} and {self.max_lr!r}"
            )
        if not 0 <= self.warmup_steps < self.max_steps:
            raise ValueError(
                f"need 0 <= warmup_steps < max_steps, got {self.warmup_steps!r} and "
                f"{self.max_steps!r}"
            )
        if self.grad_clip is not None and not self.grad_clip > 0:
            raise ValueError(f"grad_clip must be None or > 0, got {self.grad_clip!r}")

    @property
    def last_step(self) -> int:
        """How many optimizer steps the run takes: `steps`, or `max_steps`."""
        return self.max_steps if self.steps is None else self.steps

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "TrainConfig":
        """Rebuild from `dataclasses.asdict` (a checkpoint's copy); an unknown key is a
        clear error."""
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(
                f"unknown TrainConfig fields {sorted(unknown)}; known: {sorted(known)}"
            )
        values = dict(values)
        if "betas" in values:
            values["betas"] = tuple(values["betas"])
        return cls(**values)


def accumulation_steps(tc: TrainConfig, seq_len: int, world_size: int = 1) -> int:
    """Micro-batches per optimizer step and process: `tokens_per_step / (B·T·world)`.

    Raises:
        ValueError: that is not a whole number: the step would not hold
            `tokens_per_step` tokens.
    """
    micro = tc.batch_size * seq_len * world_size
    if tc.tokens_per_step % micro:
        raise ValueError(
            f"tokens_per_step {tc.tokens_per_step:,} is not a multiple of B·T·processes"
            f" = {tc.batch_size}·{seq_len}·{world_size} = {micro:,}: choose a batch "
            "size, context or number of processes that divides it"
        )
    return tc.tokens_per_step // micro


def lr_at(step: int, tc: TrainConfig) -> float:
    """The learning rate of optimizer step `step` (0-based): a linear warm-up to
    `max_lr`, then half a cosine down to `min_lr`, then `min_lr` (the course's one
    schedule, `zero_to_hero.schedules.warmup_cosine`)."""
    return warmup_cosine(step, tc.max_lr, tc.warmup_steps, tc.max_steps, tc.min_lr)


def make_optimizer(
    model: nn.Module, tc: TrainConfig, fused: bool | None = None
) -> torch.optim.AdamW:
    """AdamW with weight decay on the matrices and embeddings (every parameter of two
    or more dimensions), none on biases and LayerNorm gains, which decay would only
    pull toward switching their channel off. `fused`: one kernel updates all the
    parameters (None: the config's `fused`)."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {
            "params": [p for p in params if p.dim() >= 2],
            "weight_decay": tc.weight_decay,
        },
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    if fused is None:
        fused = tc.fused
    return torch.optim.AdamW(groups, lr=tc.max_lr, betas=tc.betas, fused=fused)


def prepare_model(model: nn.Module, tc: TrainConfig) -> nn.Module:
    """The module to train: `model` itself, or with `tc.compile` the same parameters
    behind `torch.compile`, which fuses the element-wise operations between the
    matrix products into generated kernels (it needs a C++ compiler on a CPU)."""
    return torch.compile(model) if tc.compile else model


def loss_of(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, bf16: bool = False
) -> torch.Tensor:
    """The mean cross-entropy of the model's predictions for `x` `(B, T)` against the
    next tokens `y` `(B, T)`; with `bf16`, the forward pass runs under bfloat16
    autocast and the loss is computed in float32."""
    with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=bf16):
        logits = model(x)
    return F.cross_entropy(logits.float().flatten(0, 1), y.flatten())


def accumulate_gradients(
    model: nn.Module,
    micro_batches: Sequence[tuple[torch.Tensor, torch.Tensor]],
    bf16: bool = False,
) -> float:
    """Add to the parameters' `.grad` the gradient of the mean loss over all the
    micro-batches (of equal size), one forward and backward at a time; return that
    mean loss.

    Under `DistributedDataParallel`, every backward would average the gradients
    between the processes; the sum only needs averaging once, so all the micro-batches
    but the last run inside `model.no_sync()`."""
    sizes = {tuple(x.shape) for x, _ in micro_batches}
    if len(sizes) != 1:
        raise ValueError(
            f"micro-batches must all have the same shape, got {sorted(sizes)}: the "
            "mean of their means is the batch's mean only then"
        )
    no_sync = getattr(model, "no_sync", None)  # only a DDP-wrapped model has it
    total = 0.0
    for i, (x, y) in enumerate(micro_batches):
        last = i == len(micro_batches) - 1
        skip = no_sync is not None and not last
        with no_sync() if skip else contextlib.nullcontext():
            # each contributes 1/n of the whole batch's mean
            loss = loss_of(model, x, y, bf16) / len(micro_batches)
            loss.backward()
        total += loss.item()
    return total


def train_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    micro_batches: Sequence[tuple[torch.Tensor, torch.Tensor]],
    step: int,
    tc: TrainConfig,
) -> tuple[float, float]:
    """One optimizer step on the micro-batches: accumulate, clip, set the learning
    rate, step. Returns the mean loss and the gradient norm before clipping."""
    optimizer.zero_grad(set_to_none=True)
    loss = accumulate_gradients(model, micro_batches, tc.bf16)
    if tc.grad_clip is not None:
        norm = nn.utils.clip_grad_norm_(model.parameters(), tc.grad_clip).item()
    else:
        grads = [p.grad for p in model.parameters() if p.grad is not None]
        norm = torch.linalg.vector_norm(torch.stack([g.norm() for g in grads])).item()
    for group in optimizer.param_groups:
        group["lr"] = lr_at(step, tc)
    optimizer.step()
    return loss, norm


@dataclass
class History:
    """What a run measured, step by step (the losses of steps taken before a resume
    included).

    Attributes:
        step: The optimizer step each training entry is for (1-based: after it).
        loss: Mean training loss of that step's tokens.
        lr: Its learning rate.
        grad_norm: The gradient's norm before clipping.
        tokens_per_s: Its tokens (all processes) over its wall time.
        val_step: Steps taken when the validation loss was measured.
        val_loss: The validation loss then.
    """

    step: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    tokens_per_s: list[float] = field(default_factory=list)
    val_step: list[int] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, list]:
        """Plain lists, for a checkpoint or a results file."""
        return asdict(self)


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loader: ShardLoader,
    steps: int,
    rank: ProcessRank | None = None,
    bf16: bool = False,
) -> float:
    """Mean loss over the first `steps` micro-batches of `loader`'s split, the same
    tokens every time (the loader restarts); each process reads its own slice and an
    all-reduce averages them."""
    rank = rank or ProcessRank()
    device = next(model.parameters()).device
    loader.reset()
    total = torch.zeros((), dtype=torch.float64, device=device)
    with eval_mode(model):
        for _ in range(steps):
            x, y = loader.next_batch()
            total += loss_of(model, x.to(device), y.to(device), bf16).double()
    if rank.world_size > 1:
        dist.all_reduce(total)
    return total.item() / (steps * rank.world_size)


def save_checkpoint(
    path: str | os.PathLike,
    model: GPT2,
    optimizer: torch.optim.Optimizer,
    tc: TrainConfig,
    step: int,
    loader_state: dict[str, int],
    history: History,
) -> Path:
    """Write everything a run needs to go on, atomically: the model's config and
    weights, the optimizer's moments, the step, where the train loader stands, the
    random state and the history. Plain values and tensors only, so it loads with
    `weights_only=True`."""
    payload = {
        "format_version": FORMAT_VERSION,
        "kind": CHECKPOINT_KIND,
        "config": asdict(model.config),
        "train_config": asdict(tc),
        "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "optimizer": optimizer.state_dict(),
        "step": step,
        "loader": dict(loader_state),
        "rng": torch.get_rng_state(),
        "history": history.to_dict(),
    }
    path = Path(path)
    with atomic_write(path) as f:
        torch.save(payload, f)
    return path


def load_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """The dictionary a checkpoint of `train` holds, read with `weights_only=True`.

    Raises:
        FileNotFoundError: no such file.
        CheckpointError: not a GPT-2 training checkpoint of this project.
    """
    payload = read_payload(path)
    if payload.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(
            f"{path} is not a zero_to_hero checkpoint (format version {FORMAT_VERSION})"
        )
    if payload.get("kind") != CHECKPOINT_KIND:
        raise CheckpointError(
            f"{path} holds a {payload.get('kind')!r} model, but a "
            f"{CHECKPOINT_KIND!r} training checkpoint was asked for"
        )
    keys = ("config", "train_config", "state_dict", "optimizer", "step", "loader")
    missing = [k for k in keys if k not in payload]
    if missing:
        raise CheckpointError(
            f"{path} lacks {', '.join(missing)}: a damaged checkpoint"
        )
    return payload


def load_model(path: str | os.PathLike, device: str = "cpu") -> tuple[GPT2, int]:
    """The model of a checkpoint written by `train`, in evaluation mode, and the
    number of steps it was trained for.

    Raises:
        CheckpointError: not such a checkpoint, or weights that do not fit the config
            it stores.
    """
    payload = load_checkpoint(path)
    model = _model_of(path, payload)
    return model.to(device).eval(), int(payload["step"])


def _model_of(path: str | os.PathLike, payload: dict[str, Any]) -> GPT2:
    try:
        model = GPT2(GPT2Config(**payload["config"]))
    except (ValueError, TypeError) as err:
        raise CheckpointError(
            f"{path}: its config does not describe a GPT-2: {err}"
        ) from None
    _load_weights(path, model, payload["state_dict"])
    return model


def _load_weights(
    path: str | os.PathLike, model: GPT2, state_dict: dict[str, torch.Tensor]
) -> None:
    try:
        model.load_state_dict(state_dict)
    except RuntimeError as err:
        raise CheckpointError(
            f"{path}: the weights do not fit the model its config describes: {err}"
        ) from None


#: Settings a resumed run may change: they do not change the steps it takes.
RESUMABLE = ("steps", "device", "compile", "eval_interval")


def resume_run(
    path: str | os.PathLike,
    config: GPT2Config,
    tc: TrainConfig,
    model: GPT2,
    optimizer: torch.optim.Optimizer,
    loader: ShardLoader,
) -> tuple[int, History]:
    """Put a fresh run's model, optimizer, loader position and random state where the
    checkpoint at `path` left them; return its step and history.

    Raises:
        CheckpointError: the checkpoint is of another model config, or of a recipe
            that differs in more than `RESUMABLE`.
    """
    payload = load_checkpoint(path)
    if payload["config"] != asdict(config):
        raise CheckpointError(
            f"{path} was trained with another model config ({payload['config']}) "
            f"than this run's ({asdict(config)})"
        )
    saved = asdict(TrainConfig.from_dict(payload["train_config"]))
    saved = {k: v for k, v in saved.items() if k not in RESUMABLE}
    ours = {k: v for k, v in asdict(tc).items() if k not in RESUMABLE}
    if saved != ours:
        changed = sorted(k for k in ours if saved.get(k) != ours[k])
        raise CheckpointError(
            f"{path} was trained with other settings ({', '.join(changed)}): only "
            f"{', '.join(RESUMABLE)} may change when a run is resumed"
        )
    _load_weights(path, model, payload["state_dict"])  # the config is the same
    optimizer.load_state_dict(payload["optimizer"])
    loader.load_state(payload["loader"])
    if "rng" in payload:
        torch.set_rng_state(payload["rng"])
    history = History(**payload.get("history", {}))
    # A run that stopped between evaluations measured once more as it stopped; the run
    # it goes on as would not have: keep the evaluations of its interval only.
    interval = payload["train_config"]["eval_interval"]
    kept = [i for i, s in enumerate(history.val_step) if s % interval == 0]
    history.val_step = [history.val_step[i] for i in kept]
    history.val_loss = [history.val_loss[i] for i in kept]
    return int(payload["step"]), history


def train(
    config: GPT2Config,
    tc: TrainConfig,
    data: str | os.PathLike,
    out_dir: str | os.PathLike | None = None,
    *,
    resume: bool = False,
    progress: bool = True,
) -> tuple[GPT2, History]:
    """Train a GPT-2 on the token shards in `data` (`*_train_*.npy` and `*_val_*.npy`).

    Under torchrun every process runs this: it joins the process group (gloo on CPU,
    nccl on GPU), reads its slice of each step's tokens and leaves the group at the
    end if it joined it.

    Args:
        config: The model's shape; its `block_size` is the length of every row.
        tc: The recipe: optimizer, schedule, batch, tokens per step, evaluation.
        data: A directory of token shards.
        out_dir: Where rank 0 writes `last.pt` at every evaluation and at the end.
        resume: Go on from `out_dir/last.pt` (its model, optimizer, step, loader
            position and history) instead of starting afresh.
        progress: A tqdm progress bar on rank 0.

    Returns:
        The trained model (unwrapped) and its history.

    Raises:
        ValueError: `tokens_per_step` is not a multiple of `B·T·processes`.
        ShardError: the shards are missing or too short for one micro-batch.
        CheckpointError: resuming from a checkpoint of another model or recipe.
    """
    from tqdm.auto import tqdm

    if resume and out_dir is None:
        raise ValueError("resume needs out_dir, the folder holding last.pt")
    device = resolve_device(tc.device, int(os.environ.get("LOCAL_RANK", "0")))
    rank = join_process_group(device)
    try:
        T = config.block_size
        accum = accumulation_steps(tc, T, rank.world_size)
        loaders = {
            split: ShardLoader(
                data,
                tc.batch_size,
                T,
                split=split,
                rank=rank.rank,
                world_size=rank.world_size,
            )
            for split in ("train", "val")
        }
        torch.manual_seed(tc.seed)  # the same initial weights in every process
        model = GPT2(config).to(device)
        optimizer = make_optimizer(model, tc)
        step, history = 0, History()
        if resume:
            step, history = resume_run(
                Path(out_dir) / "last.pt",
                config,
                tc,
                model,
                optimizer,
                loaders["train"],
            )
        net = prepare_model(model, tc)
        if rank.world_size > 1:
            # DDP averages the gradients in backward(): every process takes the step
            # one process would take on all the tokens.
            net = nn.parallel.DistributedDataParallel(net)
        bar = tqdm(
            total=tc.last_step,
            initial=step,
            desc="training",
            unit="step",
            disable=not (progress and rank.is_main),
        )

        def measure() -> None:
            val = evaluate(model, loaders["val"], tc.eval_steps, rank, tc.bf16)
            history.val_step.append(step)
            history.val_loss.append(val)
            if out_dir is not None and rank.is_main:
                save_checkpoint(
                    Path(out_dir) / "last.pt",
                    model,
                    optimizer,
                    tc,
                    step,
                    loaders["train"].state(),
                    history,
                )

        while step < tc.last_step:
            t0 = time.perf_counter()
            micro = [loaders["train"].next_batch() for _ in range(accum)]
            micro = [(x.to(device), y.to(device)) for x, y in micro]
            loss, norm = train_step(net, optimizer, micro, step, tc)
            if rank.world_size > 1:  # the mean over all the processes' tokens
                mean = torch.tensor(loss, dtype=torch.float64, device=device)
                dist.all_reduce(mean)
                loss = mean.item() / rank.world_size
            if device.type == "cuda":
                torch.cuda.synchronize()  # time the GPU's work, not just its launch
            seconds = time.perf_counter() - t0
            history.step.append(step + 1)
            history.loss.append(loss)
            history.lr.append(lr_at(step, tc))
            history.grad_norm.append(norm)
            history.tokens_per_s.append(tc.tokens_per_step / seconds)
            step += 1
            bar.update()
            bar.set_postfix(loss=f"{loss:.3f}", norm=f"{norm:.2f}")
            if step % tc.eval_interval == 0 or step == tc.last_step:
                measure()
        bar.close()
        if rank.world_size > 1:
            dist.barrier()  # nobody leaves while rank 0 still writes
    finally:
        if rank.joined_here:
            dist.destroy_process_group()
    return model, history

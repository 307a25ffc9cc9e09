"""Training a GPT: AdamW, a learning-rate schedule, gradient clipping, evaluation,
checkpoints.

The same function trains on one CPU thread, on a GPU, or in several processes launched
by `torchrun --nproc_per_node=N`: it reads torchrun's environment variables, joins the
process group (`gloo` on CPU, `nccl` on GPU) and wraps the model in
`DistributedDataParallel`. Each process draws the same *global* batch from the same
seeded generator and trains on its own slice of it; DDP averages the gradients, so N
processes take exactly the steps one process would take on the whole batch.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from zero_to_hero.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from zero_to_hero.gpt.bert import mask_tokens
from zero_to_hero.gpt.data import CharDataset, batch_offsets, windows
from zero_to_hero.gpt.model import GPT, GPTConfig
from zero_to_hero.modes import eval_mode
from zero_to_hero.options import OptionError
from zero_to_hero.schedules import linear_warmup, warmup_cosine
from zero_to_hero.vocab import CharVocab

__all__ = [
    "TrainConfig",
    "EvalRecord",
    "TrainResult",
    "Trainer",
    "ProcessRank",
    "CHECKPOINT_KIND",
    "lr_at",
    "make_optimizer",
    "split_loss",
    "resolve_device",
    "join_process_group",
    "check_vocab",
    "train",
    "save_trainer",
    "load_model",
]

#: The `kind` of the checkpoints this module writes and reads.
CHECKPOINT_KIND = "gpt"
SCHEDULES = ("cosine", "step", "constant")
OBJECTIVES = ("next", "masked")


@dataclass(frozen=True)
class TrainConfig:
    """How to train (the model's shape lives in `GPTConfig`).

    Attributes:
        batch_size: Sequences per step, over all processes together (the global batch).
        max_iters: Optimizer steps.
        learning_rate: Peak learning rate, reached after the warm-up.
        min_lr: Floor of the schedule.
        warmup_iters: Steps of linear warm-up from near 0 to `learning_rate`.
        schedule: "cosine" (decay to `min_lr` at `lr_decay_iters`), "step" (multiply by
            `gamma` every `step_size` steps) or "constant".
        lr_decay_iters: Where the cosine reaches `min_lr`; None means `max_iters`.
        step_size: Steps between decays of the "step" schedule.
        gamma: Factor of each decay of the "step" schedule.
        weight_decay: AdamW's decoupled weight decay, applied to matrices and embeddings
            only.
        decay_vectors: Decay every parameter instead, the biases and LayerNorm
            gains and shifts included (for the ablation that measures the choice).
        beta1: AdamW's momentum coefficient.
        beta2: AdamW's second-moment coefficient.
        grad_clip: Largest allowed global gradient norm (0 disables clipping).
        fused_adamw: Use AdamW's fused kernel, one pass over all parameters per step
            instead of a dozen tensor operations each (several times faster on small
            models).
        eval_interval: Evaluate every this many steps (and at the start and the end).
        eval_iters: Batches per evaluation of each split.
        objective: "next" (next character, GPT) or "masked" (hidden characters, BERT).
        mask_rate: Fraction of positions hidden by the "masked" objective.
        seed: Seeds the initialisation, the batches and the masks.
        device: "cpu", "cuda", "cuda:1", or "auto" (a GPU if there is one).
    """

    batch_size: int = 12
    max_iters: int = 2000
    learning_rate: float = 1e-3
    min_lr: float = 1e-4
    warmup_iters: int = 100
    schedule: str = "cosine"
    lr_decay_iters: int | None = None
    step_size: int = 1000
    gamma: float = 0.1
    weight_decay: float = 0.1
    decay_vectors: bool = False
    beta1: float = 0.9
    beta2: float = 0.99
    grad_clip: float = 1.0
    fused_adamw: bool = False
    eval_interval: int = 250
    eval_iters: int = 20
    objective: str = "next"
    mask_rate: float = 0.15
    seed: int = 1337
    device: str = "cpu"

    def __post_init__(self) -> None:
        for name in ("batch_size", "eval_interval", "eval_iters", "step_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        for name in ("max_iters", "warmup_iters"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(
                f"schedule must be one of {SCHEDULES}, got {self.schedule!r}"
            )
        if self.objective not in OBJECTIVES:
            raise ValueError(
                f"objective must be one of {OBJECTIVES}, got {self.objective!r}"
            )
        if not 0 <= self.min_lr <= self.learning_rate:
            raise ValueError(
                f"need 0 <= min_lr <= learning_rate, got {self.min_lr} and "
                f"{self.learning_rate}"
            )
        if self.grad_clip < 0 or self.weight_decay < 0:
            raise ValueError("grad_clip and weight_decay must be >= 0")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        """Rebuild from `dataclasses.asdict`; an unknown key is a clear error."""
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(
                f"unknown TrainConfig fields {sorted(unknown)}; known: {sorted(known)}"
            )
        return cls(**values)


def lr_at(step: int, tc: TrainConfig) -> float:
    """The learning rate of optimizer step `step` (0-based): linear warm-up, then
    decay (`zero_to_hero.schedules`)."""
    if step < tc.warmup_iters:
        return linear_warmup(step, tc.learning_rate, tc.warmup_iters)
    if tc.schedule == "constant":
        return tc.learning_rate
    if tc.schedule == "step":
        decays = (step - tc.warmup_iters) // tc.step_size
        return max(tc.min_lr, tc.learning_rate * tc.gamma**decays)
    decay_iters = tc.lr_decay_iters if tc.lr_decay_iters is not None else tc.max_iters
    return warmup_cosine(
        step, tc.learning_rate, tc.warmup_iters, decay_iters, tc.min_lr
    )


def make_optimizer(model: nn.Module, tc: TrainConfig) -> torch.optim.AdamW:
    """AdamW with weight decay on the matrices and embeddings, none on biases and
    LayerNorms.

    Decay pulls weights toward 0; a LayerNorm gain pulled toward 0 would just switch its
    channel off, so vectors are left alone (unless `tc.decay_vectors`).
    """
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {
            "params": [p for p in params if p.dim() >= 2 or tc.decay_vectors],
            "weight_decay": tc.weight_decay,
        },
        {
            "params": [p for p in params if p.dim() < 2 and not tc.decay_vectors],
            "weight_decay": 0.0,
        },
    ]
    return torch.optim.AdamW(
        groups,
        lr=tc.learning_rate,
        betas=(tc.beta1, tc.beta2),
        fused=tc.fused_adamw or None,
    )


@dataclass(frozen=True)
class EvalRecord:
    """Mean losses on a fixed set of batches of each split after `step` optimizer
    steps."""

    step: int
    train_loss: float
    val_loss: float
    lr: float


@dataclass
class TrainResult:
    """What `train` returns: the trained model (on rank 0 under torchrun) and its
    history."""

    model: GPT
    history: list[EvalRecord] = field(default_factory=list)
    best_val: float = math.inf
    best_step: int = -1
    step_seconds: list[float] = field(default_factory=list)
    tokens_per_step: int = 0

    @property
    def tokens_per_second(self) -> float:
        """Training throughput: tokens of one step over the median step time (all
        processes)."""
        if not self.step_seconds:
            return float("nan")
        times = sorted(self.step_seconds)
        return self.tokens_per_step / times[len(times) // 2]


@dataclass(frozen=True)
class ProcessRank:
    """Where this process stands under torchrun (rank 0 of 1 when not launched by
    it)."""

    rank: int = 0
    world_size: int = 1
    joined_here: bool = False  # this call created the process group, so it ends it

    @property
    def is_main(self) -> bool:
        """Rank 0: the process that prints and writes checkpoints."""
        return self.rank == 0


def resolve_device(name: str, local_rank: int) -> torch.device:
    """The device `name` ("cpu", "cuda", "cuda:1", "auto") means for this process: under
    torchrun, a bare "cuda" is the GPU of its local rank."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    try:
        device = torch.device(name)
    except RuntimeError:
        raise OptionError(
            f"unknown device {name!r}: expected cpu, cuda, cuda:N or auto"
        ) from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise OptionError(
                f"device {name!r} was asked for, but this torch sees no GPU "
                f"(torch {torch.__version__}; `zero-to-hero info` says more): use "
                "--device cpu"
            )
        if device.index is None:  # one GPU per process under torchrun
            device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    return device


def join_process_group(device: torch.device) -> ProcessRank:
    """Read torchrun's environment; join the process group if there are several
    processes."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size == 1:
        return ProcessRank()
    joined_here = not dist.is_initialized()
    if joined_here:
        # NCCL moves CUDA tensors between GPUs; gloo is the CPU backend.
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return ProcessRank(dist.get_rank(), dist.get_world_size(), joined_here)


def check_vocab(config: GPTConfig, vocab: CharVocab, objective: str) -> None:
    """Refuse a model whose vocabulary or mask does not fit the data and the objective.

    The masked objective needs one more id than the text has characters (MASK) and a
    model without the causal mask; the next-character objective the opposite.
    """
    expected = vocab.size + (objective == "masked")
    if config.vocab_size != expected:
        raise ValueError(
            f"the model has vocab_size {config.vocab_size}, but the data has "
            f"{vocab.size} characters, so the {objective!r} objective needs vocab_size "
            f"{expected}"
        )
    if (objective == "masked") == config.causal:
        kind = "causal=False (BERT)" if objective == "masked" else "causal=True (GPT)"
        raise ValueError(f"the {objective!r} objective needs a model with {kind}")


class Trainer:
    """A model, its optimizer and its stream of batches; `step()` takes one optimizer
    step.

    `train` drives one of these; the benchmark drives two side by side.

    Args:
        config: The architecture; `vocab_size` must fit the data and the objective.
        tc: The training recipe.
        data: Train and validation ids with their vocabulary.
        device: Where the model lives.
        rank: This process's place under torchrun (`train` passes it); None: the only
            process.
    """

    def __init__(
        self,
        config: GPTConfig,
        tc: TrainConfig,
        data: CharDataset,
        device: torch.device | str = "cpu",
        rank: ProcessRank | None = None,
    ):
        check_vocab(config, data.vocab, tc.objective)
        self.rank = rank = rank or ProcessRank()
        if tc.batch_size % rank.world_size:
            raise ValueError(
                f"batch_size {tc.batch_size} must be divisible by the number of "
                f"processes ({rank.world_size}): each trains on an equal slice of the "
                "global batch"
            )
        per_rank = tc.batch_size // rank.world_size
        self.part = slice(rank.rank * per_rank, (rank.rank + 1) * per_rank)
        self.config, self.tc, self.data, self.device = (
            config,
            tc,
            data,
            torch.device(device),
        )
        torch.manual_seed(tc.seed)  # the same initial weights in every process
        self.model = GPT(config).to(self.device)
        # DDP all-reduces (averages) the gradients during backward(): every process then
        # takes the same optimizer step, the one a single process takes on the whole
        # batch.
        self.ddp = (
            nn.parallel.DistributedDataParallel(self.model)
            if rank.world_size > 1
            else None
        )
        self.optimizer = make_optimizer(self.model, tc)
        self.batches = torch.Generator().manual_seed(tc.seed)
        self.steps_done = 0

    def batch(self, ids: torch.Tensor, generator: torch.Generator, part=slice(None)):
        """The next global batch from `generator` (masked for a BERT), rows `part` of
        it."""
        tc, block_size = self.tc, self.config.block_size
        x, y = windows(
            ids,
            batch_offsets(len(ids), tc.batch_size, block_size, generator),
            block_size,
        )
        if tc.objective == "masked":
            x, y = mask_tokens(x, self.data.vocab.size, tc.mask_rate, generator)
        return x[part].to(self.device), y[part].to(self.device)

    def step(self) -> torch.Tensor:
        """One optimizer step on this process's slice of the next global batch; its
        loss."""
        lr = lr_at(self.steps_done, self.tc)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        x, y = self.batch(self.data.train, self.batches, self.part)
        _, loss = (self.ddp or self.model)(x, y)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.tc.grad_clip > 0:
            nn.utils.clip_grad_norm_(self.model.parameters(), self.tc.grad_clip)
        self.optimizer.step()
        self.steps_done += 1
        return loss.detach()

    @torch.no_grad()
    def evaluate(self) -> EvalRecord:
        """Mean loss over the same `eval_iters` batches of each split every time
        (seeded), shared out between the processes and summed with an all-reduce."""
        tc, rank = self.tc, self.rank
        totals = torch.zeros(2, dtype=torch.float64, device=self.device)
        with eval_mode(self.model):
            for s, ids in enumerate((self.data.train, self.data.val)):
                generator = torch.Generator().manual_seed(tc.seed + 1 + s)
                for i in range(tc.eval_iters):
                    x, y = self.batch(ids, generator)
                    if i % rank.world_size == rank.rank:
                        totals[s] += self.model(x, y)[1].item()
        if rank.world_size > 1:
            dist.all_reduce(totals)
        train_loss, val_loss = (totals / tc.eval_iters).tolist()
        lr = lr_at(max(0, self.steps_done - 1), tc)  # the rate of the last step taken
        return EvalRecord(self.steps_done, train_loss, val_loss, lr)


def train(
    config: GPTConfig,
    tc: TrainConfig,
    data: CharDataset,
    out_dir: str | os.PathLike | None = None,
    progress: bool = True,
    on_eval: Callable[[EvalRecord], None] | None = None,
) -> TrainResult:
    """Train a GPT (or, with `objective="masked"`, a BERT) on `data`.

    Under torchrun, every process runs this; it joins the process group (and leaves it
    at the end if it joined it).

    Args:
        config: The architecture; `vocab_size` must fit the data and the objective.
        tc: The training recipe.
        data: Train and validation ids with their vocabulary.
        out_dir: If given, the best model so far (lowest validation loss) is saved to
            `out_dir/best.pt` and the final one to `out_dir/last.pt` (by rank 0).
        progress: Show a tqdm progress bar (rank 0 only).
        on_eval: Called with each evaluation record (rank 0 only).

    Returns:
        The trained model and its history.
    """
    from tqdm.auto import tqdm

    device = resolve_device(tc.device, int(os.environ.get("LOCAL_RANK", "0")))
    rank = join_process_group(device)
    try:
        trainer = Trainer(config, tc, data, device, rank)
        result = TrainResult(
            trainer.model, tokens_per_step=tc.batch_size * config.block_size
        )
        bar = tqdm(
            total=tc.max_iters,
            desc="training",
            unit="step",
            disable=not (progress and rank.is_main),
        )

        def evaluate() -> None:
            record = trainer.evaluate()
            result.history.append(record)
            if not rank.is_main:
                return
            if record.val_loss < result.best_val:
                result.best_val, result.best_step = record.val_loss, record.step
                if out_dir is not None:
                    save_trainer(Path(out_dir) / "best.pt", trainer, record)
            if on_eval is not None:
                on_eval(record)
            bar.set_postfix(
                train=f"{record.train_loss:.3f}", val=f"{record.val_loss:.3f}"
            )

        evaluate()
        for step in range(1, tc.max_iters + 1):
            t0 = time.perf_counter()
            trainer.step()
            if device.type == "cuda":
                torch.cuda.synchronize()  # time the GPU's work, not just its launch
            result.step_seconds.append(time.perf_counter() - t0)
            bar.update()
            if step % tc.eval_interval == 0 or step == tc.max_iters:
                evaluate()
        bar.close()
        if out_dir is not None and rank.is_main:
            save_trainer(Path(out_dir) / "last.pt", trainer, result.history[-1])
        if rank.world_size > 1:
            dist.barrier()  # nobody leaves while rank 0 still writes
    finally:
        if rank.joined_here:
            dist.destroy_process_group()
    return result


def save_trainer(path: Path, trainer: Trainer, record: EvalRecord) -> None:
    """Write the trainer's model, config, vocabulary and training recipe to `path`,
    with the step and validation loss of `record`."""
    save_checkpoint(
        path,
        CHECKPOINT_KIND,
        trainer.config.to_dict(),
        trainer.data.vocab,
        trainer.model.state_dict(),
        step=record.step,
        val_loss=record.val_loss,
        train_config=asdict(trainer.tc),
    )


def load_model(
    path: str | os.PathLike, vocab: CharVocab | None = None, device: str = "cpu"
) -> tuple[GPT, CharVocab, dict[str, Any]]:
    """Rebuild a GPT from a checkpoint written by `train`.

    Returns:
        `(model, vocab, extra)`, the model in eval mode; `extra` holds the step, the
        validation loss and the training config.

    Raises:
        CheckpointError: not a GPT checkpoint, another vocabulary than `vocab`, a
            stored config that does not describe a model (an edited or foreign file),
            or weights that do not fit it.
    """
    config, vocab, state, extra = load_checkpoint(path, CHECKPOINT_KIND, vocab)
    try:
        model = GPT(GPTConfig.from_dict(config))
    except (ValueError, TypeError) as err:  # an edited or foreign file
        raise CheckpointError(
            f"{path}: its config does not describe a model: {err}"
        ) from None
    try:
        model.load_state_dict(state)
    except RuntimeError as err:  # missing, unexpected or differently shaped weights
        raise CheckpointError(
            f"{path}: the weights do not fit the model its config describes: {err}"
        ) from None
    return model.to(device).eval(), vocab, extra


@torch.no_grad()
def split_loss(
    model: nn.Module, ids: torch.Tensor, block_size: int, batch_size: int = 256
):
    """Mean next-character loss over all of `ids`, cut into non-overlapping windows.

    Deterministic and over the whole split, so it has none of the sampling noise of
    `eval_iters` random batches: use it to compare finished models.
    """
    n = (len(ids) - 1) // block_size
    if n < 1:
        raise ValueError(
            f"{len(ids)} ids are too few for one window of {block_size} + 1"
        )
    device = next(model.parameters()).device
    x = ids[: n * block_size].view(n, block_size).to(device)
    y = ids[1 : n * block_size + 1].view(n, block_size).to(device)
    total = 0.0
    with eval_mode(model):
        for i in range(0, n, batch_size):
            _, loss = model(x[i : i + batch_size], y[i : i + batch_size])
            total += loss.item() * len(x[i : i + batch_size])
    return total / n

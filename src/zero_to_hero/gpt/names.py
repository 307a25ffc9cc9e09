"""Beyond the lectures: whole names through the GPT of the attention chapter.

Every model of the makemore lectures reads a fixed window of the last few characters,
one window per training example. A transformer reads the whole name so far instead, and
it predicts every character of a name in one pass: the name `emma` becomes the input
`.emma` and the targets `emma.`, and position t is trained to predict target t from
inputs 0..t. Shorter names are padded; padded positions carry the target `IGNORE`, which
the loss skips.

The targets are exactly those of the lecture split (every character of every word, and
the closing boundary), so the mean loss per target is directly comparable with the
windowed models' losses: only the context differs, the whole prefix instead of the last
3 or 8 characters.

The model is `zero_to_hero.gpt.GPT`, unchanged; its optimizer and learning-rate schedule
are the GPT chapter's (`make_optimizer`, `lr_at`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F

from zero_to_hero.gpt.model import GPT, GPTConfig
from zero_to_hero.gpt.training import TrainConfig, lr_at, make_optimizer
from zero_to_hero.makemore.sampling import sample_index
from zero_to_hero.makemore.train import History
from zero_to_hero.modes import eval_mode
from zero_to_hero.recipes import Recipe
from zero_to_hero.vocab import CharVocab

__all__ = [
    "IGNORE",
    "NamesGPTRecipe",
    "NamesTraining",
    "BEYOND_GPT",
    "name_sequences",
    "length_buckets",
    "train_names_gpt",
    "evaluate_names",
    "sample_gpt_names",
]

#: The target of a padded position: `torch.nn.functional.cross_entropy` skips it.
IGNORE = -100


def name_sequences(
    words: Sequence[str], vocab: CharVocab, length: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets, one row per word, each `(len(words), length)` `int64`.

    Row i of the inputs is the boundary token then the word, padded with the boundary
    token; row i of the targets is the word then the boundary token, padded with
    `IGNORE`.

    Examples:
        >>> vocab = CharVocab.from_words(["emma", "ava"])
        >>> X, Y = name_sequences(["ava"], vocab, length=5)
        >>> X.tolist(), Y.tolist()
        ([[0, 1, 4, 1, 0]], [[1, 4, 1, 0, -100]])
    """
    if isinstance(words, str):
        raise TypeError("expected a list of words, got a single string")
    if vocab.boundary is None:
        raise ValueError(
            "the vocabulary needs a boundary token to start and end the names"
        )
    boundary = vocab.stoi(vocab.boundary)
    longest = max((len(w) for w in words), default=0)
    if longest + 1 > length:
        raise ValueError(
            f"a word of {longest} characters needs length >= {longest + 1} (the word "
            f"and the boundary token), got length={length}"
        )
    X = torch.full((len(words), length), boundary, dtype=torch.long)
    Y = torch.full((len(words), length), IGNORE, dtype=torch.long)
    for i, word in enumerate(words):
        ids = torch.tensor(vocab.encode(word), dtype=torch.long)
        X[i, 1 : len(ids) + 1] = ids
        Y[i, : len(ids)] = ids
        Y[i, len(ids)] = boundary
    return X, Y


@dataclass(frozen=True)
class NamesTraining(TrainConfig):
    """The GPT chapter's `TrainConfig`, for whole names (`batch_size` counts names).

    Attributes:
        bucket_by_length: Draw minibatches of names of similar length (`length_buckets`)
            instead of uniformly at random: less padding, so faster steps.
    """

    bucket_by_length: bool = False


#: A GPT for names and how to train it (`model.block_size` must hold the longest name
#: plus one).
NamesGPTRecipe = Recipe[GPTConfig, NamesTraining]


#: Beyond the lectures: the attention chapter's GPT reads each whole name. Four blocks
#: of width 96 (447K parameters), dropout 0.25, AdamW with warm-up and a cosine decay,
#: and minibatches of names of similar length.
BEYOND_GPT = Recipe(
    "beyond",
    "a GPT of 4 blocks × 96 channels reads the whole name; dropout 0.25, AdamW + "
    "cosine",
    GPTConfig(
        vocab_size=27, block_size=16, n_layer=4, n_head=4, n_embd=96, dropout=0.25
    ),
    NamesTraining(
        batch_size=64,
        max_iters=30_000,
        learning_rate=2e-3,
        min_lr=2e-4,
        warmup_iters=500,
        weight_decay=0.1,
        grad_clip=1.0,
        fused_adamw=True,
        seed=42,
        bucket_by_length=True,
    ),
)


def length_buckets(
    lengths: torch.Tensor, batch_size: int, generator: torch.Generator | None = None
) -> Iterator[torch.Tensor]:
    """Minibatches of indices, endlessly, epoch after epoch: each epoch shuffles the
    names, sorts them by length (a stable sort, so names of one length stay shuffled),
    cuts the order into batches of `batch_size` and shuffles the batches. Every name is
    drawn once per epoch, and each batch holds names of about one length, so it needs
    little padding.

    Examples:
        >>> g = torch.Generator().manual_seed(0)
        >>> batches = length_buckets(
        ...     torch.tensor([3, 1, 3, 1]), batch_size=2, generator=g
        ... )
        >>> sorted(next(batches).tolist()) in ([0, 2], [1, 3])
        True
    """
    if lengths.ndim != 1 or len(lengths) == 0 or batch_size < 1:
        raise ValueError("need a non-empty 1-D tensor of lengths and batch_size >= 1")
    while True:
        shuffled = torch.randperm(len(lengths), generator=generator)
        order = shuffled[torch.sort(lengths[shuffled], stable=True).indices]
        batches = order.split(batch_size)
        for b in torch.randperm(len(batches), generator=generator).tolist():
            yield batches[b]


@torch.no_grad()
def evaluate_names(
    model: GPT, X: torch.Tensor, Y: torch.Tensor, batch_size: int = 2048
) -> float:
    """Mean cross-entropy per target (padding skipped) over all of `(X, Y)`, in
    evaluation mode: the number the windowed models report on the same words."""
    with eval_mode(model):
        total, count = 0.0, 0
        for i in range(0, len(X), batch_size):
            logits, _ = model(X[i : i + batch_size])
            y = Y[i : i + batch_size]
            total += F.cross_entropy(
                logits.flatten(0, 1), y.flatten(), ignore_index=IGNORE, reduction="sum"
            ).item()
            count += int((y != IGNORE).sum())
    if count == 0:
        raise ValueError("no targets to evaluate: every position is padding")
    return total / count


def train_names_gpt(
    recipe: NamesGPTRecipe,
    X: torch.Tensor,
    Y: torch.Tensor,
    steps: int | None = None,
    *,
    eval_every: int = 0,
    eval_data: Mapping[str, tuple[torch.Tensor, torch.Tensor]] | None = None,
    on_step: Callable[[int, float], None] | None = None,
) -> tuple[GPT, History]:
    """Build the recipe's GPT and train it on the name sequences `(X, Y)`.

    Args:
        recipe: The model and its training.
        X: Inputs from `name_sequences`.
        Y: Targets from `name_sequences`.
        steps: Train for this many steps instead of `recipe.training.max_iters` (the
            cosine schedule is then fitted to the shorter run).
        eval_every: Every this many steps (and after the last), measure `evaluate_names`
            on each `(X, Y)` of `eval_data`.
        eval_data: Named data sets to measure, e.g. `{"val": (Xval, Yval)}`.
        on_step: Called with `(step, loss)` after each step (progress bars).

    Returns:
        The trained model (in evaluation mode) and its `History`.
    """
    tc = recipe.training
    if steps is not None:
        if steps < 0:
            raise ValueError(f"steps must be >= 0, got {steps}")
        tc = replace(tc, max_iters=steps, lr_decay_iters=None)
    if X.shape != Y.shape or X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(
            f"X and Y must be the same non-empty (N, T) shape: {X.shape}, {Y.shape}"
        )
    if X.shape[1] > recipe.model.block_size:
        raise ValueError(
            f"sequences of length {X.shape[1]} do not fit the model's block_size "
            f"{recipe.model.block_size}"
        )
    torch.manual_seed(tc.seed)  # the initial weights and the dropout masks
    model = GPT(recipe.model)
    optimizer = make_optimizer(model, tc)
    g = torch.Generator().manual_seed(tc.seed)  # the minibatches
    lengths = (Y != IGNORE).sum(1)
    # Each target weighs the same in every batch: the sum of the losses over the batch,
    # divided by the targets an average batch holds (with length buckets, a batch of
    # short names holds fewer targets; a plain mean would count each of them more).
    per_batch = tc.batch_size * lengths.float().mean().item()
    buckets = length_buckets(lengths, tc.batch_size, g) if tc.bucket_by_length else None
    losses, lrs, evals = [], [], []
    model.train()
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(tc.max_iters):
        if buckets is not None:
            ix = next(buckets)
        else:
            ix = torch.randint(0, X.shape[0], (tc.batch_size,), generator=g)
        # no work on columns that are padding in every row
        width = int(lengths[ix].max())
        logits, _ = model(X[ix, :width])
        targets = Y[ix, :width]
        total = F.cross_entropy(
            logits.flatten(0, 1),
            targets.flatten(),
            ignore_index=IGNORE,
            reduction="sum",
        )
        optimizer.zero_grad(set_to_none=True)
        (total / per_batch).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), tc.grad_clip)
        lr = lr_at(i, tc)
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.step()
        # the batch's mean, for the history
        loss = total / int((targets != IGNORE).sum())
        losses.append(loss.item())
        lrs.append(lr)
        if (
            eval_every
            and eval_data
            and ((i + 1) % eval_every == 0 or i == tc.max_iters - 1)
        ):
            at = {k: evaluate_names(model, *xy) for k, xy in eval_data.items()}
            evals.append((i + 1, at))
        if on_step is not None:
            on_step(i, losses[-1])
    history = History(
        losses,
        lrs,
        evals=evals,
        seconds=time.perf_counter() - t0,
        cpu_seconds=time.process_time() - c0,
    )
    model.eval()
    return model, history


@torch.no_grad()
def sample_gpt_names(
    model: GPT, vocab: CharVocab, n: int = 10, generator: torch.Generator | None = None
) -> list[str]:
    """Draw `n` names, each character by `sample_index` from the model's prediction
    after the boundary token and the characters so far (at most `block_size - 1`
    characters)."""
    boundary = vocab.stoi(vocab.boundary)
    names = []
    with eval_mode(model):
        for _ in range(n):
            ids = [boundary]
            while len(ids) < model.config.block_size:
                logits, _ = model(torch.tensor([ids]))
                nxt = sample_index(F.softmax(logits[0, -1], dim=-1), generator)
                if nxt == boundary:
                    break
                ids.append(nxt)
            names.append(vocab.decode(ids[1:]))
    return names

"""Beyond the lectures: whole names through the GPT of the attention chapter.

Every model of the makemore lectures reads a fixed window of the last few characters, one
window per training example. A transformer reads the whole name so far instead, and it
predicts every character of a name in one pass: the name `emma` becomes the input
`.emma` and the targets `emma.`, and position t is trained to predict target t from inputs
0..t. Shorter names are padded; padded positions carry the target `IGNORE`, which the loss
skips.

The targets are exactly those of the lecture split (every character of every word, and the
closing boundary), so the mean loss per target is directly comparable with the windowed
models' losses: only the context differs, the whole prefix instead of the last 3 or 8
characters.

The model is `zero_to_hero.gpt.GPT`, unchanged; its optimizer and learning-rate schedule are
the GPT chapter's (`make_optimizer`, `lr_at`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from zero_to_hero.gpt.model import GPT, GPTConfig
from zero_to_hero.gpt.training import TrainConfig, lr_at, make_optimizer
from zero_to_hero.makemore.sampling import sample_index
from zero_to_hero.makemore.train import History
from zero_to_hero.vocab import CharVocab

__all__ = [
    "IGNORE",
    "NamesGPTRecipe",
    "BEYOND_GPT",
    "name_sequences",
    "train_names_gpt",
    "evaluate_names",
    "sample_gpt_names",
]

#: The target of a padded position: `torch.nn.functional.cross_entropy` skips it.
IGNORE = -100


# --8<-- [start:sequences]
def name_sequences(
    words: Sequence[str], vocab: CharVocab, length: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Inputs and targets, one row per word, each `(len(words), length)` `int64`.

    Row i of the inputs is the boundary token then the word, padded with the boundary token;
    row i of the targets is the word then the boundary token, padded with `IGNORE`.

    Examples:
        >>> vocab = CharVocab.from_words(["emma", "ava"])
        >>> X, Y = name_sequences(["ava"], vocab, length=5)
        >>> X.tolist(), Y.tolist()
        ([[0, 1, 3, 1, 0]], [[1, 3, 1, 0, -100]])
    """
    if isinstance(words, str):
        raise TypeError("expected a list of words, got a single string")
    if vocab.boundary is None:
        raise ValueError("the vocabulary needs a boundary token to start and end the names")
    boundary = vocab.stoi(vocab.boundary)
    longest = max((len(w) for w in words), default=0)
    if longest + 1 > length:
        raise ValueError(
            f"a word of {longest} characters needs length >= {longest + 1} (the word and the "
            f"boundary token), got length={length}"
        )
    X = torch.full((len(words), length), boundary, dtype=torch.long)
    Y = torch.full((len(words), length), IGNORE, dtype=torch.long)
    for i, word in enumerate(words):
        ids = torch.tensor(vocab.encode(word), dtype=torch.long)
        X[i, 1 : len(ids) + 1] = ids
        Y[i, : len(ids)] = ids
        Y[i, len(ids)] = boundary
    return X, Y


# --8<-- [end:sequences]


@dataclass(frozen=True)
class NamesGPTRecipe:
    """A GPT for names and how to train it.

    Attributes:
        name: Short name of the recipe.
        description: One line for tables.
        model: The architecture (`block_size` must hold the longest name plus one).
        training: The optimizer, schedule and seed (`batch_size` counts names).
    """

    name: str
    description: str
    model: GPTConfig
    training: TrainConfig


# --8<-- [start:beyond]
#: Beyond the lectures: the attention chapter's GPT reads each whole name. Four blocks of
#: width 64 (200K parameters), dropout 0.2, AdamW with warm-up and a cosine decay.
BEYOND_GPT = NamesGPTRecipe(
    "beyond",
    "a GPT of 4 blocks × 64 channels reads the whole name; dropout 0.2, AdamW + cosine",
    GPTConfig(vocab_size=27, block_size=16, n_layer=4, n_head=4, n_embd=64, dropout=0.2),
    TrainConfig(
        batch_size=64,
        max_iters=36_000,
        learning_rate=3e-3,
        min_lr=3e-4,
        warmup_iters=500,
        weight_decay=0.1,
        grad_clip=1.0,
        seed=42,
    ),
)
# --8<-- [end:beyond]


# --8<-- [start:evaluate]
@torch.no_grad()
def evaluate_names(model: GPT, X: torch.Tensor, Y: torch.Tensor, batch_size: int = 2048) -> float:
    """Mean cross-entropy per target (padding skipped) over all of `(X, Y)`, in evaluation
    mode: the number the windowed models report on the same words."""
    was_training = model.training
    model.eval()
    try:
        total, count = 0.0, 0
        for i in range(0, len(X), batch_size):
            logits, _ = model(X[i : i + batch_size])
            y = Y[i : i + batch_size]
            total += F.cross_entropy(
                logits.flatten(0, 1), y.flatten(), ignore_index=IGNORE, reduction="sum"
            ).item()
            count += int((y != IGNORE).sum())
    finally:
        model.train(was_training)
    if count == 0:
        raise ValueError("no targets to evaluate: every position is padding")
    return total / count


# --8<-- [end:evaluate]


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
        steps: Train for this many steps instead of `recipe.training.max_iters` (the cosine
            schedule is then fitted to the shorter run).
        eval_every: Every this many steps (and after the last), measure `evaluate_names` on
            each `(X, Y)` of `eval_data`.
        eval_data: Named data sets to measure, e.g. `{"val": (Xval, Yval)}`.
        on_step: Called with `(step, loss)` after each step (progress bars).

    Returns:
        The trained model (in evaluation mode) and its `History`.
    """
    tc = recipe.training
    if steps is not None:
        if steps < 0:
            raise ValueError(f"steps must be >= 0, got {steps}")
        tc = TrainConfig.from_dict({**tc.__dict__, "max_iters": steps, "lr_decay_iters": None})
    if X.shape != Y.shape or X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"X and Y must be the same non-empty (N, T) shape: {X.shape}, {Y.shape}")
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
    history = History()
    model.train()
    t0, c0 = time.perf_counter(), time.process_time()
    # --8<-- [start:step]
    for i in range(tc.max_iters):
        ix = torch.randint(0, X.shape[0], (tc.batch_size,), generator=g)
        width = int(lengths[ix].max())  # no work on columns that are padding in every row
        _, loss = model(X[ix, :width], Y[ix, :width])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), tc.grad_clip)
        lr = lr_at(i, tc)
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.step()
        # --8<-- [end:step]
        history.losses.append(loss.item())
        history.lrs.append(lr)
        if eval_every and eval_data and ((i + 1) % eval_every == 0 or i == tc.max_iters - 1):
            at = {k: evaluate_names(model, *xy) for k, xy in eval_data.items()}
            history.evals.append((i + 1, at))
        if on_step is not None:
            on_step(i, history.losses[-1])
    timed = History(
        history.losses,
        history.lrs,
        evals=history.evals,
        seconds=time.perf_counter() - t0,
        cpu_seconds=time.process_time() - c0,
    )
    model.eval()
    return model, timed


@torch.no_grad()
def sample_gpt_names(
    model: GPT, vocab: CharVocab, n: int = 10, generator: torch.Generator | None = None
) -> list[str]:
    """Draw `n` names, each character by `sample_index` from the model's prediction after
    the boundary token and the characters so far (at most `block_size - 1` characters)."""
    was_training = model.training
    model.eval()
    boundary = vocab.stoi(vocab.boundary)
    names = []
    try:
        for _ in range(n):
            ids = [boundary]
            while len(ids) < model.config.block_size:
                logits, _ = model(torch.tensor([ids]))
                nxt = sample_index(F.softmax(logits[0, -1], dim=-1), generator)
                if nxt == boundary:
                    break
                ids.append(nxt)
            names.append(vocab.decode(ids[1:]))
    finally:
        model.train(was_training)
    return names

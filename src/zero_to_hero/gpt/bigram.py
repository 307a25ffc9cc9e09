"""The baseline: a bigram model, which predicts the next character from the current one
alone.

Its only parameter is a `(vocab_size, vocab_size)` table: row `i` holds the logits of
the character that follows character `i`. Every position is predicted in isolation, so
no amount of training takes it past the entropy of the next character given one
character of context. Everything the rest of the chapter adds is about letting positions
talk to each other.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from zero_to_hero.gpt.data import CharDataset, get_batch
from zero_to_hero.gpt.sampling import generate
from zero_to_hero.modes import eval_mode

__all__ = ["BigramLanguageModel", "train_bigram"]


class BigramLanguageModel(nn.Module):
    """Logits for the next id read straight from a table, one row per current id.

    Args:
        vocab_size: Number of token ids.
    """

    def __init__(self, vocab_size: int):
        super().__init__()
        if (
            isinstance(vocab_size, bool)
            or not isinstance(vocab_size, int)
            or vocab_size < 1
        ):
            raise ValueError(f"vocab_size must be a positive int, got {vocab_size!r}")
        self.vocab_size = vocab_size
        self.token_embedding = nn.Embedding(vocab_size, vocab_size)

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits `(B, T, vocab_size)` and, given targets `(B, T)`, the mean
        cross-entropy."""
        logits = self.token_embedding(idx)
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.flatten(0, 1), targets.flatten())

    def generate(
        self,
        idx: torch.Tensor,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Continue each row of `idx` (see `sampling.generate`); only the last id
        matters."""
        return generate(
            self, idx, max_new_tokens, temperature, top_k, generator, block_size=1
        )


def train_bigram(
    data: CharDataset,
    max_iters: int = 3000,
    eval_interval: int = 300,
    eval_iters: int = 200,
    batch_size: int = 32,
    block_size: int = 8,
    learning_rate: float = 1e-2,
    seed: int = 1337,
) -> tuple[BigramLanguageModel, list[tuple[int, float, float]]]:
    """The lecture's bigram training run, step for step (its defaults are the
    lecture's).

    Everything draws from torch's global generator, seeded once, in the lecture's order:
    the model's initial weights, then at every `eval_interval`-th step `eval_iters`
    batches of each split for the loss estimate, then the step's own batch.

    Returns:
        The model and `(step, train_loss, val_loss)` for each estimate.
    """
    torch.manual_seed(seed)
    model = BigramLanguageModel(data.vocab.size)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    history = []
    for step in range(max_iters):
        if step % eval_interval == 0:
            with eval_mode(model), torch.no_grad():
                train_loss, val_loss = (
                    torch.tensor(
                        [
                            model(*get_batch(ids, batch_size, block_size))[1]
                            for _ in range(eval_iters)
                        ]
                    )
                    .mean()
                    .item()
                    for ids in (data.train, data.val)
                )
            history.append((step, train_loss, val_loss))
        _, loss = model(*get_batch(data.train, batch_size, block_size))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return model, history

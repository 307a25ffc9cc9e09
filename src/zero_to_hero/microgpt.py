"""The capstone: the whole GPT algorithm in plain Python on our scalar autograd engine.

Part 1: data and a character tokenizer. Part 2: the model (embeddings, RMSNorm, causal
multi-head attention with a KV cache, an MLP, residual connections, the head). Part 3:
training (cross-entropy, Adam) and sampling. Only the standard library and micrograd,
so it runs in the browser too. The defaults are those of Karpathy's microgpt (2026).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from zero_to_hero.micrograd.engine import Value, weighted_sum

__all__ = ["Tokenizer", "Config", "GPT", "softmax", "Adam", "train", "sample", "report"]

# Part 1: data and tokenizer -----------------------------------------------------


class Tokenizer:
    """Characters to ids and back; id 0 is the beginning-of-sequence token `BOS`, which
    also ends a name (the model learns to emit it when a name is complete)."""

    BOS = 0

    def __init__(self, docs: Sequence[str]) -> None:
        self.chars = sorted(set("".join(docs)))
        self.ids = {ch: i + 1 for i, ch in enumerate(self.chars)}
        self.vocab_size = len(self.chars) + 1

    def encode(self, text: str) -> list[int]:
        """The ids of `text`'s characters."""
        unknown = sorted(set(text) - self.ids.keys())
        if unknown:
            raise ValueError(f"characters {unknown} are not in the vocabulary")
        return [self.ids[ch] for ch in text]

    def decode(self, ids: Sequence[int]) -> str:
        """The text of `ids` (BOS tokens are dropped)."""
        return "".join(self.chars[i - 1] for i in ids if i != self.BOS)


# Part 2: the model --------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """The shape of the GPT and how its weights start."""

    vocab_size: int = 27
    n_embd: int = 16  # channels of the residual stream
    n_head: int = 4  # heads split the channels between them: 4 channels each
    n_layer: int = 1
    block_size: int = 16  # the longest context, in tokens
    init_std: float = 0.08  # every weight starts as a draw from N(0, init_std²)...
    seed: int = 42  # ...made by random.Random(seed)


def softmax(logits: Sequence[Value]) -> list[Value]:
    """exp(l) / Σ exp(l), less the largest logit first: then no exp overflows."""
    top = max(logit.data for logit in logits)
    exps = [(logit - top).exp() for logit in logits]
    total = sum(exps)
    return [e / total for e in exps]


Dot = Callable[[Sequence, Sequence], Value]  # w · x as one Value


class GPT:
    """A GPT on scalars. `value` and `dot` say which autograd engine to build it on: by
    default the package's `Value`, whose `weighted_sum` makes a dot product one node."""

    def __init__(
        self, config: Config, value: type = Value, dot: Dot = weighted_sum
    ) -> None:
        self.config, self.dot = config, dot
        rng = random.Random(config.seed)
        c, v, n = config, config.vocab_size, config.n_embd

        def matrix(rows: int, cols: int) -> list[list[Value]]:
            std = c.init_std
            return [
                [value(rng.gauss(0, std)) for _ in range(cols)] for _ in range(rows)
            ]

        # name -> matrix (rows are outputs): the state dict the tests hand to PyTorch
        self.weights = {"wte": matrix(v, n), "wpe": matrix(c.block_size, n)}
        for i in range(c.n_layer):
            for name in ("wq", "wk", "wv", "wo"):
                self.weights[f"layer{i}.{name}"] = matrix(n, n)
            self.weights[f"layer{i}.fc1"] = matrix(4 * n, n)  # the MLP widens 4×
            self.weights[f"layer{i}.fc2"] = matrix(n, 4 * n)
        self.weights["head"] = matrix(v, n)

    def parameters(self) -> list[Value]:
        """Every weight, in a fixed order."""
        return [p for m in self.weights.values() for row in m for p in row]

    def linear(self, x: Sequence[Value], name: str) -> list[Value]:
        """The matrix `name` times the vector `x`: one dot product per output."""
        return [self.dot(row, x) for row in self.weights[name]]

    def norm(self, x: Sequence[Value]) -> list[Value]:
        """RMSNorm (Zhang and Sennrich, 2019): x / sqrt(mean(x²) + ε), no gain."""
        scale = (self.dot(x, x) * (1 / len(x)) + 1e-5) ** -0.5
        return [xi * scale for xi in x]

    def attention(self, x: list[Value], layer: int, cache: list) -> list[Value]:
        """Causal multi-head attention of the newest token to all tokens so far.
        `cache` holds this layer's keys and values of the earlier tokens; the newest are
        appended, so the sequence is never recomputed (a KV cache)."""
        keys, values = cache
        q = self.linear(x, f"layer{layer}.wq")
        keys.append(self.linear(x, f"layer{layer}.wk"))
        values.append(self.linear(x, f"layer{layer}.wv"))
        size = self.config.n_embd // self.config.n_head
        out: list[Value] = []
        for h in range(0, self.config.n_embd, size):
            # scaled dot-product attention (Vaswani et al., 2017) for this head
            scores = [self.dot(q[h : h + size], k[h : h + size]) for k in keys]
            weights = softmax([s * size**-0.5 for s in scores])
            for i in range(h, h + size):
                out.append(self.dot(weights, [v[i] for v in values]))
        return self.linear(out, f"layer{layer}.wo")

    def mlp(self, x: list[Value], layer: int) -> list[Value]:
        """Widen four times, ReLU, narrow back."""
        hidden = [h.relu() for h in self.linear(x, f"layer{layer}.fc1")]
        return self.linear(hidden, f"layer{layer}.fc2")

    def forward(self, token: int, pos: int, cache: list) -> list[Value]:
        """The logits of the token after `token`, the `pos`-th of its sequence. `cache`
        has one `[keys, values]` per layer (start with `model.empty_cache()`)."""
        wte, wpe = self.weights["wte"][token], self.weights["wpe"][pos]
        x = [t + p for t, p in zip(wte, wpe)]
        for i in range(self.config.n_layer):
            # pre-norm residual blocks: each adds its output to the stream
            x = [a + b for a, b in zip(x, self.attention(self.norm(x), i, cache[i]))]
            x = [a + b for a, b in zip(x, self.mlp(self.norm(x), i))]
        return self.linear(self.norm(x), "head")

    def empty_cache(self) -> list:
        """An empty KV cache: `[keys, values]` for each layer."""
        return [[[], []] for _ in range(self.config.n_layer)]

    def loss(self, tokens: Sequence[int]) -> Value:
        """Mean cross-entropy of each next token of `tokens` (at most `block_size`)."""
        n = min(self.config.block_size, len(tokens) - 1)
        if n < 1:
            raise ValueError(f"need 2 tokens or more, got {len(tokens)}")
        cache = self.empty_cache()
        losses = []
        for pos in range(n):
            probs = softmax(self.forward(tokens[pos], pos, cache))
            losses.append(-probs[tokens[pos + 1]].log())
        return sum(losses) * (1 / n)


# Part 3: training and sampling --------------------------------------------------


class Adam:
    """Adam (Kingma and Ba, 2014) with bias correction, on scalar parameters."""

    def __init__(
        self, params: list, betas: tuple[float, float] = (0.85, 0.99), eps: float = 1e-8
    ) -> None:
        self.params, (self.b1, self.b2), self.eps = params, betas, eps
        # running means of each gradient and of its square
        self.m, self.v, self.t = [0.0] * len(params), [0.0] * len(params), 0

    def step(self, lr: float) -> None:
        """Move every parameter, then zero its gradient for the next step."""
        self.t += 1
        for i, p in enumerate(self.params):
            self.m[i] = self.b1 * self.m[i] + (1 - self.b1) * p.grad
            self.v[i] = self.b2 * self.v[i] + (1 - self.b2) * p.grad**2
            m_hat = self.m[i] / (1 - self.b1**self.t)  # early means are biased to 0
            v_hat = self.v[i] / (1 - self.b2**self.t)
            p.data -= lr * m_hat / (v_hat**0.5 + self.eps)
            p.grad = 0.0


def train(
    model: GPT,
    tokenizer: Tokenizer,
    docs: Sequence[str],
    steps: int = 1000,
    lr: float = 0.01,
    seed: int = 42,
    on_step: Callable[[int, int, float, float], None] | None = None,
) -> list[float]:
    """Train on one document per step (shuffled with `seed`), the learning rate
    decaying linearly to 0; call `on_step(step, steps, loss, seconds)` after each step.
    Returns the loss of every step."""
    order = list(docs)
    random.Random(seed).shuffle(order)
    optimizer = Adam(model.parameters())
    losses = []
    for step in range(steps):
        start = time.perf_counter()
        doc = order[step % len(order)]
        loss = model.loss([Tokenizer.BOS, *tokenizer.encode(doc), Tokenizer.BOS])
        loss.backward()
        optimizer.step(lr * (1 - step / steps))
        losses.append(loss.data)
        if on_step is not None:
            on_step(step, steps, loss.data, time.perf_counter() - start)
    return losses


def sample(
    model: GPT,
    tokenizer: Tokenizer,
    n: int = 10,
    temperature: float = 0.5,
    seed: int = 42,
) -> list[str]:
    """`n` new names, each drawn token by token until BOS; a temperature below 1
    sharpens the distribution (safer, less varied), above 1 flattens it."""
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    rng = random.Random(seed)
    names = []
    for _ in range(n):
        cache, token, ids = model.empty_cache(), Tokenizer.BOS, []
        for pos in range(model.config.block_size):
            logits = model.forward(token, pos, cache)
            probs = softmax([logit * (1 / temperature) for logit in logits])
            token = rng.choices(range(len(probs)), [p.data for p in probs])[0]
            if token == Tokenizer.BOS:
                break
            ids.append(token)
        names.append(tokenizer.decode(ids))
    return names


def report(step: int, steps: int, loss: float, seconds: float) -> None:
    """Print a line of progress (the playground draws its curve from these)."""
    print(f"step {step + 1:4d} / {steps} | loss {loss:.4f} | {1000 * seconds:.1f} ms")


if __name__ == "__main__":  # python -m zero_to_hero.microgpt [--steps N] [--seed S]
    from zero_to_hero.microgpt_cli import main

    raise SystemExit(main())

"""Published numbers from the original lectures and repositories, each with its source.

Tests assert against these, pages print them next to what the build computed, and the results
page shows them beside each benchmark row. Keep them here, once, never typed into prose.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Anchor", "ANCHORS", "anchor"]


@dataclass(frozen=True)
class Anchor:
    """A reference number and where it was published."""

    value: float
    source: str
    note: str = ""


ANCHORS: dict[str, Anchor] = {
    # micrograd: the README example expression
    "micrograd.readme.g": Anchor(24.7041, "micrograd README (forward pass of the example)"),
    "micrograd.readme.dg_da": Anchor(138.8338, "micrograd README (dg/da)"),
    "micrograd.readme.dg_db": Anchor(645.5773, "micrograd README (dg/db)"),
    # micrograd: demo.ipynb, the two-moons classifier
    "micrograd.demo.step0_loss": Anchor(0.8958441028683222, "micrograd demo.ipynb, step 0"),
    "micrograd.demo.step0_accuracy": Anchor(0.5, "micrograd demo.ipynb, step 0"),
    "micrograd.demo.final_loss": Anchor(0.010978370135492717, "micrograd demo.ipynb, step 99"),
    "micrograd.demo.final_accuracy": Anchor(1.0, "micrograd demo.ipynb, step 99"),
    "micrograd.demo.params": Anchor(337, "micrograd demo.ipynb, MLP(2, [16, 16, 1])"),
    # micrograd: the single tanh neuron of the lecture
    "micrograd.neuron.o": Anchor(0.7071, "micrograd lecture, the single-neuron example"),
    "micrograd.neuron.dx1": Anchor(-1.5, "micrograd lecture, the single-neuron example"),
    "micrograd.neuron.dw1": Anchor(1.0, "micrograd lecture, the single-neuron example"),
    "micrograd.neuron.dx2": Anchor(0.5, "micrograd lecture, the single-neuron example"),
    "micrograd.neuron.dw2": Anchor(0.0, "micrograd lecture, the single-neuron example"),
    # micrograd 0.1.0 (PyPI), measured on the project's 2-core CI machine kind
    "micrograd.upstream.recursion_limit_chain": Anchor(
        996,
        "micrograd 0.1.0, Python 3.11 default recursion limit",
        "longest x = x + 1 chain whose backward() works",
    ),
    # Character-level GPT on Tiny Shakespeare (lecture "Let's build GPT", nanoGPT)
    "gpt.bigram.val_step2700": Anchor(
        2.4911,
        "the lecture's bigram.py, seed 1337, 1 CPU thread",
        "validation loss estimate at step 2700 (200 batches of 32 x 8)",
    ),
    "gpt.baby.val": Anchor(
        1.8857,
        "nanoGPT's CPU baby-GPT recipe (README), run on the project's 2-core machine",
        "validation loss estimate at step 2000 (20 batches of 12 x 64); README: 1.88",
    ),
    "gpt.baby.val_step500": Anchor(
        2.314, "nanoGPT's CPU baby-GPT recipe, run on the project's 2-core machine", "step 500"
    ),
    "gpt.baby.tokens_per_s": Anchor(
        7200,
        "nanoGPT's CPU baby-GPT recipe on the project's 2-core machine, 1 thread",
        "median step throughput under contention; ~11.6k on an idle core",
    ),
    "gpt.lecture.val": Anchor(1.48, "the lecture's gpt.py (GPU), 5000 steps", "about 1.48"),
    "gpt.lecture.params_m": Anchor(10.79, "the lecture's gpt.py", "millions of parameters"),
}


def anchor(name: str) -> Anchor:
    """Look up a reference number by name, with a clear error for a typo."""
    try:
        return ANCHORS[name]
    except KeyError:
        close = [k for k in ANCHORS if k.split(".")[0] == name.split(".")[0]]
        raise KeyError(f"no reference number {name!r}; known in this chapter: {close}") from None

"""Charts of the BPE chapter, drawn from the benchmark's results file
(`load_results("bpe")`)."""

from __future__ import annotations

from typing import Any

__all__ = ["plot_training_speed", "plot_scaling"]


def plot_training_speed(results: dict[str, Any]):
    """CPU seconds to train each benchmark case: straightforward, fast, and HF
    tokenizers (log scale, so a bar twice as long is many times slower)."""
    import matplotlib.pyplot as plt

    cases = results["training"]
    series = [
        ("straightforward trainer", "straightforward_s", "#9ca3af"),
        ("fast trainer", "fast_s", "#4f46e5"),
        ("HF tokenizers (Rust, 1 thread)", "hf_s", "#f97316"),
    ]
    fig, ax = plt.subplots(figsize=(7, 1.4 + 0.9 * len(cases)))
    height = 0.26
    for k, (label, key, colour) in enumerate(series):
        ys = [n + (k - 1) * height for n in range(len(cases))]
        xs = [case[key] or 0 for case in cases]
        bars = ax.barh(ys, xs, height=height, color=colour, label=label)
        for bar, x, case in zip(bars, xs, cases):
            if not x:
                continue
            # A straightforward time measured on a shorter run is a lower bound: say so.
            bound = key == "straightforward_s" and case.get(
                "straightforward_is_lower_bound"
            )
            if bound:
                bar.set_hatch("//")
            text = f" > {x:.3g} s (lower bound)" if bound else f" {x:.3g} s"
            ax.annotate(text, (x, bar.get_y() + height / 2), va="center", fontsize=8)
    ax.set_yticks(range(len(cases)), [case["case"] for case in cases])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("CPU seconds to train (log scale)")
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.22),
        ncol=3,
        fontsize=8,
        frameon=False,
    )
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_scaling(results: dict[str, Any]):
    """Training time against text size on log-log axes: a slope of 1 is linear
    growth."""
    import matplotlib.pyplot as plt

    points = results["scaling"]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for label, key, colour in (
        ("straightforward trainer", "straightforward_s", "#9ca3af"),
        ("fast trainer", "fast_s", "#4f46e5"),
    ):
        pts = [(p["bytes"] / 1024, p[key]) for p in points if p[key]]
        ax.plot(*zip(*pts), "o-", color=colour, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("prefix of Tiny Shakespeare (KiB, log scale)")
    ax.set_ylabel("CPU seconds (log scale)")
    ax.set_title(
        f"training to vocab {results['scaling_vocab']}, GPT-4 split", fontsize=10
    )
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.25)
    fig.tight_layout()
    return fig

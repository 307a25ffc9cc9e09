"""GPT-2 generation: our KV cache against no cache and against Hugging Face's
`generate` with its cache, side by side.

For each model size (a small GPT-2 and the 124M one, random weights, GPT-2's vocabulary
and context), a randomly initialised `transformers.GPT2LMHeadModel` is saved to a
temporary directory and loaded into ours, so both hold the same weights; ours is timed
as listed and as `gpt2.fast.for_generation` lays it out, `(in, out)` matrices. Each way
then generates greedily after the same 16-token prompt, one row at a time, on one
thread, in rounds that rotate the order; the median round counts. Tokens/s are new
tokens over the process's CPU time (which other processes on a shared machine do not
inflate), prefill included; the wall-clock rate is recorded too. Every way must produce
the same tokens. Last, the matrix layouts alone: one token through the 124M blocks'
linear layers with `nn.Linear`'s `(out, in)` matrices and with `Conv1D`'s `(in, out)`.

Without a cache the 124M model re-reads the whole prefix for every token, minutes for
256 tokens on one thread: that way is timed in fewer rounds (the table says how many).
Given fewer tokens (`--uncached-124m-tokens`), the cached model is also timed on that
number, for the ratio.

    python -m benchmarks gpt2 [--rounds N] [--tokens N]
        [--uncached-124m-tokens N] [--uncached-124m-rounds N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import torch
from tqdm import tqdm

from benchmarks.common import Metric, start, write_results
from zero_to_hero.gpt2 import GPT2, GPT2Config
from zero_to_hero.gpt2.fast import for_generation

PROMPT = 16
SIZES = {
    "small (4 layers, 256 channels)": GPT2Config(n_layer=4, n_head=4, n_embd=256),
    "124M (12 layers, 768 channels)": GPT2Config(),
}


def hugging_face_pair(config: GPT2Config, directory: str):
    """A random `GPT2LMHeadModel` of `config`'s shape, and ours loaded from its
    saved directory."""
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    torch.manual_seed(0)
    theirs = transformers.GPT2LMHeadModel(
        transformers.GPT2Config(
            vocab_size=config.vocab_size,
            n_positions=config.block_size,
            n_embd=config.n_embd,
            n_layer=config.n_layer,
            n_head=config.n_head,
        )
    ).eval()
    # no end-of-text: both generate exactly the tokens asked for
    theirs.generation_config.eos_token_id = None
    theirs.generation_config.pad_token_id = 0
    theirs.save_pretrained(directory)
    return theirs, GPT2.from_pretrained(directory)


def timed(fn) -> tuple[float, float, torch.Tensor]:
    """(CPU seconds, wall seconds, result) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, out


def measure(size: str, config: GPT2Config, args) -> dict:
    n = args.tokens
    big = config.n_layer == 12
    n_uncached = args.uncached_124m_tokens if big else n
    r, r_uncached = args.rounds, min(args.rounds, args.uncached_124m_rounds)
    with tempfile.TemporaryDirectory() as directory:
        theirs, ours = hugging_face_pair(config, directory)
    fast = for_generation(ours)
    idx = torch.randint(config.vocab_size, (1, PROMPT), generator=torch.Generator())

    def hf(tokens):
        return lambda: theirs.generate(
            idx,
            attention_mask=torch.ones_like(idx),
            max_new_tokens=tokens,
            do_sample=False,
            use_cache=True,
        )

    # way: (new tokens, the call, rounds)
    ways = {
        "ours, KV cache": (n, lambda: ours.generate(idx, n, temperature=0), r),
        "ours for generation, (in, out) matrices, KV cache": (
            n,
            lambda: fast.generate(idx, n, temperature=0),
            r,
        ),
        "Hugging Face generate, its cache": (n, hf(n), r),
        "ours, no cache": (
            n_uncached,
            lambda: ours.generate(idx, n_uncached, temperature=0, use_cache=False),
            r_uncached if big else r,
        ),
    }
    if n_uncached != n:
        ways["ours, KV cache (as many tokens as uncached)"] = (
            n_uncached,
            lambda: ours.generate(idx, n_uncached, temperature=0),
            r,
        )
    # warm-up: the first calls allocate
    ours.generate(idx, 4, temperature=0)
    fast.generate(idx, 4, temperature=0)
    ours.generate(idx, 4, temperature=0, use_cache=False)
    hf(4)()
    cpu = {w: [] for w in ways}
    wall = {w: [] for w in ways}
    outputs = {}
    order = list(ways)
    for i in tqdm(range(r), desc=size, leave=False):
        for way in order:
            if i >= ways[way][2]:
                continue
            c, w, out = timed(ways[way][1])
            cpu[way].append(c)
            wall[way].append(w)
            outputs[way] = out
        order = order[1:] + order[:1]
    reference = outputs["ours, KV cache"]
    # the same tokens, as far as both go
    same = all(
        torch.equal(out[:, :k], reference[:, :k])
        for out in outputs.values()
        for k in [min(out.shape[1], reference.shape[1])]
    )
    return {
        "params": sum(p.numel() for p in ours.parameters()),
        "same_tokens": same,
        "ways": {
            way: {
                "new_tokens": tokens,
                "rounds": len(cpu[way]),
                "tok_s_cpu": round(tokens / statistics.median(cpu[way]), 1),
                "tok_s_wall": round(tokens / statistics.median(wall[way]), 1),
                "cpu_s": [round(c, 3) for c in cpu[way]],
            }
            for way, (tokens, _, _) in ways.items()
        },
    }


def layouts(config: GPT2Config, rounds: int) -> dict:
    """Milliseconds of CPU time for one token through the linear layers of all of
    `config`'s blocks, one row of activations: with `nn.Linear`'s `(out, in)` matrices
    (ours) and with `Conv1D`'s `(in, out)` (Hugging Face's), interleaved; median of
    `rounds` rounds of 5 tokens. Far more weights than the CPU's caches hold, as in
    generation: the time is the time to read them."""
    C = config.n_embd
    shapes = [(C, 3 * C), (C, C), (C, 4 * C), (4 * C, C)] * config.n_layer
    torch.manual_seed(0)
    out_in = [(torch.randn(o, i), torch.randn(o)) for i, o in shapes]
    in_out = [(w.t().contiguous(), b) for w, b in out_in]
    x = {i: torch.randn(1, i) for i, _ in shapes}

    def linear():
        for w, b in out_in:
            torch.nn.functional.linear(x[w.shape[1]], w, b)

    def conv1d():
        for w, b in in_out:
            torch.addmm(b, x[w.shape[0]], w)

    times = {"linear (out, in)": [], "Conv1D (in, out)": []}
    for _ in range(rounds):
        for name, fn in zip(times, (linear, conv1d)):
            fn()
            cpu = time.process_time()
            for _ in range(5):
                fn()
            times[name].append((time.process_time() - cpu) / 5 * 1000)
    return {name: round(statistics.median(t), 2) for name, t in times.items()}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks gpt2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--uncached-124m-tokens", type=int, default=256)
    parser.add_argument("--uncached-124m-rounds", type=int, default=1)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never download anything
    import transformers

    load = start()
    runs = {size: measure(size, config, args) for size, config in SIZES.items()}
    layout_ms = layouts(GPT2Config(), rounds=5 * args.rounds)

    headers = ["model", "way", "new tokens", "rounds", "tokens/s (CPU time)"]
    headers += ["tokens/s (wall)", "same tokens as ours, cached"]
    rows = []
    for size, run in runs.items():
        for way, r in run["ways"].items():
            rows.append(
                [
                    size,
                    way,
                    r["new_tokens"],
                    r["rounds"],
                    f"{r['tok_s_cpu']:,}",
                    f"{r['tok_s_wall']:,}",
                    "yes" if run["same_tokens"] else "no",
                ]
            )
    metrics = []
    for key, (size, run) in zip(("small", "124m"), runs.items()):
        ways = run["ways"]
        cached = ways["ours, KV cache"]["tok_s_cpu"]
        fast = ways["ours for generation, (in, out) matrices, KV cache"]["tok_s_cpu"]
        hf = ways["Hugging Face generate, its cache"]["tok_s_cpu"]
        uncached = ways["ours, no cache"]
        same_n = ways.get("ours, KV cache (as many tokens as uncached)", {})
        cached_same_n = same_n.get("tok_s_cpu", cached)
        cache_speedup = cached_same_n / uncached["tok_s_cpu"]
        metrics += [
            Metric(
                f"{key}_cache_speedup",
                f"{size}: generation with the KV cache over without "
                f"({uncached['new_tokens']} new tokens)",
                round(cache_speedup, 2),
                "×",
                1.0,
                "ours without the cache, same run",
                "≥ 5×",
                cache_speedup >= 5,
            ),
            Metric(
                f"{key}_vs_hugging_face",
                f"{size}: our cached generation, the listed model, over Hugging "
                f"Face's (transformers {transformers.__version__})",
                round(cached / hf, 3),
                "×",
                1.0,
                "GPT2LMHeadModel.generate, greedy, its cache, same run",
            ),
            Metric(
                f"{key}_fast_vs_hugging_face",
                f"{size}: our cached generation with for_generation's (in, out) "
                "matrices over Hugging Face's "
                f"(transformers {transformers.__version__})",
                round(fast / hf, 3),
                "×",
                1.0,
                "GPT2LMHeadModel.generate, greedy, its cache, same run",
                "≥ 1.0×",
                fast >= hf,
            ),
            Metric(
                f"{key}_tok_s",
                f"{size}: tokens/s with the KV cache (CPU time, 1 thread)",
                cached,
                "tok/s",
                hf,
                "Hugging Face, same run",
            ),
        ]
    layout_ratio = layout_ms["linear (out, in)"] / layout_ms["Conv1D (in, out)"]
    metrics.append(
        Metric(
            "124m_layout_ratio",
            "124M blocks' linear layers, one token: time with nn.Linear's (out, in) "
            "matrices over Conv1D's (in, out)",
            round(layout_ratio, 3),
            "×",
            1.0,
            f"Conv1D layout: {layout_ms['Conv1D (in, out)']} ms, nn.Linear: "
            f"{layout_ms['linear (out, in)']} ms, same run",
        )
    )
    write_results(
        "gpt2",
        headers,
        rows,
        load,
        metrics,
        prompt_tokens=PROMPT,
        rounds=args.rounds,
        transformers=transformers.__version__,
        runs=runs,
        layout_ms=layout_ms,
    )

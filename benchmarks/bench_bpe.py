"""BPE: training and encoding speed, ours against Hugging Face `tokenizers` and
tiktoken.

Training (GPT-4 split, from the text to the list of merges, regex splitting included):
taylorswift.txt at vocab 512, Tiny Shakespeare at 1024 and 4096. Side by side in one
process:

* the fast trainer and HF `tokenizers` (Rust), interleaved, best of `--rounds` each, in
  CPU seconds (`time.process_time`). HF runs on one thread (`RAYON_NUM_THREADS=1`,
  `TOKENIZERS_PARALLELISM=false`, set before it is imported), like ours;
* the straightforward trainer, once per case. At vocab 4096 on Tiny Shakespeare it would
  take the better part of an hour; its run to 1024 on the same text learns exactly the
  first 768 of those merges, so that measured time is reported as a lower bound (marked
  ">").

The fast and straightforward merges are compared: they must be identical.

Then a scaling series (fast trainer on growing prefixes of Tiny Shakespeare,
straightforward on the small ones) for the complexity chart, and encoding speed: our
`RegexTokenizer` (chunk cache cold, then warm) and tiktoken built from the very same
merges, on Tiny Shakespeare; and GPT-2's tokenizer, ours against tiktoken's, on
taylorswift.txt.

    python -m benchmarks bpe [--rounds N] [--quick]
"""

from __future__ import annotations

import argparse
import gc
import os
import time

# One thread for HF tokenizers (rayon reads this when its pool starts, at the first
# training).
os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import regex

from benchmarks.common import Metric, start, write_results
from zero_to_hero.bpe import GPT4_SPLIT_PATTERN, RegexTokenizer, load_gpt2
from zero_to_hero.bpe.basics import train_straightforward
from zero_to_hero.bpe.fast import train_fast
from zero_to_hero.data import load_shakespeare, load_taylorswift

CASES = [
    ("taylorswift.txt", 512),
    ("Tiny Shakespeare", 1024),
    ("Tiny Shakespeare", 4096),
]
# prefixes of Tiny Shakespeare (1089 = all)
SCALING_KB = [
    16,
    32,
    64,
    128,
    256,
    512,
    1089,
]
SCALING_VOCAB = 1024
STRAIGHTFORWARD_SCALING_KB = 64  # the straightforward trainer's series stops here


def cpu(fn):
    """(CPU seconds, result) of one call, garbage from earlier calls collected first."""
    gc.collect()
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out


def ours(text: str, vocab: int):
    return train_fast(regex.findall(GPT4_SPLIT_PATTERN, text), vocab - 256)


def straightforward(text: str, vocab: int):
    chunks = regex.findall(GPT4_SPLIT_PATTERN, text)
    return train_straightforward(chunks, vocab - 256, progress=True)


def hf(text: str, vocab: int):
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(GPT4_SPLIT_PATTERN), "isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    trainer = trainers.BpeTrainer(
        vocab_size=vocab,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
        show_progress=False,
    )
    tok.train_from_iterator([text], trainer=trainer)
    return tok


def tiktoken_like(tokenizer: RegexTokenizer):
    import tiktoken

    ranks = {token: i for i, token in tokenizer.vocab.items()}
    return tiktoken.Encoding(
        "same-merges",
        pat_str=tokenizer.pattern,
        mergeable_ranks=ranks,
        special_tokens={},
    )


def tiktoken_gpt2():
    import tiktoken
    from tiktoken.load import data_gym_to_mergeable_bpe_ranks
    from tiktoken_ext.openai_public import r50k_pat_str

    from zero_to_hero.bpe.gpt2 import find_gpt2_files

    encoder_json, vocab_bpe = find_gpt2_files()
    ranks = data_gym_to_mergeable_bpe_ranks(str(vocab_bpe), str(encoder_json))
    return tiktoken.Encoding(
        "gpt2-offline",
        pat_str=r50k_pat_str,
        mergeable_ranks=ranks,
        special_tokens={"<|endoftext|>": 50256},
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds of fast vs HF (best of)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=(
            "time the straightforward trainer on taylorswift@512 only (for development)"
        ),
    )
    args = parser.parse_args(argv)
    load = start()
    texts = {
        "taylorswift.txt": load_taylorswift(),
        "Tiny Shakespeare": load_shakespeare(),
    }

    import tokenizers

    rows, metrics, training = [], [], []
    measured: dict[str, tuple[int, float, list]] = {}
    for name, vocab in CASES:
        text = texts[name]
        fast_s, hf_s = [], []
        for _ in range(args.rounds):
            t, merges = cpu(lambda: ours(text, vocab))  # noqa: B023 (called at once)
            fast_s.append(t)
            hf_s.append(cpu(lambda: hf(text, vocab))[0])  # noqa: B023
        slow_s, identical, lower_bound = None, None, False
        # a straightforward run on this text at a smaller vocab
        earlier = measured.get(name)
        if earlier and earlier[0] < vocab:
            # Its merges are the first merges of this run (training is greedy), so its
            # time is a measured lower bound of this run's: no need to wait the better
            # part of an hour.
            assert merges[: earlier[0] - 256] == earlier[2], (
                "fast merges are not a prefix"
            )
            slow_s, lower_bound = earlier[1], True
        elif not args.quick or vocab == 512:
            slow_s, slow_merges = cpu(
                lambda: straightforward(text, vocab)  # noqa: B023
            )
            identical = slow_merges == merges
            assert identical, (
                f"{name}@{vocab}: the two trainers learned different merges"
            )
            measured[name] = (vocab, slow_s, merges)
        best, best_hf = min(fast_s), min(hf_s)
        case = f"{name} @ {vocab}"
        training.append(
            {
                "case": case,
                "fast_s": best,
                "hf_s": best_hf,
                "straightforward_s": slow_s,
                "straightforward_is_lower_bound": lower_bound,
                "identical": identical,
                "fast_rounds": fast_s,
                "hf_rounds": hf_s,
            }
        )
        rows.append(
            [
                f"train {case}",
                f"{1000 * best:.0f} ms",
                f"{1000 * best_hf:.0f} ms",
                (
                    f"> {slow_s:.1f} s (its first {earlier[0] - 256} merges)"
                    if lower_bound
                    else f"{slow_s:.1f} s"
                    if slow_s
                    else "not run"
                ),
                f"{best / best_hf:.2f}×",
                (
                    f"**> {slow_s / best:,.0f}×**"
                    if lower_bound
                    else f"**{slow_s / best:,.0f}×**"
                    if slow_s
                    else "—"
                ),
            ]
        )
        key = f"{name.split('.')[0].split()[-1].lower()}{vocab}"
        metrics.append(
            Metric(
                f"train_{key}_vs_hf",
                f"training {case}: our CPU time over HF tokenizers' (1 thread)",
                round(best / best_hf, 2),
                "×",
                1.0,
                f"HF tokenizers {tokenizers.__version__}, same run",
                "≤ 1.5×",
                best / best_hf <= 1.5,
            )
        )
        if slow_s:
            metrics.append(
                Metric(
                    f"train_{key}_speedup",
                    f"training {case}: speed-up over the straightforward trainer"
                    + (" (lower bound)" if lower_bound else ""),
                    round(slow_s / best),
                    "×",
                    round(slow_s, 2),
                    "straightforward trainer, same run (CPU s)"
                    + (
                        f"; its first {earlier[0] - 256} merges only"
                        if lower_bound
                        else ""
                    ),
                    "≥ 100×",
                    slow_s / best >= 100,
                )
            )

    # --- scaling: how training time grows with the text -------------------------------
    sh = texts["Tiny Shakespeare"]
    scaling = []
    for kb in SCALING_KB:
        text = sh[: kb * 1024]
        fast_t = min(
            cpu(lambda: ours(text, SCALING_VOCAB))[0]  # noqa: B023
            for _ in range(3)
        )
        slow_t = None
        if kb <= STRAIGHTFORWARD_SCALING_KB and not args.quick:
            slow_t = cpu(lambda: straightforward(text, SCALING_VOCAB))[0]  # noqa: B023
        scaling.append(
            {
                "bytes": len(text.encode("utf-8")),
                "fast_s": fast_t,
                "straightforward_s": slow_t,
            }
        )

    # --- encoding ---------------------------------------------------------------------
    mb = len(sh.encode("utf-8")) / 1e6
    tok = RegexTokenizer().train(sh, 4096)
    cold_s, ids = cpu(lambda: tok.encode(sh))
    warm_s = min(cpu(lambda: tok.encode(sh))[0] for _ in range(3))
    tk = tiktoken_like(tok)
    tk_s = min(cpu(lambda: tk.encode_ordinary(sh))[0] for _ in range(3))
    same_ids = tk.encode_ordinary(sh) == ids
    ts = texts["taylorswift.txt"]
    ts_mb = len(ts.encode("utf-8")) / 1e6
    gpt2 = load_gpt2()
    gpt2_cold, gpt2_ids = cpu(lambda: gpt2.encode(ts))
    tk2 = tiktoken_gpt2()
    tk2_s = min(cpu(lambda: tk2.encode_ordinary(ts))[0] for _ in range(3))
    gpt2_same = tk2.encode_ordinary(ts) == gpt2_ids
    import tiktoken

    enc = {
        "sh4096_cold_mb_s": mb / cold_s,
        "sh4096_warm_mb_s": mb / warm_s,
        "sh4096_tiktoken_mb_s": mb / tk_s,
        "sh4096_same_ids": same_ids,
        "gpt2_ts_cold_mb_s": ts_mb / gpt2_cold,
        "gpt2_ts_tiktoken_mb_s": ts_mb / tk2_s,
        "gpt2_same_ids": gpt2_same,
        "sh4096_tokens": len(ids),
        "gpt2_ts_tokens": len(gpt2_ids),
    }
    rows += [
        [
            "encode Tiny Shakespeare (vocab 4096), chunk cache cold",
            f"{mb / cold_s:.1f} MB/s",
            "—",
            "—",
            "—",
            f"tiktoken, same merges: {mb / tk_s:.1f} MB/s",
        ],
        [
            "encode Tiny Shakespeare (vocab 4096), chunk cache warm",
            f"{mb / warm_s:.1f} MB/s",
            "—",
            "—",
            "—",
            f"ids identical to tiktoken's: {same_ids}",
        ],
        [
            "encode taylorswift.txt with GPT-2's tokenizer, cold",
            f"{ts_mb / gpt2_cold:.1f} MB/s",
            "—",
            "—",
            "—",
            f"tiktoken gpt2: {ts_mb / tk2_s:.1f} MB/s; ids identical: {gpt2_same}",
        ],
    ]
    metrics.append(
        Metric(
            "encode_mb_s",
            "encoding Tiny Shakespeare with a 4096-token tokenizer, cache cold",
            round(mb / cold_s, 2),
            "MB/s",
            round(mb / tk_s, 2),
            f"tiktoken {tiktoken.__version__} with the same merges, same run",
            "≥ 2 MB/s",
            mb / cold_s >= 2,
        )
    )
    headers = [
        "workload",
        "ours (fast)",
        "HF tokenizers, 1 thread",
        "ours (straightforward)",
        "ours / HF",
        "fast vs straightforward",
    ]
    write_results(
        "bpe",
        headers,
        rows,
        load,
        metrics,
        rounds=args.rounds,
        quick=args.quick,
        training=training,
        scaling=scaling,
        scaling_vocab=SCALING_VOCAB,
        encoding=enc,
        hf_threads="1 (RAYON_NUM_THREADS=1, TOKENIZERS_PARALLELISM=false)",
        versions={
            "tokenizers": tokenizers.__version__,
            "tiktoken": tiktoken.__version__,
            "regex": regex.__version__,
        },
        timing=(
            "CPU seconds (time.process_time), best of the rounds; straightforward: "
            "one run"
        ),
    )


if __name__ == "__main__":
    main()

"""Nothing the package computes depends on the order of a `set` or `dict` of strings:
the same script, run under two different `PYTHONHASHSEED`s (string hashes differ
between them), prints the same thing. Every other test runs under the random hash seed
Python picks per process, so an order-dependent result would also show as a flaky test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import torch
    from zero_to_hero.bpe import train_fast
    from zero_to_hero.bpe.lecture import RegexTokenizer as LectureRegex
    from zero_to_hero.bpe.tokenizer import BasicTokenizer, RegexTokenizer
    from zero_to_hero.vocab import CharVocab

    text = "the cat sat on the mat; the bat ate the hat, then the rat sat " * 20
    print(CharVocab.from_text(text).chars)
    for cls in (BasicTokenizer, RegexTokenizer):
        tok = cls()
        tok.train(text, 256 + 40)
        tok.register_special_tokens({"<|a|>": 400, "<|ab|>": 401, "<|b|>": 402})
        print(cls.__name__, tok.merges)
        print(tok.encode(text[:40] + "<|ab|><|a|>x<|b|>", allowed_special="all"))
    lecture = LectureRegex().train(text, 256 + 40)
    print(lecture.merges)
    print(train_fast(text.split(" "), 40))
    torch.manual_seed(0)
    print(torch.rand(3).tolist())
    """
)


def run_with_hash_seed(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_results_do_not_depend_on_the_hash_seed():
    first, second = run_with_hash_seed("1"), run_with_hash_seed("2")
    assert first.count("\n") >= 7
    assert first == second

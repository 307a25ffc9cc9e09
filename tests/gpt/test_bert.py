"""The masked-character objective and filling in blanks, causal and bidirectional."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.gpt import GPT, GPTConfig
from zero_to_hero.gpt.bert import IGNORE, fill_in, mask_tokens
from zero_to_hero.vocab import CharVocab


@given(
    st.integers(1, 4),
    st.integers(1, 40),
    st.floats(0.01, 0.99),
    st.integers(0, 2**31 - 1),
)
def test_mask_tokens_hides_a_fixed_number_per_row_and_targets_only_them(
    B, T, rate, seed
):
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(5, (B, T), generator=g)
    inputs, targets = mask_tokens(x, mask_id=5, rate=rate, generator=g)
    hidden = inputs == 5
    assert (hidden.sum(1) == max(1, round(rate * T))).all()
    assert torch.equal(targets[hidden], x[hidden])
    assert (targets[~hidden] == IGNORE).all()
    assert torch.equal(inputs[~hidden], x[~hidden])


def test_mask_tokens_rejects_bad_input():
    with pytest.raises(ValueError, match="rate must be between 0 and 1"):
        mask_tokens(torch.zeros(1, 4, dtype=torch.long), 5, rate=0.0)
    with pytest.raises(ValueError, match=r"expected ids of shape \(B, T\)"):
        mask_tokens(torch.zeros(4, dtype=torch.long), 5)


VOCAB = CharVocab.from_text("abc ")


def model(causal: bool) -> GPT:
    torch.manual_seed(0)
    size = VOCAB.size + (not causal)
    return GPT(
        GPTConfig(size, block_size=12, n_layer=1, n_head=1, n_embd=8, causal=causal)
    )


def test_fill_in_replaces_exactly_the_blanks():
    for causal in (True, False):
        out = fill_in(model(causal), VOCAB, "ab_ c_a")
        assert len(out) == 7 and out[:2] == "ab" and out[3:5] == " c" and out[6] == "a"
        assert set(out) <= set(VOCAB.chars)


def test_a_bidirectional_model_fills_in_from_the_right_context():
    """Trained on rows of one repeated letter, a BERT copies a letter it sees after the
    blanks."""
    bert = model(causal=False)
    opt = torch.optim.AdamW(bert.parameters(), lr=1e-2)
    g = torch.Generator().manual_seed(0)
    for _ in range(150):
        rows = torch.randint(3, (16, 1), generator=g).expand(16, 12)  # "aaaa…", "cccc…"
        inputs, targets = mask_tokens(rows, VOCAB.size, rate=0.5, generator=g)
        _, loss = bert(inputs, targets)
        opt.zero_grad()
        loss.backward()
        opt.step()
    for letter in "abc":
        assert fill_in(bert, VOCAB, "___" + letter) == letter * 4


@pytest.mark.parametrize(
    "text,blank,causal,message",
    [
        ("ab_", "a", False, "the blank 'a' is a character of the vocabulary"),
        ("_ab", "_", True, "cannot fill the first position"),
        ("a" * 13, "_", False, "text has 13 characters; the model reads at most 12"),
        ("ab_Z", "_", False, "character 'Z' is not in the vocabulary"),
    ],
)
def test_fill_in_rejects_bad_input(text, blank, causal, message):
    with pytest.raises(ValueError, match=message):
        fill_in(model(causal), VOCAB, text, blank)

"""Small, randomly initialised Hugging Face GPT-2 models saved to temporary directories:
the reference our model is compared with. Nothing is ever downloaded."""

from __future__ import annotations

import os

# Before transformers is imported: it must never try the network.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import pytest
import torch

transformers = pytest.importorskip("transformers")
transformers.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()

# (vocab_size, n_positions, n_embd, n_layer, n_head): small shapes of several kinds
CONFIGS = [
    (101, 32, 48, 3, 4),
    (50, 16, 64, 2, 1),
    (257, 24, 32, 1, 8),
    (13, 8, 24, 4, 3),
]


def hf_model(vocab_size, n_positions, n_embd, n_layer, n_head, seed=0):
    """A `GPT2LMHeadModel` with random weights, in evaluation mode. The special
    tokens are the last id (GPT-2's <|endoftext|> is its last id too)."""
    config = transformers.GPT2Config(
        vocab_size=vocab_size,
        n_positions=n_positions,
        n_embd=n_embd,
        n_layer=n_layer,
        n_head=n_head,
        bos_token_id=vocab_size - 1,
        eos_token_id=vocab_size - 1,
    )
    torch.manual_seed(seed)
    model = transformers.GPT2LMHeadModel(config).eval()
    # Larger weights than GPT-2's N(0, 0.02), and no zero biases or unit LayerNorms:
    # with them, GELU's exact form or LayerNorm's ε = 1e-6 would change the logits by
    # less than 1e-5 and go unnoticed; here by 1e-4 to 1e-3.
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".ln_" in name and name.endswith("weight"):
                p.copy_(1 + 0.1 * torch.randn_like(p))
            else:
                p.normal_(0.0, 0.1)
    return model


@pytest.fixture(scope="module", params=CONFIGS, ids=lambda c: "-".join(map(str, c)))
def saved(request, tmp_path_factory):
    """`(directory, model)`: a random HF model and the directory it was saved to."""
    model = hf_model(*request.param)
    directory = tmp_path_factory.mktemp("hf")
    model.save_pretrained(directory)
    return directory, model

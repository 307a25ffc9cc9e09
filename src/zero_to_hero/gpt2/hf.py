"""Loading GPT-2 weights saved in Hugging Face's format, without `transformers`.

A Hugging Face model directory holds `config.json` (the shape) and the weights, in
`model.safetensors` (plain tensors, nothing executable) or in the older
`pytorch_model.bin` (a pickle, read here with `weights_only=True`). The parameter names
are OpenAI's, as ours: `transformer.h.0.attn.c_attn.weight`..., with or without the
`transformer.` prefix. Two differences:

* OpenAI's code multiplied by its linear layers' matrices from the right (`x @ W`, the
  layer Hugging Face calls `Conv1D`), so `c_attn`, `c_proj` and `c_fc` weights are
  stored `(in, out)`; `nn.Linear` keeps `(out, in)`: they are transposed.
* Some files also hold the causal mask as a buffer (`attn.bias`, `attn.masked_bias`):
  it is not a weight and is skipped. The head, `lm_head.weight`, is usually left out
  because it is the token embedding; where present it must equal it.

Nothing is downloaded: the directory is read from disk. Anything that does not fit the
config (a missing or unexpected tensor, a wrong shape) is a `CheckpointError` naming
every offending tensor.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any

import torch

from zero_to_hero.checkpoint import CheckpointError
from zero_to_hero.gpt2.model import GPT2, GPT2Config

__all__ = [
    "config_from_hf",
    "read_weights",
    "state_dict_from_hf",
    "load_pretrained",
    "TRANSPOSED",
    "MASK_BUFFER",
]

#: The layers OpenAI stored as `(in, out)` matrices (Hugging Face's `Conv1D`).
TRANSPOSED = (
    "attn.c_attn.weight",
    "attn.c_proj.weight",
    "mlp.c_fc.weight",
    "mlp.c_proj.weight",
)

#: The causal mask, which some versions saved as a buffer: not a weight.
MASK_BUFFER = re.compile(r"(^|\.)h\.\d+\.attn\.(bias|masked_bias)$")


def config_from_hf(values: dict[str, Any]) -> GPT2Config:
    """The `GPT2Config` of a Hugging Face `config.json` (already parsed).

    Raises:
        CheckpointError: a field is missing, or asks for something GPT-2 does not do
            (another activation, an untied head, another LayerNorm ε...).
    """
    if values.get("model_type", "gpt2") != "gpt2":
        raise CheckpointError(
            f"config.json describes a {values['model_type']!r} model, not 'gpt2'"
        )
    block_size = values.get("n_positions", values.get("n_ctx"))
    fields = {"vocab_size": values.get("vocab_size"), "block_size": block_size}
    fields |= {name: values.get(name) for name in ("n_layer", "n_head", "n_embd")}
    absent = [name for name, value in fields.items() if value is None]
    if absent:
        raise CheckpointError(
            f"config.json lacks {', '.join(absent)} (block_size is n_positions)"
        )
    # what this model does, and Hugging Face's default for each
    same = {
        "activation_function": ("gelu_new", {"gelu_new", "gelu_pytorch_tanh"}),
        "layer_norm_epsilon": (1e-5, {1e-5}),
        "tie_word_embeddings": (True, {True}),
        "scale_attn_weights": (True, {True}),
        "scale_attn_by_inverse_layer_idx": (False, {False}),
        "n_inner": (None, {None, 4 * fields["n_embd"]}),
    }
    for name, (default, supported) in same.items():
        if values.get(name, default) not in supported:
            raise CheckpointError(
                f"config.json sets {name}={values[name]!r}; GPT-2 (and this model) "
                f"uses {default!r}"
            )
    try:
        return GPT2Config(**fields)
    except ValueError as err:
        raise CheckpointError(f"config.json: {err}") from None


def read_weights(directory: str | os.PathLike) -> dict[str, torch.Tensor]:
    """The tensors of `model.safetensors`, else of `pytorch_model.bin` (read with
    `weights_only=True`: no code from the file runs), on the CPU.

    Raises:
        CheckpointError: neither file is there, or it cannot be read.
    """
    directory = Path(directory)
    safetensors = directory / "model.safetensors"
    pickled = directory / "pytorch_model.bin"
    try:
        if safetensors.is_file():
            from safetensors.torch import load_file

            return load_file(safetensors, device="cpu")
        if pickled.is_file():
            tensors = torch.load(pickled, map_location="cpu", weights_only=True)
            if not isinstance(tensors, dict):
                raise TypeError("not a dictionary of tensors")
            return tensors
    except ImportError:
        raise
    except Exception as err:  # truncated files, foreign pickles refused, bad headers
        path = safetensors if safetensors.is_file() else pickled
        reason = str(err).strip().splitlines()[0] if str(err).strip() else ""
        raise CheckpointError(
            f"{path} is not readable ({type(err).__name__}"
            + (f": {reason})" if reason else ")")
        ) from None
    raise CheckpointError(
        f"{directory} holds neither model.safetensors nor pytorch_model.bin"
    )


def state_dict_from_hf(
    tensors: dict[str, torch.Tensor], config: GPT2Config
) -> dict[str, torch.Tensor]:
    """The `GPT2` state dict of a Hugging Face checkpoint's tensors: names prefixed
    with `transformer.`, `Conv1D` matrices transposed, the mask buffers dropped.

    Raises:
        CheckpointError: naming every missing tensor, every unexpected one, and every
            one whose shape disagrees with `config` (in the file's orientation).
    """
    with torch.device("meta"):  # shapes only: no memory, no initialisation
        expected = {k: v.shape for k, v in GPT2(config).state_dict().items()}
    ours, unexpected, wrong, misshapen = {}, [], [], set()
    for name, tensor in tensors.items():
        if MASK_BUFFER.search(name):
            continue
        prefixed = name.startswith(("transformer.", "lm_head."))
        key = name if prefixed else f"transformer.{name}"
        if key not in expected:
            unexpected.append(name)
            continue
        transposed = key.endswith(TRANSPOSED)
        want = tuple(expected[key])[::-1] if transposed else tuple(expected[key])
        if tuple(tensor.shape) != want:  # both in the file's orientation
            wrong.append(f"{name} {tuple(tensor.shape)} (expected {want})")
            misshapen.add(key)
            continue
        ours[key] = tensor.t() if transposed else tensor
    head, wte = ours.get("lm_head.weight"), ours.get("transformer.wte.weight")
    if head is not None and wte is not None and not torch.equal(head, wte):
        raise CheckpointError(
            "lm_head.weight differs from transformer.wte.weight: GPT-2 ties them"
        )
    missing = sorted(set(expected) - set(ours) - misshapen - {"lm_head.weight"})
    problems = []
    if missing:
        problems.append(f"missing: {', '.join(missing)}")
    if unexpected:
        problems.append(f"unexpected: {', '.join(sorted(unexpected))}")
    if wrong:
        problems.append(f"wrong shape for config.json: {', '.join(sorted(wrong))}")
    if problems:
        raise CheckpointError(
            "the weights do not fit the config; " + "; ".join(problems)
        )
    ours["lm_head.weight"] = ours["transformer.wte.weight"]  # the tied head
    return ours


def load_pretrained(directory: str | os.PathLike, *, vocab_multiple: int = 1) -> GPT2:
    """A `GPT2` with the weights of a Hugging Face-format directory, in evaluation
    mode.

    With `vocab_multiple` > 1 the embedding gets rows of zeros up to the padded size
    (`GPT2Config.vocab_multiple`): the model computes the same logits, since the extra
    rows are never a token and their logits are dropped, and zero, unlike random
    rows, makes the weights depend on the checkpoint alone.

    Raises:
        FileNotFoundError: `directory` is not a directory.
        CheckpointError: no readable `config.json` or weights, or weights that do not
            fit the config (see `state_dict_from_hf`).
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"no model directory at {directory}")
    config_path = directory / "config.json"
    if not config_path.is_file():
        raise CheckpointError(f"{directory} has no config.json")
    try:
        values = json.loads(config_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"{config_path} is not JSON ({err})") from None
    if not isinstance(values, dict):
        raise CheckpointError(f"{config_path} is not a JSON object")
    config = config_from_hf(values)
    state_dict = state_dict_from_hf(read_weights(directory), config)
    if vocab_multiple != 1:
        config = dataclasses.replace(config, vocab_multiple=vocab_multiple)
        wte = state_dict["transformer.wte.weight"]
        extra = wte.new_zeros(config.padded_vocab_size - wte.shape[0], wte.shape[1])
        padded = torch.cat([wte, extra])
        state_dict["transformer.wte.weight"] = state_dict["lm_head.weight"] = padded
    model = GPT2(config)
    model.load_state_dict(state_dict)
    return model.eval()

"""Character vocabularies and checkpoints."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from zero_to_hero.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from zero_to_hero.vocab import CharVocab


def test_names_vocabulary_puts_the_boundary_first():
    vocab = CharVocab.from_words(
        [
            "emma",
            "olivia",
            "zoe",
            "bryce",
            "quinn",
            "jax",
            "kyleigh",
            "dawn",
            "frank",
            "pete",
            "tu",
        ]
    )
    assert vocab.chars[0] == "." and vocab.stoi(".") == 0
    assert vocab.stoi("a") == 1 and vocab.itos(vocab.size - 1) == "z"


@given(st.text(min_size=1))
def test_encode_decode_round_trip(text):
    vocab = CharVocab.from_text(text)
    assert vocab.decode(vocab.encode(text)) == text
    assert list(vocab.chars) == sorted(set(text))


def test_unknown_characters_and_ids_are_clear_errors():
    vocab = CharVocab.from_words(["abc"])
    with pytest.raises(
        ValueError, match=r"character 'Z' at position 2 of 'abZ' is not in"
    ):
        vocab.encode("abZ")
    with pytest.raises(
        ValueError, match=r"id 9 is out of range: the vocabulary has ids 0\.\.3"
    ):
        vocab.decode([9])


@pytest.mark.parametrize(
    "chars,boundary,message",
    [
        ("", None, "at least one"),
        ("aa", None, "more than once"),
        ("ab", ".", "not in the voc"),
    ],
)
def test_bad_vocabularies_are_rejected(chars, boundary, message):
    with pytest.raises(ValueError, match=message):
        CharVocab(chars, boundary)
    with pytest.raises(ValueError, match="also appears inside a word"):
        CharVocab.from_words(["a.b"])


@pytest.fixture
def saved(tmp_path):
    model = torch.nn.Linear(3, 2)
    vocab = CharVocab.from_words(["abc"])
    path = save_checkpoint(
        tmp_path / "m.pt", "test.linear", {"n_in": 3}, vocab, model.state_dict(), step=7
    )
    return path, model, vocab


def test_checkpoint_round_trip(saved):
    path, model, vocab = saved
    config, loaded_vocab, state, extra = load_checkpoint(path, "test.linear", vocab)
    assert config == {"n_in": 3} and loaded_vocab == vocab and extra == {"step": 7}
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())
    assert not list(path.parent.glob("*.tmp"))


def test_checkpoint_of_another_kind_or_vocabulary_is_refused(saved):
    path, _, _ = saved
    with pytest.raises(
        CheckpointError, match=r"holds a .test\.linear. model, but a .gpt."
    ):
        load_checkpoint(path, "gpt")
    with pytest.raises(CheckpointError, match="another vocabulary"):
        load_checkpoint(path, "test.linear", CharVocab.from_words(["xyz"]))


def test_foreign_and_corrupt_files_are_refused(tmp_path, saved):
    path, _, _ = saved
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(truncated, "test.linear")
    foreign = tmp_path / "foreign.pt"
    torch.save({"weights": torch.zeros(2)}, foreign)
    with pytest.raises(CheckpointError, match="not a zero_to_hero checkpoint"):
        load_checkpoint(foreign, "test.linear")
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        load_checkpoint(tmp_path / "none.pt", "test.linear")


def test_loading_never_unpickles_arbitrary_objects(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("code ran",))

    path = tmp_path / "evil.pt"
    torch.save({"format_version": 1, "payload": Evil()}, path)
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(path, "test.linear")

"""Bad input gets the domain's error with a clear message, never a silent wrong answer
or an unrelated exception (issue 21, part 2): each finding of the probe, and properties
over random bytes, truncations and every kind of float."""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from zero_to_hero.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from zero_to_hero.data import NAMES, DataSetError, find_local, load_names
from zero_to_hero.micrograd import Value
from zero_to_hero.vocab import CharVocab

VOCAB = CharVocab(".ab", ".")


# --- micrograd: nan, infinities and numpy scalars -------------------------------------


def test_relu_of_nan_is_nan_as_in_pytorch():
    assert math.isnan(Value(math.nan).relu().data)
    assert math.isnan(torch.relu(torch.tensor(math.nan, dtype=torch.float64)).item())


def test_a_numpy_float_overflows_like_a_python_float():
    """np.float64 ** 400 only warned and gave inf; a Value holds a plain float."""
    assert type(Value(np.float64(2.5)).data) is float
    with pytest.raises(OverflowError, match="too large for a float"):
        Value(np.float64(10)) ** 400


ANY_FLOAT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308]),
)
UNARY = {
    "exp": (lambda v: v.exp(), torch.exp),
    "log": (lambda v: v.log(), torch.log),
    "tanh": (lambda v: v.tanh(), torch.tanh),
    "sigmoid": (lambda v: v.sigmoid(), torch.sigmoid),
    "relu": (lambda v: v.relu(), torch.relu),
    "neg": (lambda v: -v, torch.neg),
    "square": (lambda v: v**2, lambda t: t**2),
}
BINARY = {
    "+": (lambda a, b: a + b, torch.add),
    "-": (lambda a, b: a - b, torch.sub),
    "*": (lambda a, b: a * b, torch.mul),
    "/": (lambda a, b: a / b, torch.div),
}


def _agrees(ours, theirs: float) -> None:
    """Our result equals PyTorch's float64 one (nan matching nan), or ours raised an
    error that says what went wrong: never a different number."""
    if isinstance(ours, Exception):
        assert isinstance(ours, ArithmeticError | ValueError) and str(ours)
        return
    if math.isnan(theirs):
        assert math.isnan(ours.data)
    else:
        assert ours.data == pytest.approx(theirs, rel=1e-12, abs=1e-300)


def _run(op, *args):
    try:
        return op(*args)
    except Exception as err:  # collected, then judged by _agrees
        return err


@pytest.mark.parametrize("name", sorted(UNARY))
@given(x=ANY_FLOAT)
@settings(max_examples=150)
def test_unary_ops_on_any_float_agree_with_pytorch_or_raise(name, x):
    ours, theirs = UNARY[name]
    expected = theirs(torch.tensor(x, dtype=torch.float64)).item()
    _agrees(_run(ours, Value(x)), expected)


@pytest.mark.parametrize("name", sorted(BINARY))
@given(a=ANY_FLOAT, b=ANY_FLOAT)
@settings(max_examples=150)
def test_binary_ops_on_any_float_agree_with_pytorch_or_raise(name, a, b):
    ours, theirs = BINARY[name]
    t = torch.tensor
    expected = theirs(t(a, dtype=torch.float64), t(b, dtype=torch.float64)).item()
    _agrees(_run(ours, Value(a), Value(b)), expected)


# --- data sets --------------------------------------------------------------------


def test_a_data_directory_that_does_not_exist_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv("ZERO_TO_HERO_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(DataSetError, match="not a directory"):
        find_local(NAMES)


def test_a_byte_order_mark_is_not_a_character(tmp_path):
    names = tmp_path / "names.txt"
    names.write_bytes("\ufeffemma\nolivia\n".encode())
    assert load_names(names) == ["emma", "olivia"]
    assert CharVocab.from_words(load_names(names)).size == 1 + len(set("emmaolivia"))


def test_text_that_is_not_utf8_and_an_empty_names_file_are_refused(tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes("zoë\n".encode("latin-1"))
    with pytest.raises(DataSetError, match="not UTF-8"):
        load_names(latin)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    with pytest.raises(DataSetError, match="holds no names"):
        load_names(empty)


def damaged(valid: bytes) -> st.SearchStrategy[bytes]:
    """A valid file's bytes cut short, one of them flipped, or random bytes instead."""
    return st.one_of(
        st.integers(0, len(valid) - 1).map(lambda n: valid[:n]),
        st.binary(max_size=2048),
        st.tuples(st.integers(0, len(valid) - 1), st.integers(1, 255)).map(
            lambda at: (
                valid[: at[0]] + bytes([valid[at[0]] ^ at[1]]) + valid[at[0] + 1 :]
            )
        ),
    )


# --- checkpoints ------------------------------------------------------------------


def _valid_checkpoint_bytes(tmp_path) -> bytes:
    path = tmp_path / "valid.pt"
    save_checkpoint(path, "test", {"n": 1}, VOCAB, {"w": torch.arange(4.0)})
    return path.read_bytes()


def test_an_empty_checkpoint_says_why(tmp_path):
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    with pytest.raises(CheckpointError, match=r"empty \(0 bytes\)"):
        load_checkpoint(empty, "test")


def test_a_checkpoint_without_its_kind_is_a_checkpoint_error(tmp_path):
    path = tmp_path / "nokind.pt"
    torch.save({"format_version": 1, "config": {}, "state_dict": {}}, path)
    with pytest.raises(CheckpointError, match="lacks extra, kind, vocab"):
        load_checkpoint(path, "test")


@given(data=st.data())
@settings(max_examples=60)
def test_truncated_or_random_checkpoints_give_a_checkpoint_error(
    tmp_path_factory, data
):
    tmp = tmp_path_factory.mktemp("ckpt")
    valid = _valid_checkpoint_bytes(tmp)
    blob = data.draw(damaged(valid))
    path = tmp / "bad.pt"
    path.write_bytes(blob)
    try:
        load_checkpoint(path, "test")
    except CheckpointError as err:
        assert str(path) in str(err)
    # a flipped byte in padding or in a tensor's data can leave a loadable checkpoint:
    # that is fine, as long as nothing but a CheckpointError ever comes out


def test_loading_never_unpickles_arbitrary_objects(tmp_path):
    path = tmp_path / "evil.pt"
    buf = io.BytesIO()
    torch.save({"format_version": 1, "obj": io.StringIO("x")}, buf)
    path.write_bytes(buf.getvalue())
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(path, "test")


# --- tokenizer files and ids --------------------------------------------------------


@pytest.fixture(scope="module")
def tokenizer():
    from zero_to_hero.bpe import RegexTokenizer

    tok = RegexTokenizer().train("hello world, hello tokens " * 20, 270)
    tok.register_special_tokens({"<|end|>": 270})
    return tok


def test_a_crafted_pattern_in_a_file_is_refused_not_run(tokenizer, tmp_path):
    """The pattern `(?:a|a)+b|[\\s\\S]` made `bpe encode` of 34 characters run for
    minutes (catastrophic backtracking); a file may only name a known pattern."""
    from zero_to_hero.bpe.storage import TokenizerFileError, load, save

    path = tmp_path / "evil.bpe"
    save(tokenizer, path)
    text = path.read_text(encoding="ascii")
    pattern_line = next(ln for ln in text.splitlines() if ln.startswith("pattern "))
    path.write_text(text.replace(pattern_line, 'pattern "(?:a|a)+b|[\\\\s\\\\S]"'))
    with pytest.raises(TokenizerFileError, match="not one of the known ones"):
        load(path)


def test_a_failed_save_leaves_no_temporary_file(tokenizer, tmp_path, monkeypatch):
    from zero_to_hero.bpe import storage

    path = tmp_path / "tok.bpe"
    storage.save(tokenizer, path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(storage, "_quote", broken)
    with pytest.raises(OSError, match="disk full"):
        storage.save(tokenizer, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tok.bpe"]


@given(
    ids=st.lists(
        st.one_of(
            st.floats(allow_nan=False), st.booleans(), st.text(max_size=2), st.none()
        ),
        min_size=1,
        max_size=5,
    )
)
def test_decode_refuses_anything_but_integer_ids(tokenizer, ids):
    """decode([1.0]) and decode([True]) used to return the byte of id 1."""
    with pytest.raises(TypeError, match="token ids must be ints"):
        tokenizer.decode([*ids, 1])
    with pytest.raises(TypeError, match="token ids must be ints"):
        tokenizer.decode([1, *ids])


def test_decode_still_takes_numpy_integers(tokenizer):
    ids = tokenizer.encode("hello world")
    assert tokenizer.decode(np.array(ids)) == "hello world"


def test_a_lone_surrogate_is_a_clear_error(tokenizer):
    with pytest.raises(ValueError, match="lone surrogate"):
        tokenizer.encode("a\ud800b")


@given(data=st.data())
@settings(max_examples=60)
def test_truncated_or_random_tokenizer_files_give_a_tokenizer_file_error(
    tokenizer, tmp_path_factory, data
):
    from zero_to_hero.bpe.storage import TokenizerFileError, load, save

    tmp = tmp_path_factory.mktemp("tok")
    valid_path = tmp / "valid.bpe"
    save(tokenizer, valid_path)
    valid = valid_path.read_bytes()
    blob = data.draw(damaged(valid))
    path = tmp / "bad.bpe"
    path.write_bytes(blob)
    try:
        load(path)
    except TokenizerFileError as err:
        assert str(path) in str(err)


@pytest.mark.parametrize(
    ("kind", "config"),
    [("gpt", {"n_layer": -2}), ("gpt", {"no_such": 1}), ("makemore.mlp", {"bad": 1})],
)
def test_a_checkpoint_whose_config_is_not_a_model_is_a_checkpoint_error(
    tmp_path, kind, config
):
    from zero_to_hero.gpt.training import load_model as load_gpt
    from zero_to_hero.makemore.saving import load_model as load_makemore

    path = tmp_path / "edited.pt"
    save_checkpoint(path, kind, config, VOCAB, {})
    load = load_gpt if kind == "gpt" else load_makemore
    with pytest.raises(CheckpointError, match="config does not describe"):
        load(path)

"""Token shards: ids survive the round trip through uint16 `.npy` files, the loader's
batches are slices of the token stream, ranks split a step between them, and reading
resumes where it stopped."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from zero_to_hero.gpt2 import data
from zero_to_hero.gpt2.data import (
    ShardError,
    ShardLoader,
    encode_text_to_shards,
    list_shards,
    read_shard,
    write_shards,
)

ids_lists = st.lists(st.integers(0, 2**16 - 1), max_size=300)


@settings(max_examples=40, deadline=None)
@given(tokens=ids_lists, shard_size=st.integers(1, 50))
def test_ids_round_trip_through_shards(tmp_path_factory, tokens, shard_size):
    folder = tmp_path_factory.mktemp("shards")
    paths = write_shards(tokens, folder, shard_size, prefix="t")
    assert paths == list_shards(folder, "train")
    assert len(paths) == -(-len(tokens) // shard_size)
    arrays = [np.load(p) for p in paths]  # plain numpy reads them: the .npy format
    assert all(a.dtype == np.uint16 and len(a) <= shard_size for a in arrays)
    back = np.concatenate(arrays).tolist() if arrays else []
    assert back == tokens


def test_shard_names_follow_fineweb(tmp_path):
    paths = write_shards(range(25), tmp_path, 10, prefix="edu", first_index=1)
    names = [p.name for p in paths]
    assert names == [f"edu_train_{i:06d}.npy" for i in (1, 2, 3)]
    assert read_shard(paths[-1]).tolist() == list(range(20, 25))


@pytest.mark.parametrize("bad", [-1, 2**16, 2**31])
def test_ids_that_do_not_fit_uint16_are_an_error(tmp_path, bad):
    tokens = [5, 7, bad, 9]
    with pytest.raises(ShardError, match=f"token id {bad} at position 2"):
        write_shards(tokens, tmp_path, 2, prefix="t")
    assert list(tmp_path.iterdir()) == []  # checked before anything is written


def test_non_integer_ids_are_an_error(tmp_path):
    with pytest.raises(ShardError, match="integers"):
        write_shards([1.5, 2.0], tmp_path, 2, prefix="t")
    with pytest.raises(ShardError, match="shard_size"):
        write_shards([1, 2], tmp_path, 0, prefix="t")


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    def broken_save(f, array, allow_pickle=False):
        f.write(b"\x93NUMPY half a header")
        raise OSError("disk full")

    monkeypatch.setattr(data.np, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        write_shards(range(10), tmp_path, 4, prefix="t")
    assert list(tmp_path.iterdir()) == []


def stream_of(paths):
    return torch.from_numpy(np.concatenate([read_shard(p) for p in paths]).astype(int))


def test_batches_are_slices_of_the_stream(tmp_path):
    B, T = 3, 5
    paths = write_shards(range(1000), tmp_path, 1000, prefix="t")
    stream = stream_of(paths)
    loader = ShardLoader(tmp_path, B, T, split="train")
    for step in range(10):
        x, y = loader.next_batch()
        assert x.dtype == y.dtype == torch.int64
        assert x.shape == y.shape == (B, T)
        start = step * B * T
        assert torch.equal(x.flatten(), stream[start : start + B * T])
        assert torch.equal(y.flatten(), stream[start + 1 : start + B * T + 1])


@pytest.mark.parametrize("world_size", [2, 3])
def test_ranks_together_read_what_one_process_reads(tmp_path, world_size):
    B, T = 2, 4
    rng = np.random.default_rng(0)
    write_shards(rng.integers(0, 50257, 690), tmp_path, 230, prefix="t")
    one = ShardLoader(tmp_path, world_size * B, T, split="train")
    ranks = [
        ShardLoader(tmp_path, B, T, split="train", rank=r, world_size=world_size)
        for r in range(world_size)
    ]
    for _ in range(12):  # several shards and a wrap-around to the first
        x, y = one.next_batch()
        parts = [loader.next_batch() for loader in ranks]
        assert torch.equal(torch.cat([p[0] for p in parts]), x)
        assert torch.equal(torch.cat([p[1] for p in parts]), y)


def test_reading_crosses_shard_boundaries_and_wraps(tmp_path):
    B, T = 2, 3  # a step takes 6 tokens and needs 7 (the last target)
    a = write_shards(range(19), tmp_path, 19, prefix="a")
    b = write_shards(range(100, 118), tmp_path, 18, prefix="b")
    loader = ShardLoader(a + b, B, T)
    batches = [loader.next_batch() for _ in range(6)]
    starts = [int(x[0, 0]) for x, _ in batches]
    # 12..18 just fits in the first shard; 112..118 would need a token past the
    # second, so reading goes back to the first
    assert starts == [0, 6, 12, 100, 106, 0]
    assert int(batches[2][1][-1, -1]) == 18


def test_resuming_from_state_gives_the_same_next_batch(tmp_path):
    write_shards(range(240), tmp_path, 60, prefix="t")
    loader = ShardLoader(tmp_path, 2, 5, split="train", rank=1, world_size=2)
    for _ in range(4):
        loader.next_batch()
    state = loader.state()
    expected = [loader.next_batch() for _ in range(3)]
    fresh = ShardLoader(tmp_path, 2, 5, split="train", rank=1, world_size=2)
    fresh.load_state(state)
    for x, y in expected:
        x2, y2 = fresh.next_batch()
        assert torch.equal(x, x2) and torch.equal(y, y2)
    fresh.reset()
    first = ShardLoader(tmp_path, 2, 5, split="train", rank=1, world_size=2)
    assert torch.equal(fresh.next_batch()[0], first.next_batch()[0])


def test_state_survives_a_weights_only_checkpoint(tmp_path):
    write_shards(range(100), tmp_path / "s", 50, prefix="t")
    loader = ShardLoader(tmp_path / "s", 2, 4, split="train")
    for _ in range(7):
        loader.next_batch()
    torch.save({"loader": loader.state()}, tmp_path / "ckpt.pt")
    state = torch.load(tmp_path / "ckpt.pt", weights_only=True)["loader"]
    fresh = ShardLoader(tmp_path / "s", 2, 4, split="train")
    fresh.load_state(state)
    assert torch.equal(fresh.next_batch()[0], loader.next_batch()[0])


def test_loader_errors(tmp_path):
    with pytest.raises(ShardError, match="no train shards"):
        ShardLoader(tmp_path, 2, 3, split="train")
    with pytest.raises(ShardError, match="split"):
        ShardLoader(tmp_path, 2, 3)
    with pytest.raises(ShardError, match="empty"):
        ShardLoader([], 2, 3)
    paths = write_shards(range(20), tmp_path, 10, prefix="t")
    with pytest.raises(ShardError, match=r"holds 10 tokens.*= 11"):
        ShardLoader(paths, 2, 5)  # B·T + 1 = 11 > 10
    with pytest.raises(ShardError, match=r"= 13"):
        ShardLoader(paths, 2, 3, world_size=2)  # one step of both ranks
    with pytest.raises(ShardError, match=r"rank must be in 0\.\.1.*got 2"):
        ShardLoader(paths, 1, 2, rank=2, world_size=2)
    with pytest.raises(ShardError, match="batch_size"):
        ShardLoader(paths, 0, 2)
    loader = ShardLoader(paths, 1, 2)
    with pytest.raises(ShardError, match="shard 5"):
        loader.load_state({"shard": 5, "position": 0})
    with pytest.raises(ShardError, match="a loader state"):
        loader.load_state({"position": 0})


def test_a_file_that_is_not_a_shard_is_an_error(tmp_path):
    path = tmp_path / "t_train_000000.npy"
    np.save(path, np.arange(100, dtype=np.int32))
    with pytest.raises(ShardError, match="1-D array of uint16"):
        ShardLoader(tmp_path, 2, 3, split="train")


@pytest.fixture(scope="module")
def gpt2():
    """GPT-2's tokenizer; the only reason to skip is that its files are missing."""
    from zero_to_hero.bpe.gpt2 import find_gpt2_files, load_gpt2

    try:
        find_gpt2_files()
    except FileNotFoundError as missing:
        pytest.skip(f"GPT-2's vocabulary files are missing: {missing}")
    return load_gpt2()


def test_text_to_shards_with_gpt2(tmp_path, gpt2):
    documents = ["First Citizen:\nBefore we proceed any further, hear me speak.", "Hi"]
    documents.append("A <|endoftext|> inside a text is ordinary text. " * 20)
    out = encode_text_to_shards(
        documents, tmp_path, prefix="doc", shard_size=40, val_fraction=0.2
    )
    eot = gpt2.special_tokens["<|endoftext|>"]
    expected = []
    for document in documents:
        expected += [eot, *gpt2.encode_ordinary(document)]
    # the val shards come first in the numbering, the train shards go on after them
    k = len(out["val"])
    assert [p.name for p in out["val"]] == [f"doc_val_{i:06d}.npy" for i in range(k)]
    assert out["train"][0].name == f"doc_train_{k:06d}.npy"
    assert len(list(tmp_path.iterdir())) == k + len(out["train"])
    train, val = stream_of(out["train"]).tolist(), stream_of(out["val"]).tolist()
    assert train + val == expected
    assert len(val) == int(0.2 * len(expected))
    assert gpt2.decode(train[1:]).startswith(documents[0])
    assert train.count(eot) == 3  # the one in the text is not the special token
    assert out["train"] == list_shards(tmp_path, "train")


def test_existing_shards_are_kept_unless_overwrite(tmp_path, gpt2):
    text = "To be, or not to be, that is the question. " * 30
    first = encode_text_to_shards(text, tmp_path, prefix="h", shard_size=20)
    first_ids = stream_of(first["train"]).tolist()
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(ShardError, match=r"already holds \d+ shards named h_"):
        encode_text_to_shards(text, tmp_path, prefix="h", shard_size=200)
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before
    second = encode_text_to_shards(
        text, tmp_path, prefix="h", shard_size=200, overwrite=True
    )
    assert len(second["train"]) < len(first["train"])
    # no stale shard of the first run is left for a loader to read
    assert sorted(tmp_path.iterdir()) == sorted(second["train"] + second["val"])
    assert stream_of(list_shards(tmp_path, "train")).tolist() == first_ids


def test_tiny_shakespeare_has_its_published_gpt2_token_count(tmp_path, gpt2):
    out = data.encode_shakespeare(tmp_path)
    train, val = stream_of(out["train"]), stream_of(out["val"])
    # nanoGPT's shakespeare/prepare.py: 301,966 + 36,059 tokens, plus our <|endoftext|>
    assert len(train) + len(val) == 301_966 + 36_059 + 1
    assert len(val) == int(0.1 * (len(train) + len(val)))
    assert [p.name for p in out["val"]] == ["shakespeare_val_000000.npy"]
    assert [p.name for p in out["train"]] == ["shakespeare_train_000001.npy"]
    assert gpt2.decode(train[1:20].tolist()).startswith("First Citizen:")

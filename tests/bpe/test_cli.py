"""`zero-to-hero bpe train | encode | vocab`."""

from __future__ import annotations

from zero_to_hero.bpe.storage import load
from zero_to_hero.cli import main


def test_train_encode_and_list_from_the_command_line(tmp_path, capsys):
    text = tmp_path / "text.txt"
    text.write_text("low lower lowest low low\n" * 20, encoding="utf-8")
    model = tmp_path / "low.bpe"
    assert (
        main(["bpe", "train", str(text), "--vocab-size", "262", "--out", str(model)])
        == 0
    )
    assert "6 merges learned" in capsys.readouterr().out
    tok = load(model)
    assert main(["bpe", "encode", str(model), "low lower"]) == 0
    assert capsys.readouterr().out.split() == [str(i) for i in tok.encode("low lower")]
    assert main(["bpe", "vocab", str(model)]) == 0
    assert capsys.readouterr().out.count("\n") == 262


def test_basic_tokenizer_and_the_straightforward_trainer(tmp_path, capsys):
    text = tmp_path / "t.txt"
    text.write_text("aaabdaaabac", encoding="utf-8")
    model = tmp_path / "wiki.bpe"
    argv = [
        "bpe",
        "train",
        str(text),
        "--vocab-size",
        "259",
        "--pattern",
        "none",
        "--trainer",
        "straightforward",
        "--out",
        str(model),
    ]
    assert main(argv) == 0
    assert "11 bytes -> 5 tokens" in capsys.readouterr().out
    assert type(load(model)).__name__ == "BasicTokenizer"

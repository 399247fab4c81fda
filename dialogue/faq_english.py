"""The knowledge base for callers served in English (issue 14): each entry's `en` block (faq/*.yaml) names the
words an English question about it uses and the answer in English.

The Japanese index reads readings and lemmas of fugashi tokens; an English line has neither, so this side matches
words: an entry answers when every one of its `requires` groups has a word in the question (the topic: shipping,
points, a receipt) and it names more of the entry's words than any other entry does. Words match whole, in any
case, with a plural or -ing/-ed ending; a phrase (cash on delivery) matches as written. Japanese words an English
speaker uses (送料, 領収書) may be listed too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

_WORD = re.compile(r"[a-z0-9]+|[\u3040-\u30ff\u3400-\u9fff]+")
_ENDINGS = ("ing", "ed", "es", "s")
MIN_WORDS = 2  # words of an entry a question must name (a topic word and one more, or two topic words)


class EnglishAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    voice: str = Field(min_length=1)
    chat: str = Field(min_length=1)


class EnglishEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    keywords: list[str] = Field(min_length=1)
    requires: list[list[str]] = Field(default_factory=list)  # each list: one of its words must be said
    answer: EnglishAnswer


def _stem(word: str) -> str:
    """points -> point, wrapping -> wrap, expired and expire -> expir: one form for the words of a question."""
    for ending in _ENDINGS:
        if len(word) > len(ending) + 2 and word.endswith(ending):
            word = word[: -len(ending)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def _words(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _WORD.findall(text.lower()))


def _says(said: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return n > 0 and any(said[i : i + n] == phrase for i in range(len(said) - n + 1))


@dataclass(frozen=True, slots=True)
class EnglishIndex:
    """(entry id, its English block) for the entries that have one."""

    entries: tuple[tuple[str, EnglishEntry], ...]

    def best(self, text: str) -> tuple[str, int] | None:
        """The entry id the question is about and how many of its words it names, or None: no entry whose
        topic it names, or two that it names equally."""
        said = _words(text)
        scored = []
        for entry_id, entry in self.entries:
            if not all(any(_says(said, _words(w)) for w in group) for group in entry.requires):
                continue
            hits = sum(_says(said, _words(w)) for w in {*entry.keywords, *(w for g in entry.requires for w in g)})
            if hits >= MIN_WORDS:
                scored.append((hits, entry_id))
        if not scored:
            return None
        scored.sort(reverse=True)
        if len(scored) > 1 and scored[0][0] == scored[1][0]:
            return None
        return scored[0][1], scored[0][0]


def english_index(entries: Sequence[tuple[str, EnglishEntry | None]]) -> EnglishIndex:
    return EnglishIndex(tuple((i, e) for i, e in entries if e is not None))

"""What changed in a text, for people: word by word, kept, removed and added (the review
pages' "what changed" and the plan's versions)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

SAME, INS, DEL = "same", "ins", "del"


@dataclass(frozen=True)
class Part:
    kind: str  # SAME | INS | DEL
    text: str


def word_diff(before: str | None, after: str | None) -> list[Part]:
    """``before`` turned into ``after``, word by word: kept, removed and added parts."""
    old = re.findall(r"\S+|\s+", before or "")
    new = re.findall(r"\S+|\s+", after or "")
    parts: list[Part] = []

    def add(kind: str, words: list[str]) -> None:
        text = "".join(words)
        if not text:
            return
        if parts and parts[-1].kind == kind:
            parts[-1] = Part(kind, parts[-1].text + text)
        else:
            parts.append(Part(kind, text))

    matcher = SequenceMatcher(a=old, b=new, autojunk=False)
    chunks = [
        (op == "equal", old[i1:i2], new[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes()
    ]
    # A lone space kept between two changes splits one change into two ("[-on-][+in+]
    # [-a-][+my+]"); count it as changed, so the removed words read together, then the added.
    merged: list[tuple[bool, list[str], list[str]]] = []
    for i, (same, a, b) in enumerate(chunks):
        between = 0 < i < len(chunks) - 1 and not chunks[i - 1][0] and not chunks[i + 1][0]
        if same and between and all(not w.strip() for w in a):
            same = False
        if merged and not same and not merged[-1][0]:
            merged[-1] = (False, merged[-1][1] + a, merged[-1][2] + b)
        else:
            merged.append((same, list(a), list(b)))
    for same, a, b in merged:
        if same:
            add(SAME, a)
        else:
            add(DEL, a)
            add(INS, b)
    return parts


def swap(before: str, after: str) -> list[Part]:
    return [Part(DEL, before), Part(SAME, " → "), Part(INS, after)]


def whole(kind: str, text: str) -> list[Part]:
    return [Part(INS if kind == "added" else DEL, text)]

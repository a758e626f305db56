"""An amendment as the reader sees it: for each field it changes, the paragraphs it touches,
each as a word diff against the hearing version. Made on each save and stored, so a page
of 200 amendments diffs nothing."""

from __future__ import annotations

from app.core import diffing, editing
from app.proposals.diff import word_diff


def hunks(hearing: dict[str, str], text: dict[str, str]) -> list[dict]:
    """[{"field": name, "pieces": [[kind, text], …]}, …]: one item per touched run of
    paragraphs, in the fields' order, within one budget of matching for them all."""
    budget = diffing.Budget()
    result: list[dict] = []
    for name, old in hearing.items():
        new = text[name]
        if editing.plain_lines(old).strip() == editing.plain_lines(new).strip():
            continue
        before, after = editing.paragraphs(old), editing.paragraphs(new)
        for op, i1, i2, j1, j2 in diffing.opcodes(before, after, budget):
            if op == "equal":
                continue
            pieces = word_diff("\n\n".join(before[i1:i2]), "\n\n".join(after[j1:j2]), budget)
            result.append({"field": name, "pieces": [[p.kind, p.text] for p in pieces]})
    return result

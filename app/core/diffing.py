"""Differences between two sequences at a bounded cost: what the word diff and the
three-way merge of shared text are built on.

difflib's SequenceMatcher without its junk heuristic (`autojunk=False`) compares every item
of one side with every equal item of the other: on text where items repeat (the same word,
an empty paragraph) that is quadratic or worse, and one request could cost minutes. This
matcher takes the common start and end away first (linear), then matches the rest as
SequenceMatcher does, the longest common run first and then the same on each side of it,
counting its steps. When its `Budget` is spent, whatever is still unmatched is reported as
replaced: the result is always a correct difference (applying it turns `a` into `b`), only
coarser than it could be. Ordinary edits cost a small part of the budget.

Standard library only.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Sequence
from itertools import repeat

# Steps of the inner loop (one comparison of an item with an equal item on the other side,
# or one item looked at). About 0.05 s of CPU on the machines Forslag runs on.
STEPS = 1_000_000


class Budget:
    """Steps left to spend; several comparisons made for one request can share one."""

    def __init__(self, steps: int = STEPS) -> None:
        self.left = steps

    def spend(self, steps: int) -> bool:
        """Take `steps`; False (and nothing left) if there were not that many."""
        self.left -= steps
        if self.left < 0:
            self.left = 0
            return False
        return True

    @property
    def spent(self) -> bool:
        return self.left <= 0


Opcode = tuple[str, int, int, int, int]


def opcodes(
    a: Sequence[Hashable], b: Sequence[Hashable], budget: Budget | None = None
) -> list[Opcode]:
    """What turns `a` into `b`, as SequenceMatcher.get_opcodes() gives it: ("equal",
    "replace", "delete" or "insert", i1, i2, j1, j2) covering both sequences in order."""
    result: list[Opcode] = []
    i = j = 0
    for bi, bj, size in _matching_blocks(a, b, budget or Budget()):
        if i < bi and j < bj:
            result.append(("replace", i, bi, j, bj))
        elif i < bi:
            result.append(("delete", i, bi, j, bj))
        elif j < bj:
            result.append(("insert", i, bi, j, bj))
        if size:
            result.append(("equal", bi, bi + size, bj, bj + size))
        i, j = bi + size, bj + size
    return result


def _matching_blocks(a, b, budget: Budget) -> list[tuple[int, int, int]]:
    """The runs (i, j, size) where a[i:i+size] == b[j:j+size], in order, adjacent runs
    joined, ending with (len(a), len(b), 0)."""
    n, m = len(a), len(b)
    start = 0
    while start < min(n, m) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(n, m) - start and a[n - 1 - end] == b[m - 1 - end]:
        end += 1
    blocks = [(0, 0, start)] if start else []
    if start < n - end and start < m - end:
        blocks += _middle(a, b, start, n - end, start, m - end, budget)
    if end:
        blocks.append((n - end, m - end, end))
    joined: list[tuple[int, int, int]] = []
    for block in blocks:
        if (
            joined
            and joined[-1][0] + joined[-1][2] == block[0]
            and (joined[-1][1] + joined[-1][2] == block[1])
        ):
            joined[-1] = (joined[-1][0], joined[-1][1], joined[-1][2] + block[2])
        else:
            joined.append(block)
    joined.append((n, m, 0))
    return joined


def _middle(a, b, alo: int, ahi: int, blo: int, bhi: int, budget: Budget):
    """The matching runs of a[alo:ahi] and b[blo:bhi], longest first, as far as `budget`
    goes; in order."""
    # Where each item of b's middle is, in order: built once, in linear time.
    where: dict[Hashable, list[int]] = {}
    for j in range(blo, bhi):
        where.setdefault(b[j], []).append(j)
    count = {item: len(js) for item, js in where.items()}
    # Where matching everything costs more than the budget holds, items as common as
    # SequenceMatcher's autojunk has them (more than 1% of 200 or more) only join a run
    # found on the others: a blank line, "og", "at" do not anchor.
    popular: frozenset = frozenset()
    if bhi - blo >= 200:
        limit = (bhi - blo) // 100 + 1
        popular = frozenset(item for item, n in count.items() if n > limit)
    if not budget.spend(2 * (bhi - blo)):
        return []
    blocks = []
    regions = [(alo, ahi, blo, bhi)]
    while regions and not budget.spent:
        alo, ahi, blo, bhi = regions.pop()
        cost = sum(map(count.get, a[alo:ahi], repeat(0)))
        if not budget.spend(ahi - alo):
            break
        found = _longest(
            a, b, where, (alo, ahi, blo, bhi), budget, popular if cost > budget.left else ()
        )
        if not found:
            continue
        i, j, size = found
        blocks.append(found)
        if alo < i and blo < j:
            regions.append((alo, i, blo, j))
        if i + size < ahi and j + size < bhi:
            regions.append((i + size, ahi, j + size, bhi))
    return sorted(blocks)


def _longest(a, b, where, region, budget: Budget, skip) -> tuple[int, int, int] | None:
    """The longest run common to a[alo:ahi] and b[blo:bhi] (the first of the longest), as
    SequenceMatcher.find_longest_match finds it; runs start only on items not in `skip`
    and then take in equal neighbours. None if there is none, or if finding it would take
    more than what is left of `budget`."""
    alo, ahi, blo, bhi = region
    best_i, best_j, best_size = alo, blo, 0
    # run[j]: the length of the common run ending with a[i - 1] and b[j].
    run: dict[int, int] = {}
    steps = 0
    for i in range(alo, ahi):
        item = a[i]
        next_run = {}
        if item not in skip and (positions := where.get(item)):
            first = bisect_left(positions, blo)
            last = bisect_left(positions, bhi, first)
            steps += last - first
            for j in positions[first:last]:
                k = next_run[j] = run.get(j - 1, 0) + 1
                if k > best_size:
                    best_i, best_j, best_size = i - k + 1, j - k + 1, k
        run = next_run
        steps += 1
        if steps > budget.left:
            budget.spend(steps)
            return None
    if not best_size:
        budget.spend(steps)
        return None
    while best_i > alo and best_j > blo and a[best_i - 1] == b[best_j - 1]:
        best_i, best_j, best_size = best_i - 1, best_j - 1, best_size + 1
    while (
        best_i + best_size < ahi
        and best_j + best_size < bhi
        and (a[best_i + best_size] == b[best_j + best_size])
    ):
        best_size += 1
    budget.spend(steps + best_size)
    return best_i, best_j, best_size

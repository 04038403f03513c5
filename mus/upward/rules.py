"""The anonymity rules of the upward feedback as pure functions (see mus.upward):
when counters are released to the pages, and which figures a page may show."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from annualcycle.dashboards.anonymity import suppressed_rows

SCALE = (1, 2, 3, 4, 5)
SCALE_LABELS = {
    1: _("Helt uenig"),
    2: _("Delvis uenig"),
    3: _("Hverken enig eller uenig"),
    4: _("Delvis enig"),
    5: _("Helt enig"),
}


def released_statements[Q: Hashable](totals: Mapping[Q, tuple[int, int]], k: int) -> set[Q]:
    """The statements whose counters are copied to the pages now.

    `totals`: statement → (answers counted, answers in the last copy). A statement is
    released when at least k answers have come in since its last copy, so the copies
    shown one after the other always differ by k answers or more.
    (k = 3: 3 counted, 0 copied → released; 4 counted, 3 copied → not; 6, 3 → released.)"""
    return {key for key, (counted, published) in totals.items() if counted - published >= k}


def is_shown(n: int, k: int) -> bool:
    """A figure built from n answers is shown: n of at least k (k as it is now)."""
    return n >= k


def hidden_rows[R: Hashable](rows: Iterable[tuple[R, int]], k: int) -> set[R]:
    """The rows (per leader: key, n) a page above the leaders hides. The page's total is
    the sum of the rows shown, so there is no hidden remainder to protect, and the
    dashboards' rule without a total applies: every row of 0 < n < k is hidden."""
    rows = list(rows)
    hidden = suppressed_rows(rows, None, k)
    return {key for key, _n in rows if key in hidden}


@dataclass(frozen=True)
class Figure:
    """The copy of one statement's counters: how many answered each value."""

    counts: Mapping[int, int]

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        if not self.n:
            return None
        return sum(value * count for value, count in self.counts.items()) / self.n

    def distribution(self) -> list[tuple[int, str, int, int]]:
        """(value, label, count, percent) for each value of the scale."""
        n = self.n or 1
        return [
            (
                value,
                str(SCALE_LABELS[value]),
                self.counts.get(value, 0),
                round(100 * self.counts.get(value, 0) / n),
            )
            for value in SCALE
        ]

    @classmethod
    def sum(cls, figures: Iterable[Figure]) -> Figure:
        counts = dict.fromkeys(SCALE, 0)
        for figure in figures:
            for value, count in figure.counts.items():
                counts[value] += count
        return cls(counts=counts)

"""k-anonymity for the MED dashboards: which cells to hide so that no figure about
fewer than k people can be read, or worked out from the figures that are shown.

k is the kommune's `med_min_group_size` (default 5). The logic is pure (counts in, keys
out) so it is tested without a database.

What a cell's n is
------------------
A dashboard page for a unit U has a row for the people directly in U, a row per child
unit (its whole subtree) and a total row. Every figure is a sum over people, and each
person counts in exactly one row (their main position), so for every figure the total
is the sum of the rows. A cell's n is the number of people the figure is built from:
the row's people for head counts, MUS held and plans signed; the people with a
self-evaluation (leader evaluation) for that completion; the people with plan
activities, with course places, or with rated competences of a group for those figures.
Every figure is suppressed on its row's number of people AND on its own family's n,
each with the rules below: a row about fewer than k people shows nothing at all (not
even a zero), and a group only leaders answer is hidden in a row of nine. Hiding a
further cell never makes another one derivable, so combining the two is safe.

The rule on one page (`suppressed_rows`)
----------------------------------------
1. A row with 0 < n < k is hidden. A row with n = 0 holds no one and is never hidden.
2. If 0 < total < k, the total and every row are hidden.
3. Complementary suppression: if the total is shown and the hidden rows together hold
   fewer than k people, "total − the shown rows" would give their figure away. Then the
   smallest further row is hidden too, and again, until the hidden rows together hold at
   least k people. If no row is left to hide, the total is hidden instead.
   (Total 12 with rows 3, 4 and 5 at k = 5: the 3 and the 4 are hidden, both below k,
   together 7. Total 12 with rows 2, 5 and 5: the 2 and one 5 are hidden.)

The rule across pages (`suppressed_cells`)
------------------------------------------
A child unit's row on U's page is also the total of the child's own page, reached by
drilling down, so hiding it on U's page protects nothing if its own page shows it, and
hiding it on its own page protects nothing if its rows there add up to it. The decision
is therefore made once per cell of the unit tree, bottom-up, and every page shows the
same decision for the same cell:

* a unit's subtree figure (its row above, its total on its own page) and the figure for
  the people directly in it are the cells;
* each unit's page applies the rule above, where the only partner for complementary
  suppression is the "directly in the unit" row (shown nowhere else); a child that is
  hidden counts only with the fewest people its hiding can be narrowed down to
  (through its own page);
* when no such partner is left, the unit's total is hidden, on its own page and as a
  row on its parent's page, and the parent's page protects it in turn.

A child is never hidden as a partner: its total is decided on its own page, and if
that page showed it (a child whose own page hides k people but shows its total), the
child's row hidden above would protect nothing (the root's 1 person = root 23 − other
9 − inner 13). So a unit's cell is hidden exactly when its own subtree hides it, and a
page computed for any subtree (a drill-down page, an action plan) agrees with one
computed for the whole kommune.

So for every unit whose figure is shown, any figure obtained by subtracting shown
figures from it (down any number of levels) covers no one or at least k people. (The
dashboards may show, for a unit hidden this way, the sum of the figures shown inside
it, marked "uden skjulte tal": anyone could add those up, so it reveals nothing.)

Every other page (`hidden_subtree_figures`)
-------------------------------------------
Any other page a MED member reaches that shows figures about a unit's people (an
action plan's gap picture and its people's plan activities) shows, per family, only
cells this same tree rule shows: a unit's subtree figure is shown there only if it is
shown as that unit's total on the dashboards' rule. A page that shows fewer of the
allowed cells cannot give more away, and the decision for a unit depends only on its
own subtree, so every page, whichever unit it is about, agrees with every other. The
figures are not rounded or perturbed: what is shown is exact, and what is hidden
cannot be worked out from anything shown on any page.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass

TOTAL = "total"  # The key of the total row in `suppressed_rows`'s answer.
DIRECT = "direct"  # The key of the "directly in the unit" row in `suppressed_cells`.


def suppressed_rows(
    rows: Iterable[tuple[Hashable, int]],
    total: int | None,
    k: int,
    *,
    hidden: Collection[Hashable] = (),
    weights: Mapping[Hashable, int] | None = None,
    partners: Collection[Hashable] | None = None,
) -> set[Hashable]:
    """The keys of the rows to hide on one page, plus `TOTAL` if the total is hidden.

    `rows`: (key, n) per row; `total`: the total's n, or None if the page shows no total
    (then no complementary row is needed). For the tree rule: `hidden` are rows already
    hidden elsewhere, `weights` the fewest people a hidden row can be narrowed down to
    (default: its n), `partners` the rows that may be hidden as partners (default: all).
    """
    rows = list(rows)
    people = dict(rows)
    if total is not None and 0 < total < k:
        return {key for key, n in rows if n > 0} | {TOTAL}
    result = {key for key, n in rows if 0 < n < k} | set(hidden)
    if total is None:
        return result
    weights = weights or {}

    def covered() -> int:
        return sum(weights.get(key, people[key]) for key in result if people[key] > 0)

    # In row order, so the first of equally small rows is taken.
    candidates = [key for key, n in rows if n > 0 and (partners is None or key in partners)]
    while 0 < covered() < k:
        left = [key for key in candidates if key not in result]
        if not left:
            result.add(TOTAL)
            break
        result.add(min(left, key=lambda key: people[key]))
    return result


@dataclass(frozen=True)
class Cells:
    """Hidden cells of a unit tree, by unit key."""

    units: frozenset  # units whose subtree figure is hidden (row above, total on its page)
    direct: frozenset  # units whose "directly in the unit" figure is hidden


def suppressed_cells(tree: Mapping[Hashable, tuple[Hashable | None, int]], k: int) -> Cells:
    """The hidden cells of a unit tree for one family of figures.

    `tree`: unit key → (parent key, n of the people directly in the unit); a unit whose
    parent is None or not in `tree` is a root; keys must differ from DIRECT and TOTAL. A
    unit's decision depends only on its own subtree, so a page computed for any subtree
    agrees with one computed for the whole kommune."""
    children: dict[Hashable, list] = {key: [] for key in tree}
    roots = []
    for key, (parent, _n) in tree.items():
        if parent is not None and parent in tree:
            children[parent].append(key)
        else:
            roots.append(key)
    # Children before parents, iteratively (a deep tree must not hit the recursion limit).
    order, stack = [], list(roots)
    while stack:
        key = stack.pop()
        order.append(key)
        stack.extend(children[key])
    order.reverse()

    size: dict = {}  # people in the unit's subtree
    narrowest: dict = {}  # fewest hidden people the unit's own page can be narrowed to
    hidden_units: set = set()
    hidden_direct: set = set()
    for key in order:
        kids = children[key]
        direct = tree[key][1]
        size[key] = direct + sum(size[c] for c in kids)
        rows = [(DIRECT, direct)] + [(c, size[c]) for c in kids]
        # A hidden child counts with the fewest people its own page narrows it down to.
        weights = {c: min(size[c], narrowest[c]) for c in kids}
        # Only the direct row: a child's figure is shown or hidden by its own page.
        partners = {DIRECT}
        result = suppressed_rows(
            rows,
            size[key],
            k,
            hidden=[c for c in kids if c in hidden_units],
            weights=weights,
            partners=partners,
        )
        if DIRECT in result:
            hidden_direct.add(key)
        hidden_units.update(c for c in kids if c in result)
        if TOTAL in result:
            hidden_units.add(key)
        people = dict(rows)
        narrowest[key] = sum(
            weights.get(row, people[row]) for row in result if row != TOTAL and people[row] > 0
        )
    return Cells(units=frozenset(hidden_units), direct=frozenset(hidden_direct))


def hidden_subtree_figures[U: Hashable, F: Hashable](
    parents: Mapping[U, U | None],
    sizes: Mapping[F, Mapping[U, int]],
    k: int,
    unit: U,
    *,
    row: F | None = None,
) -> set[F]:
    """The families whose figure for `unit`'s whole subtree is hidden, for a page that
    shows a unit's subtree figures (an action plan), by the same tree rule as the
    dashboards' totals.

    `parents`: unit key → parent key for `unit`'s subtree (`unit` is its root);
    `sizes`: family → {unit key: n of people directly in that unit} (missing: 0).
    With `row`, a family of `sizes` (the head count): if its figure is hidden, every
    family is, as a dashboard row about fewer than k people shows nothing at all.

    (Subtree 12 = team 8 + team 4 with no one directly in the parent at k = 5: the 4
    are hidden, no partner is left, so the parent's figure is hidden too, and only the
    8 are shown.)"""
    hidden: set[F] = set()
    for family, by_unit in sizes.items():
        total = sum(by_unit.get(key, 0) for key in parents)
        if total == 0:
            continue  # about no one: nothing to hide
        if total < k:
            hidden.add(family)
            continue
        tree: dict[Hashable, tuple[Hashable | None, int]] = {
            key: (parent, by_unit.get(key, 0)) for key, parent in parents.items()
        }
        if unit in suppressed_cells(tree, k).units:
            hidden.add(family)
    if row is not None and row in hidden:
        return set(sizes)
    return hidden

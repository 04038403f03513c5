"""k-anonymity for MED dashboards, without a database: small cells are hidden, and so is
whatever would let "total − the shown rows" give a hidden cell away, on one page and
across drill-down pages."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annualcycle.dashboards.anonymity import (
    TOTAL,
    hidden_subtree_figures,
    suppressed_cells,
    suppressed_rows,
)

K = 5


# --- One page ------------------------------------------------------------------------------


def test_rows_below_k_are_hidden_and_the_others_shown():
    rows = [("a", 7), ("b", 4), ("c", 9), ("d", 6)]
    # b alone (4 people) could be worked out as 26 − 7 − 9 − 6, so its partner is the
    # smallest other row, d.
    assert suppressed_rows(rows, 26, K) == {"b", "d"}
    assert suppressed_rows([("a", 7), ("b", 8)], 15, K) == set()


def test_subtraction_case_total_12_with_rows_3_4_5():
    hidden = suppressed_rows([("a", 3), ("b", 4), ("c", 5)], 12, K)
    assert "a" in hidden
    # Whatever is hidden, "total − shown rows" must cover at least k people.
    shown = {"a": 3, "b": 4, "c": 5}
    assert sum(n for key, n in shown.items() if key in hidden) >= K
    assert TOTAL not in hidden
    assert hidden == {"a", "b"}


def test_a_single_small_row_gets_the_smallest_other_row_as_partner():
    assert suppressed_rows([("a", 2), ("b", 5), ("c", 6)], 13, K) == {"a", "b"}


def test_two_small_rows_that_together_are_still_below_k_get_a_partner():
    # 1 + 2 = 3 people could be worked out together: one more row is needed.
    assert suppressed_rows([("a", 1), ("b", 2), ("c", 8), ("d", 6)], 17, K) == {"a", "b", "d"}


def test_a_single_small_row_without_a_shown_total_needs_no_partner():
    assert suppressed_rows([("a", 3), ("b", 7), ("c", 9)], None, K) == {"a"}


def test_a_total_below_k_is_hidden_with_every_row():
    assert suppressed_rows([("a", 1), ("b", 3)], 4, K) == {"a", "b", TOTAL}


def test_empty_rows_are_never_hidden_nor_chosen_as_partners():
    assert suppressed_rows([("a", 0), ("b", 3), ("c", 6)], 9, K) == {"b", "c"}
    assert suppressed_rows([("a", 0), ("b", 0)], 0, K) == set()


def test_without_a_partner_left_the_total_is_hidden():
    assert suppressed_rows([("a", 2), ("b", 9)], 11, K, partners={"a"}) == {"a", TOTAL}


def test_k_follows_the_kommunes_setting():
    rows = [("a", 6), ("b", 7)]
    assert suppressed_rows(rows, 13, 5) == set()
    assert suppressed_rows(rows, 13, 7) == {"a", "b"}
    assert suppressed_rows(rows, 13, 14) == {"a", "b", TOTAL}


# --- Across drill-down pages ------------------------------------------------------------------


def test_a_centre_whose_leader_sits_alone_hides_its_total_when_its_teams_are_shown():
    # centre: the chef alone directly in it; team A (8) and team B (7) below it. The
    # teams' own pages show their totals, so hiding a team on the centre page would
    # protect nothing: the centre's total is hidden instead, on both pages it appears.
    tree = {"root": (None, 0), "centre": ("root", 1), "a": ("centre", 8), "b": ("centre", 7)}
    tree["other"] = ("root", 9)
    cells = suppressed_cells(tree, K)
    assert "centre" in cells.direct
    assert "centre" in cells.units
    assert {"a", "b"}.isdisjoint(cells.units)
    # On the root's page, the hidden centre (narrowed down to the chef) has no partner
    # that is not shown on a page of its own, so the root's total is hidden as well.
    assert "other" not in cells.units
    assert "root" in cells.units


def test_a_child_whose_total_its_own_page_shows_is_no_partner():
    # "inner" hides its 2 + 3 people on its own page but shows its total there (13), so
    # hiding it on the root's page protects nothing: root 23 − other 9 − inner 13 would
    # give the 1 person directly in the root away. The root's total is hidden instead;
    # "inner"'s total, decided on its own subtree alone, stays shown on every page.
    tree = {
        "root": (None, 1),
        "inner": ("root", 0),
        "x": ("inner", 2),
        "y": ("inner", 3),
        "z": ("inner", 8),
        "other": ("root", 9),
    }
    cells = suppressed_cells(tree, K)
    assert {"x", "y"} <= cells.units
    assert "inner" not in cells.units and "other" not in cells.units
    assert "root" in cells.units and "root" in cells.direct
    inner = {key: tree[key] for key in ("x", "y", "z")} | {"inner": (None, 0)}
    assert "inner" not in suppressed_cells(inner, K).units


def test_a_small_unit_hides_everything_inside_it():
    tree = {"root": (None, 6), "small": ("root", 1), "inner": ("small", 2), "big": ("root", 9)}
    cells = suppressed_cells(tree, K)
    assert {"small", "inner"} <= cells.units
    assert "inner" in cells.direct and "small" in cells.direct


def test_the_direct_row_is_the_preferred_partner():
    # 3 people in a child team; the centre's own 6 are shown nowhere else.
    tree = {"centre": (None, 6), "team": ("centre", 3), "other": ("centre", 8)}
    cells = suppressed_cells(tree, K)
    assert cells.units == {"team"}
    assert cells.direct == {"centre", "team"}


def test_a_page_computed_for_a_subtree_agrees_with_the_whole_tree():
    tree = {
        "root": (None, 1),
        "c1": ("root", 1),
        "t1": ("c1", 6),
        "t2": ("c1", 2),
        "c2": ("root", 2),
        "t3": ("c2", 9),
        "t4": ("c2", 9),
    }
    whole = suppressed_cells(tree, K)
    part = suppressed_cells({key: tree[key] for key in ("c1", "t1", "t2")}, K)
    assert part.units == whole.units & {"c1", "t1", "t2"}
    assert part.direct == whole.direct & {"c1", "t1", "t2"}


def _children(tree):
    children: dict = {key: [] for key in tree}
    for key, (parent, _n) in tree.items():
        if parent is not None:
            children[parent].append(key)
    return children


def _subtree_size(tree, children, key):
    return tree[key][1] + sum(_subtree_size(tree, children, c) for c in children[key])


def _exposed_groups(tree, cells):
    """Every group of people whose figure follows from shown figures by subtracting
    along the tree: for a shown unit, expand any set of shown descendants into their
    own rows; the people left in hidden rows form a derivable group."""
    children = _children(tree)

    def pieces(key):
        """Possible totals of hidden people reachable below `key`'s page (key shown or
        being expanded): each row either stays a row or, if it is a child unit, is
        replaced by its own page's rows."""
        options = {tree[key][1] if key in cells.direct else 0}
        for child in children[key]:
            size = _subtree_size(tree, children, child)
            child_options = {size if child in cells.units else 0} | pieces(child)
            options = {a + b for a in options for b in child_options}
        return options

    groups = set()
    for key in tree:
        if key not in cells.units:
            groups |= pieces(key)
    return groups


trees = st.integers(min_value=1, max_value=7).flatmap(
    lambda size: st.tuples(
        st.lists(st.integers(min_value=0, max_value=12), min_size=size, max_size=size),
        st.tuples(*[st.integers(min_value=0, max_value=max(i - 1, 0)) for i in range(size)]),
    )
)


@settings(max_examples=300, deadline=None)
@given(trees)
def test_no_group_below_k_can_be_worked_out_from_what_is_shown(data):
    direct, parents = data
    tree = {i: (None if i == 0 else parents[i], n) for i, n in enumerate(direct)}
    cells = suppressed_cells(tree, K)
    for group in _exposed_groups(tree, cells):
        assert group == 0 or group >= K, (tree, cells, group)


def test_the_exposed_groups_helper_finds_the_leak_of_the_one_page_rule():
    # The one-page rule alone hides team "a" as the chef's partner, but "a"'s own page
    # still shows it, so the chef (1 person) can be worked out.
    tree = {"centre": (None, 1), "a": ("centre", 8), "b": ("centre", 9)}
    naive = suppressed_rows([("direct", 1), ("a", 8), ("b", 9)], 18, K)
    assert naive == {"direct", "a"}

    class Naive:
        units = frozenset({"a"})
        direct = frozenset({"centre"})

    assert 1 in _exposed_groups(tree, Naive)
    assert all(g == 0 or g >= K for g in _exposed_groups(tree, suppressed_cells(tree, K)))


# --- Pages that show subtree figures only (action plans) ------------------------------------

PLAN_TREE = {"centre": None, "big": "centre", "small": "centre"}


def test_a_plan_hides_the_parent_whose_children_would_give_the_small_one_away():
    # Centre 12 = big 8 + small 4, no one directly in the centre: showing the centre's
    # plan and big's plan would give small's 4 away, so the centre's figure is hidden.
    sizes = {"gaps": {"big": 8, "small": 4}}
    assert hidden_subtree_figures(PLAN_TREE, sizes, K, "centre") == {"gaps"}
    assert hidden_subtree_figures({"big": None}, {"gaps": {"big": 8}}, K, "big") == set()
    assert hidden_subtree_figures({"small": None}, {"gaps": {"small": 4}}, K, "small") == {"gaps"}


def test_a_plan_agrees_with_the_dashboards_total_for_each_family():
    tree = {"root": (None, 1), "a": ("root", 8), "b": ("root", 2), "c": ("root", 9)}
    cells = suppressed_cells(tree, K)
    parents = {key: parent for key, (parent, _n) in tree.items()}
    sizes = {"f": {key: n for key, (_parent, n) in tree.items()}}
    for unit in tree:
        subtree = {key: parents[key] if key != unit else None for key in tree}
        if unit != "root":
            subtree = {unit: None}
        assert (unit in cells.units) == ("f" in hidden_subtree_figures(subtree, sizes, K, unit))


def test_a_direct_partner_of_k_people_keeps_the_plan_shown():
    sizes = {"gaps": {"centre": 6, "big": 8, "small": 4}}
    assert hidden_subtree_figures(PLAN_TREE, sizes, K, "centre") == set()


def test_each_family_is_decided_on_its_own_people_and_the_row_hides_them_all():
    sizes = {
        "people": {"centre": 1, "big": 8, "small": 7},
        "group": {"big": 8, "small": 2},  # a group only two in the small team answer
        "none": {},
    }
    assert hidden_subtree_figures(PLAN_TREE, sizes, K, "centre") == {"people", "group"}
    # With the head count as the row: a hidden row hides every family.
    assert hidden_subtree_figures(PLAN_TREE, sizes, K, "centre", row="people") == set(sizes)
    shown_row = {**sizes, "people": {"centre": 6, "big": 8, "small": 7}}
    assert hidden_subtree_figures(PLAN_TREE, shown_row, K, "centre", row="people") == {"group"}


def test_a_subtree_figure_about_no_one_is_not_hidden_and_one_below_k_is():
    assert hidden_subtree_figures(PLAN_TREE, {"f": {}}, K, "centre") == set()
    assert hidden_subtree_figures(PLAN_TREE, {"f": {"big": 3, "small": 1}}, K, "centre") == {"f"}


@settings(max_examples=200, deadline=None)
@given(trees)
def test_plan_pages_never_show_what_the_tree_rule_hides(data):
    direct, parents = data
    tree = {i: (None if i == 0 else parents[i], n) for i, n in enumerate(direct)}
    cells = suppressed_cells(tree, K)
    children = _children(tree)
    sizes = {"f": dict(enumerate(direct))}
    for unit in tree:
        inside, stack = {}, [unit]
        while stack:
            key = stack.pop()
            inside[key] = tree[key][0] if key != unit else None
            stack.extend(children[key])
        hidden = "f" in hidden_subtree_figures(inside, sizes, K, unit)
        assert hidden == (unit in cells.units), (tree, unit)

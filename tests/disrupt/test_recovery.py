"""The recovery model on small hand-made networks whose outcome is worked out by hand."""

from __future__ import annotations

import json

import igraph as ig
import numpy as np
import pytest

from cellmap.disrupt.recovery import (
    COLLECTIVE,
    SINGLE,
    Organisation,
    RecoveryParams,
    Simulation,
    collective_variant,
    compare_structures,
    strikes_to_cut_off,
    time_to_recover,
)


def star_with_deputy() -> Organisation:
    # 0 = leader (deputy 1, tied only to the leader); cells A = {2}, B = {3}, tied to the leader.
    g = ig.Graph(n=4, edges=[(0, 1), (0, 2), (0, 3)])
    return Organisation(
        g, [("leader", "org", 0)], {"A": {2}, "B": {3}, "org": {0, 1, 2, 3}}, ["A", "B"], {0: 1}
    )


def council_network() -> Organisation:
    # leader 0 tied to council 1, 2, 3 (a triangle); cells A, B, C = {4}, {5}, {6}, each tied to
    # every council member but not to the leader. No deputies, no sector heads.
    edges = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)] + [
        (c, m) for c in (1, 2, 3) for m in (4, 5, 6)
    ]
    posts = [("leader", "org", 0)] + [("council_member", "org", c) for c in (1, 2, 3)]
    return Organisation(
        ig.Graph(n=7, edges=edges), posts, {"A": {4}, "B": {5}, "C": {6}}, ["A", "B", "C"]
    )


def test_deputy_takes_over_and_ties_regrow_at_once_when_p_is_1():
    params = RecoveryParams(tie_probability=1.0, succession_delay=1, leadership_roles=SINGLE)
    steps, trace = time_to_recover(star_with_deputy(), params, target=0)
    # t=0: strike, both cells cut, post vacant; t=1: deputy in post, both ties formed.
    assert [s["cells_cut"] for s in trace] == [2, 0]
    assert [s["vacant_posts"] for s in trace] == [1, 0]
    assert steps == 1


def test_succession_delay_postpones_recovery():
    params = RecoveryParams(tie_probability=1.0, succession_delay=3, leadership_roles=SINGLE)
    assert time_to_recover(star_with_deputy(), params, target=0)[0] == 3


def test_no_tie_regrowth_means_no_recovery():
    params = RecoveryParams(
        tie_probability=0.0, succession_delay=1, horizon=30, leadership_roles=SINGLE
    )
    steps, trace = time_to_recover(star_with_deputy(), params, target=0)
    assert steps is None and trace[-1]["cells_cut"] == 2 and trace[-1]["vacant_posts"] == 0


def test_mean_recovery_time_matches_the_geometric_maximum():
    # Two pending ties, each forming with p = 1/2 per step from t = 1: recovery at max(K1, K2) with
    # K geometric on {1, 2, …}: E = Σ_{t≥0} 1 - (1 - 2^-t)^2 = 1 + 2 - 1/3 = 8/3.
    params = RecoveryParams(
        tie_probability=0.5, succession_delay=1, leadership_roles=SINGLE, seed=11
    )
    times = [time_to_recover(star_with_deputy(), params, target=0, run=r)[0] for r in range(4000)]
    assert np.mean(times) == pytest.approx(8 / 3, abs=0.08)


def test_runs_are_repeatable_for_a_seed():
    params = RecoveryParams(tie_probability=0.3, runs=30, seed=5)
    structures = {
        "single": (council_network(), SINGLE),
        "collective": (council_network(), COLLECTIVE),
    }
    a, runs_a = compare_structures(structures, params)
    b, runs_b = compare_structures(structures, params)
    assert a.equals(b) and runs_a.equals(runs_b)
    assert runs_a.height == 2 * 2 * 30
    other, _ = compare_structures(structures, RecoveryParams(tie_probability=0.3, runs=30, seed=6))
    assert (
        json.loads(a["parameters"][0])["seed"] == 5
        and json.loads(other["parameters"][0])["seed"] == 6
    )


def test_single_leader_vs_council_strikes_by_hand():
    # Single: striking the leader leaves no leadership for one step -> all cells cut after 1 strike.
    # Collective: the leader, then council members 1 and 2 (each promoted leader in turn; council
    # seats cannot be refilled: no sector heads), then 3: all cells cut after the 4th strike.
    org = council_network()
    single = RecoveryParams(
        tie_probability=0.0, succession_delay=1, strike_interval=1, leadership_roles=SINGLE
    )
    collective = RecoveryParams(
        tie_probability=0.0, succession_delay=1, strike_interval=1, leadership_roles=COLLECTIVE
    )
    assert strikes_to_cut_off(org, single)[0] == 1
    n, trace = strikes_to_cut_off(org, collective)
    assert n == 4
    assert [s["struck"] for s in trace] == [0, 1, 2, 3]


def test_most_central_council_member_succeeds_a_leader_without_deputy():
    org = council_network()
    sim = Simulation(org, RecoveryParams(succession_delay=0), np.random.default_rng(0))
    sim.remove(4)
    sim.adj[3].discard(6), sim.adj[6].discard(3)  # council member 3 loses a tie
    sim.remove(0)
    sim.fill_vacancies()
    # degrees now: 1 -> {2,3,5,6} = 4, 2 -> {1,3,5,6} = 4, 3 -> {1,2,5} = 3: 1 and 2 tie, lowest index wins.
    assert sim.holder[0] == 1
    # rule c does not apply to council seats: 1's old seat stays vacant (there are no sector heads).
    sim.fill_vacancies()
    assert sim.holder[1] is None


def test_cell_head_successor_is_most_central_free_cell_member_else_council_acts():
    # cell X = {1, 2, 3}: head 1; 2 has more ties than 3. Council member 9.
    g = ig.Graph(n=10, edges=[(1, 2), (1, 3), (2, 3), (2, 4), (2, 5), (9, 1)])
    org = Organisation(
        g, [("cell_head", "X", 1), ("council_member", "org", 9)], {"X": {1, 2, 3}}, ["X"]
    )
    sim = Simulation(
        org, RecoveryParams(succession_delay=0, tie_probability=1.0), np.random.default_rng(0)
    )
    sim.remove(1)
    sim.fill_vacancies()
    assert sim.holder[0] == 2
    sim.grow_ties()
    assert 9 in sim.adj[2]  # the new head inherits the old head's tie to the council member
    sim.remove(2), sim.remove(3)
    sim.fill_vacancies()
    assert sim.holder[0] == 9 and sim.holder[1] == 9  # the council acts, keeping its seat


def test_collective_variant_needs_every_council_member_struck():
    # Leader 0 commands cell heads 4, 5, 6 (cells A, B, C); council 1, 2, 3 have no ties at all.
    g = ig.Graph(n=7, edges=[(0, 4), (0, 5), (0, 6)])
    posts = [("leader", "org", 0)] + [("council_member", "org", c) for c in (1, 2, 3)]
    org = Organisation(g, posts, {"A": {4}, "B": {5}, "C": {6}}, ["A", "B", "C"])
    params = RecoveryParams(tie_probability=0.0, succession_delay=1, strike_interval=1)
    # As recorded: one strike on the leader cuts every cell off (successor has no ties, p = 0).
    assert (
        strikes_to_cut_off(org, RecoveryParams(**{**params.to_dict(), "leadership_roles": SINGLE}))[
            0
        ]
        == 1
    )
    # What-if collective: 0, 1, 2, 3 all hold the leader's ties -> all four must be struck.
    variant = collective_variant(org)
    assert sorted(variant.graph.neighbors(1)) == [0, 2, 3, 4, 5, 6]
    assert sorted(r for r, _, _ in variant.posts) == ["council_member"] * 4
    collective = RecoveryParams(**{**params.to_dict(), "leadership_roles": ("council_member",)})
    assert strikes_to_cut_off(variant, collective)[0] == 4
    # A council with no recorded ties leaves the cells cut off before any strike.
    assert strikes_to_cut_off(org, collective)[0] == 0

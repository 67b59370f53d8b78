"""The derived boundedness condition of the interaction graph, on graph families and in simulation.

Verdict tests are exact graph computations. The simulation test runs 6 seeds and asserts on means over
seeds with their 95 % intervals (d = 3, n = 50, noise 1, fresh fraction 1, lambda = 1, replace).
"""

from __future__ import annotations

import pytest

from motion_loop.loop.graph import InteractionGraph
from motion_loop.loop.mixing import MixingPolicy
from motion_loop.theory.config import InteractionGraphConfig
from motion_loop.theory.graph_condition import strongly_connected_components, verdicts
from motion_loop.theory.interaction_graph import run_interaction_graph

POLICY = MixingPolicy(synthetic_ratio=1.0, fresh_fraction=1.0, pool="replace", keep_real=False)
N = 50


def bounded(
    nodes: list[str], edges: list[str], fresh: list[str], policy: MixingPolicy = POLICY
) -> dict[str, bool]:
    graph = InteractionGraph.from_spec(nodes, edges, fresh)
    return {node: v.bounded for node, v in verdicts(graph, policy, N).items()}


def test_counterexample_path_from_fresh_is_not_enough() -> None:
    graph = InteractionGraph.from_spec(
        ["F", "E", "X", "Y"], ["F->F", "E->E", "F->X", "E->X", "F->Y"], ["F"]
    )
    result = verdicts(graph, POLICY, N)
    assert result["X"].path_from_fresh and not result["X"].bounded
    assert result["X"].drifting_groups == (("E",),)
    assert result["F"].bounded and result["Y"].bounded and not result["E"].bounded


def test_chain_from_fresh_data_is_bounded() -> None:
    assert bounded(["F", "A", "B", "C"], ["F->F", "F->A", "A->A", "A->B", "B->C"], ["F"]) == {
        "F": True,
        "A": True,
        "B": True,
        "C": True,
    }


def test_cycle_with_and_without_fresh_data() -> None:
    cycle = ["A->B", "B->C", "C->A"]
    assert all(bounded(["A", "B", "C"], cycle, ["A"]).values())
    # The same cycle beside a fresh node that does not feed it: a closed fresh-free group.
    assert bounded(["F", "A", "B", "C"], ["F->F", *cycle], ["F"]) == {
        "F": True,
        "A": False,
        "B": False,
        "C": False,
    }


def test_star_inherits_its_hub() -> None:
    leaves = ["H->L1", "H->L2", "H->L3"]
    assert all(bounded(["H", "L1", "L2", "L3"], ["H->H", *leaves], ["H"]).values())
    # A fresh-free hub drifts, and so does every leaf, even one that also gets input from fresh data.
    star = bounded(["F", "H", "L1", "L2", "L3"], ["F->F", "H->H", *leaves, "F->L1"], ["F"])
    assert star == {"F": True, "H": False, "L1": False, "L2": False, "L3": False}


def test_two_groups_joined() -> None:
    nodes = ["F", "A", "C", "D"]
    base = ["F->F", "F->A", "A->A", "C->D", "D->C"]
    # Closed pair C<->D upstream of the anchored group: A drifts although F reaches it.
    assert bounded(nodes, [*base, "D->A"], ["F"]) == {"F": True, "A": False, "C": False, "D": False}
    # The other direction opens the pair to the anchored group: everything is bounded.
    assert all(bounded(nodes, [*base, "A->C"], ["F"]).values())


def test_anchors_of_the_policy() -> None:
    nodes, edges = ["F", "E", "X"], ["F->F", "E->E", "F->X", "E->X"]
    assert not bounded(nodes, edges, ["F"])["X"]
    keep = MixingPolicy(synthetic_ratio=1.0, fresh_fraction=1.0, pool="replace", keep_real=True)
    accumulate = MixingPolicy(
        synthetic_ratio=1.0, fresh_fraction=1.0, pool="accumulate", keep_real=False
    )
    assert all(bounded(nodes, edges, ["F"], keep).values())
    assert all(bounded(nodes, edges, ["F"], accumulate).values())
    # A fresh node that receives no fresh items (fraction 0) anchors nothing.
    no_fresh = MixingPolicy(
        synthetic_ratio=1.0, fresh_fraction=0.0, pool="replace", keep_real=False
    )
    assert not any(bounded(nodes, edges, ["F"], no_fresh).values())


def test_strongly_connected_components() -> None:
    edges = {("A", "B"), ("B", "A"), ("B", "C"), ("C", "C"), ("D", "C")}
    assert strongly_connected_components(("A", "B", "C", "D"), edges) == [
        ("A", "B"),
        ("C",),
        ("D",),
    ]


@pytest.fixture(scope="module")
def counterexample():
    cfg = InteractionGraphConfig(
        seeds=6,
        generations=120,
        progress=False,
        nodes=["F", "E", "X", "Y"],
        edges=["F->F", "E->E", "F->X", "E->X", "F->Y"],
        fresh_nodes=["F"],
    )
    return run_interaction_graph(cfg, out_dir=None).summary["nodes"]


def test_counterexample_in_simulation(counterexample) -> None:
    nodes = counterexample
    assert not nodes["X"]["bounded"] and nodes["Y"]["bounded"]
    worst_bounded_high = max(nodes[n]["error_late_mean"]["ci95"][1] for n in ("F", "Y"))
    for node in ("E", "X"):
        # Drifting: the 95 % intervals separate (a first version asked for 3x the bounded nodes' upper
        # end and failed: 0.66 vs 0.95; the random walk slows as the fitted noise decays, see docs) ...
        assert nodes[node]["error_late_mean"]["ci95"][0] > worst_bounded_high
        # ... and the error has grown from its generation-0 value.
        assert nodes[node]["error_late_mean"]["ci95"][0] > nodes[node]["error_gen0"]["ci95"][1]
    # Bounded: within a few standard errors of least squares on n = 50 (sqrt(d / n) ~ 0.25).
    assert worst_bounded_high < 1.0

"""Predictions of learners on a directed interaction graph (linear regression, no real data kept).

Condition tested: a node stays bounded iff it has a directed path from a fresh-data node. Setting (fixed):
d = 3, w* = (1, 1, 1), noise 1, n = 50 pairs per node and generation, seed 0, 200 generations; default
graph F->F, F->A, A->A, A->B (anchored: F fresh) and C->D, D->C, E->E (no path from fresh data).
"""

from __future__ import annotations

import pytest

from motion_loop.loop.errors import GraphError
from motion_loop.theory.config import InteractionGraphConfig
from motion_loop.theory.interaction_graph import run_interaction_graph


@pytest.fixture(scope="module")
def result():
    return run_interaction_graph(
        InteractionGraphConfig(generations=200, progress=False), out_dir=None
    )


def test_anchored_nodes_stay_bounded_and_others_drift(result) -> None:
    nodes = result.summary["nodes"]
    anchored = [n for n, v in nodes.items() if v["anchored"]]
    drifting = [n for n, v in nodes.items() if not v["anchored"]]
    assert sorted(anchored) == ["A", "B", "F"] and sorted(drifting) == ["C", "D", "E"]
    worst_anchored = max(nodes[n]["error_late_mean"] for n in anchored)
    for node in drifting:
        assert nodes[node]["error_late_mean"] > 3.0 * worst_anchored
        assert nodes[node]["error_late_mean"] > 5.0 * nodes[node]["error_gen0"]
    # "Bounded": within a few standard errors of least squares on n = 50 (sqrt(d / n) ~ 0.25).
    assert worst_anchored < 1.0


def test_an_edge_from_fresh_data_anchors_a_closed_group() -> None:
    cfg = InteractionGraphConfig(
        generations=150,
        progress=False,
        nodes=["F", "C", "D"],
        edges=["F->F", "F->C", "C->D", "D->C"],
    )
    nodes = run_interaction_graph(cfg, out_dir=None).summary["nodes"]
    assert nodes["C"]["anchored"] and nodes["D"]["anchored"]
    assert max(v["error_late_mean"] for v in nodes.values()) < 1.0


def test_graph_without_fresh_node_is_refused() -> None:
    cfg = InteractionGraphConfig(progress=False, fresh_nodes=[])
    with pytest.raises(GraphError, match="needs at least one fresh-data node"):
        run_interaction_graph(cfg, out_dir=None)


def test_graph_with_unknown_node_is_refused() -> None:
    cfg = InteractionGraphConfig(progress=False, edges=["F->F", "F->X"])
    with pytest.raises(GraphError, match=r"unknown node 'X'"):
        run_interaction_graph(cfg, out_dir=None)


def test_graph_run_resumes_to_the_same_numbers(tmp_path) -> None:
    cfg = InteractionGraphConfig(generations=4, progress=False)
    reference = run_interaction_graph(cfg, out_dir=tmp_path / "a").records
    run_interaction_graph(cfg, out_dir=tmp_path / "b")
    assert (tmp_path / "b" / "graph" / "gen_003" / "C" / "synthetic").is_dir()
    (tmp_path / "b" / "graph" / "gen_003" / "DONE").unlink()
    assert run_interaction_graph(cfg, out_dir=tmp_path / "b").records == reference

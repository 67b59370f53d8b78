"""The interaction-graph experiment: default graph over seeds, refusals and resume.

Default setting: d = 3, w* = (1, 1, 1), noise 1, n = 50, graph F->F, F->A, A->A, A->B (bounded) and
C->D, D->C, E->E (closed fresh-free groups); 5 seeds, 100 generations.
"""

from __future__ import annotations

import pytest

from motion_loop.loop.errors import GraphError
from motion_loop.theory.config import InteractionGraphConfig
from motion_loop.theory.interaction_graph import run_interaction_graph


def test_default_graph_verdicts_and_errors() -> None:
    nodes = run_interaction_graph(
        InteractionGraphConfig(generations=100, progress=False), out_dir=None
    ).summary["nodes"]
    bounded = sorted(n for n, v in nodes.items() if v["bounded"])
    assert bounded == ["A", "B", "F"]
    worst_bounded = max(nodes[n]["error_late_mean"]["ci95"][1] for n in bounded)
    for node in ("C", "D", "E"):
        assert nodes[node]["drifting_groups"]
        assert nodes[node]["error_late_mean"]["ci95"][0] > worst_bounded


def test_graph_without_fresh_node_is_refused() -> None:
    cfg = InteractionGraphConfig(progress=False, fresh_nodes=[])
    with pytest.raises(GraphError, match="needs at least one fresh-data node"):
        run_interaction_graph(cfg, out_dir=None)


def test_graph_with_unknown_node_is_refused() -> None:
    cfg = InteractionGraphConfig(progress=False, edges=["F->F", "F->X"])
    with pytest.raises(GraphError, match=r"unknown node 'X'"):
        run_interaction_graph(cfg, out_dir=None)


def test_graph_run_resumes_to_the_same_numbers(tmp_path) -> None:
    cfg = InteractionGraphConfig(generations=3, seeds=2, progress=False)
    reference = run_interaction_graph(cfg, out_dir=tmp_path / "a").records
    run_interaction_graph(cfg, out_dir=tmp_path / "b")
    last = tmp_path / "b" / "graph" / "seed_1" / "gen_002"
    assert (last / "C" / "synthetic").is_dir()
    (last / "DONE").unlink()
    assert run_interaction_graph(cfg, out_dir=tmp_path / "b").records == reference

"""Interaction graph construction, validation errors and reachability."""

from __future__ import annotations

import pytest

from motion_loop.loop.errors import GraphError
from motion_loop.loop.graph import InteractionGraph


def test_single_node_is_the_ordinary_loop() -> None:
    graph = InteractionGraph.single("m")
    assert graph.in_neighbours("m") == ("m",)
    assert graph.reachable_from_fresh() == {"m"}
    assert InteractionGraph.single("m", fresh=False).reachable_from_fresh() == frozenset()


def test_neighbours_and_reachability() -> None:
    graph = InteractionGraph.from_spec(
        ["F", "A", "B", "C", "D"], ["F->F", "F->A", "A->B", "C->D", "D->C"], ["F"]
    )
    assert graph.in_neighbours("A") == ("F",)
    assert graph.out_neighbours("F") == ("F", "A")
    assert graph.reachable_from_fresh() == {"F", "A", "B"}


def test_unknown_node_in_edge() -> None:
    with pytest.raises(GraphError, match=r"edge A->Z names unknown node 'Z'; nodes: \['A', 'B'\]"):
        InteractionGraph.from_spec(["A", "B"], ["A->Z"], ["A"])


def test_malformed_edge_text() -> None:
    with pytest.raises(GraphError, match=r"edge must read 'SOURCE->TARGET', got 'A-B'"):
        InteractionGraph.from_spec(["A", "B"], ["A-B"], [])


def test_unknown_fresh_node_and_duplicates() -> None:
    with pytest.raises(GraphError, match=r"fresh-data nodes \['Q'\] are not graph nodes"):
        InteractionGraph.from_spec(["A"], ["A->A"], ["Q"])
    with pytest.raises(GraphError, match="edges must not repeat"):
        InteractionGraph.from_spec(["A"], ["A->A", "A->A"], [])
    with pytest.raises(GraphError, match="node names must be unique"):
        InteractionGraph.from_spec(["A", "A"], [], [])
    with pytest.raises(GraphError, match="at least one node"):
        InteractionGraph.from_spec([], [], [])


def test_missing_fresh_node_where_required() -> None:
    graph = InteractionGraph.from_spec(["A", "B"], ["A->B", "B->A"], [])
    with pytest.raises(
        GraphError, match=r"needs at least one fresh-data node, got none; nodes: \['A', 'B'\]"
    ):
        graph.require_fresh_node()

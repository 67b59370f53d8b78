"""The directed interaction graph of learners: who trains on whose samples, who gets fresh data."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from motion_loop.loop.errors import GraphError

_ARROW = "->"


@dataclass(frozen=True)
class InteractionGraph:
    """Nodes (learners), directed edges `(source, target)` and the nodes that receive fresh data.

    An edge (a, b) means b trains on a's samples; a self-edge (a, a) means a trains on its own samples.
    One node with a self-edge is the ordinary self-consuming loop (`InteractionGraph.single()`).
    """

    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    fresh_nodes: frozenset[str]

    def __post_init__(self) -> None:
        self.validate()

    @classmethod
    def single(cls, name: str = "model", *, fresh: bool = True) -> InteractionGraph:
        """The ordinary loop: one node training on its own samples (and fresh data when `fresh`)."""
        return cls(
            nodes=(name,), edges=((name, name),), fresh_nodes=frozenset({name} if fresh else ())
        )

    @classmethod
    def from_spec(
        cls, nodes: Iterable[str], edges: Iterable[str], fresh_nodes: Iterable[str]
    ) -> InteractionGraph:
        """Build from config strings: edges as "A->B" (B trains on A's samples)."""
        parsed: list[tuple[str, str]] = []
        for text in edges:
            parts = [part.strip() for part in text.split(_ARROW)]
            if len(parts) != 2 or not all(parts):
                raise GraphError(f"edge must read 'SOURCE->TARGET', got {text!r}")
            parsed.append((parts[0], parts[1]))
        return cls(nodes=tuple(nodes), edges=tuple(parsed), fresh_nodes=frozenset(fresh_nodes))

    def validate(self) -> None:
        """Raise GraphError on empty or repeated nodes, unknown endpoints and repeated edges."""
        if not self.nodes:
            raise GraphError("an interaction graph needs at least one node, got none")
        if len(set(self.nodes)) != len(self.nodes):
            raise GraphError(f"node names must be unique, got {list(self.nodes)}")
        known = set(self.nodes)
        for source, target in self.edges:
            for end in (source, target):
                if end not in known:
                    raise GraphError(
                        f"edge {source}{_ARROW}{target} names unknown node {end!r}; nodes: {list(self.nodes)}"
                    )
        if len(set(self.edges)) != len(self.edges):
            raise GraphError(
                f"edges must not repeat, got {[f'{a}{_ARROW}{b}' for a, b in self.edges]}"
            )
        unknown = sorted(self.fresh_nodes - known)
        if unknown:
            raise GraphError(
                f"fresh-data nodes {unknown} are not graph nodes; nodes: {list(self.nodes)}"
            )

    def require_fresh_node(self) -> None:
        """Raise GraphError unless at least one node receives fresh data."""
        if not self.fresh_nodes:
            raise GraphError(
                f"this experiment needs at least one fresh-data node, got none; nodes: {list(self.nodes)}"
            )

    def in_neighbours(self, node: str) -> tuple[str, ...]:
        """Nodes whose samples `node` trains on, in node order."""
        sources = {source for source, target in self.edges if target == node}
        return tuple(name for name in self.nodes if name in sources)

    def out_neighbours(self, node: str) -> tuple[str, ...]:
        """Nodes that train on `node`'s samples, in node order."""
        targets = {target for source, target in self.edges if source == node}
        return tuple(name for name in self.nodes if name in targets)

    def reachable_from_fresh(self) -> frozenset[str]:
        """Nodes with a directed path from a fresh-data node (fresh nodes included)."""
        seen = set(self.fresh_nodes)
        queue = deque(self.fresh_nodes)
        while queue:
            for target in self.out_neighbours(queue.popleft()):
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        return frozenset(seen)

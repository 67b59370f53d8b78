"""Which nodes of an interaction graph stay bounded: the condition derived for the lab's regression model.

Model (motion_loop.theory.interaction, pool "replace", keep_real=False). Node i refits least squares on
its incoming batch: f_i fresh pairs (y = x.w* + noise) and s_ij pairs sampled by each in-neighbour j
(y = x.w_j + sigma_j noise), N_i = f_i + sum_j s_ij. Least squares is linear in the targets, so with
e_i = w_i - w* and X_b the inputs of batch b,

    e_i' = sum_j A_ij e_j + xi_i,   A_ij = (X^T X)^-1 X_j^T X_j,   E[A_ij] ~ (s_ij / N_i) I,

where xi_i is zero-mean noise and the fresh batch enters with error 0 (weight f_i / N_i). So the error
vector follows e' = M e + xi with M_ij = s_ij / N_i: a row-substochastic matrix whose missing mass is
the fresh weight. Group the nodes into strongly connected components (SCCs: i and j in one SCC iff each
reaches the other). Ordered upstream first, M is block triangular, and its spectrum is the union of the
diagonal blocks' spectra. A block M_CC is
  * stochastic (spectral radius 1, eigenvector 1: the group's common error is a random walk) iff no node
    of C receives fresh data and no node of C trains on a node outside C: C is a *closed, fresh-free
    group* (a lone node with a self-loop is one);
  * otherwise irreducible and strictly substochastic in a row, hence spectral radius < 1 (contracting).
A node's error is a linear combination of the noise injected in its own SCC and in every SCC upstream of
it (and only those). Hence:

    node i stays bounded  <=>  no closed, fresh-free group is upstream of i (its own SCC included).

A directed path from fresh data is necessary (without one, the most upstream SCC above i is closed and
fresh-free) but not sufficient: in F->F, E->E, F->X, E->X, F->Y with fresh data at F, X has a path from
F and still inherits E's random walk (e_X' ~ (e_F + e_E) / 2). With keep_real=True every node keeps a
fixed anchor (its real set, weight 1 / (1 + lambda)), every block is contracting and all nodes are
bounded; with pool "accumulate" the incoming batch of generation g has weight ~1/g, the injected noise
variances sum like sum 1/g^2 < inf and every error stays bounded (the closed groups freeze at a random
offset instead of drifting).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from motion_loop.loop.graph import InteractionGraph
from motion_loop.loop.mixing import MixingPolicy, fresh_count, split_evenly, synthetic_count


@dataclass(frozen=True)
class NodeVerdict:
    """The derived verdict for one node.

    Attributes:
        bounded: the prediction (True: error stays bounded; False: it drifts like a random walk).
        path_from_fresh: whether some fresh-data node reaches it (the old, insufficient condition).
        drifting_groups: the closed, fresh-free groups upstream of it (its own SCC included), sorted.
        reason: one sentence saying why.
    """

    bounded: bool
    path_from_fresh: bool
    drifting_groups: tuple[tuple[str, ...], ...]
    reason: str


def effective_edges(
    graph: InteractionGraph, policy: MixingPolicy, n_real: int
) -> set[tuple[str, str]]:
    """Edges that carry at least one sample per generation (round(lambda n) split over in-neighbours)."""
    edges = set()
    for target in graph.nodes:
        sources = graph.in_neighbours(target)
        shares = split_evenly(synthetic_count(policy, n_real), len(sources))
        edges |= {
            (source, target) for source, share in zip(sources, shares, strict=True) if share > 0
        }
    return edges


def effective_fresh(graph: InteractionGraph, policy: MixingPolicy, n_real: int) -> frozenset[str]:
    """Nodes that receive at least one fresh item per generation."""
    return frozenset(
        node
        for node in graph.nodes
        if fresh_count(policy, n_real, gets_fresh=node in graph.fresh_nodes) > 0
    )


def _reach(nodes: tuple[str, ...], edges: set[tuple[str, str]], start: str) -> set[str]:
    """Nodes reachable from `start` (itself included)."""
    seen, queue = {start}, deque([start])
    while queue:
        current = queue.popleft()
        for source, target in edges:
            if source == current and target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def strongly_connected_components(
    nodes: tuple[str, ...], edges: set[tuple[str, str]]
) -> list[tuple[str, ...]]:
    """SCCs in node order (each in node order); i and j share one iff each reaches the other."""
    reach = {node: _reach(nodes, edges, node) for node in nodes}
    components: list[tuple[str, ...]] = []
    placed: set[str] = set()
    for node in nodes:
        if node in placed:
            continue
        component = tuple(other for other in nodes if other in reach[node] and node in reach[other])
        components.append(component)
        placed |= set(component)
    return components


def closed_fresh_free_groups(
    graph: InteractionGraph, policy: MixingPolicy, n_real: int
) -> list[tuple[str, ...]]:
    """SCCs with no fresh data, no edge coming in from outside and at least one internal edge."""
    edges = effective_edges(graph, policy, n_real)
    fresh = effective_fresh(graph, policy, n_real)
    groups = []
    for component in strongly_connected_components(graph.nodes, edges):
        members = set(component)
        inside = any(s in members and t in members for s, t in edges)
        from_outside = any(s not in members and t in members for s, t in edges)
        if inside and not from_outside and not members & fresh:
            groups.append(component)
    return groups


def verdicts(graph: InteractionGraph, policy: MixingPolicy, n_real: int) -> dict[str, NodeVerdict]:
    """The derived condition applied to every node (see the module docstring for the derivation)."""
    edges = effective_edges(graph, policy, n_real)
    fresh = effective_fresh(graph, policy, n_real)
    from_fresh: set[str] = set()
    for node in fresh:
        from_fresh |= _reach(graph.nodes, edges, node)
    anchored_everywhere = policy.keep_real or policy.pool == "accumulate"
    groups = [] if anchored_everywhere else closed_fresh_free_groups(graph, policy, n_real)
    result = {}
    for node in graph.nodes:
        upstream = tuple(g for g in groups if node in _reach(graph.nodes, edges, g[0]))
        if policy.keep_real:
            reason = "keep_real: its fixed real set anchors every generation"
        elif policy.pool == "accumulate":
            reason = "accumulate: generation g's batch has weight ~1/g, the drift converges"
        elif upstream:
            names = ", ".join("{" + ",".join(g) + "}" for g in upstream)
            reason = f"inherits the random walk of the closed fresh-free group(s) {names}"
        else:
            reason = "every group upstream of it (its own included) receives fresh data or input"
        result[node] = NodeVerdict(
            bounded=not upstream,
            path_from_fresh=node in from_fresh,
            drifting_groups=upstream,
            reason=reason,
        )
    return result

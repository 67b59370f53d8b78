"""When to stop fine-tuning: the training loss has plateaued (a rule with a cap on the steps).

The published n = 64 loop fine-tunes 1,000 steps at batch 64 per generation, about 500 passes over
its 128-clip mix at λ = 1: enough for the model to fit each new mix. A CPU preset cannot afford
that many steps, so it trains "until the model fits the mix": until its training loss stops improving.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from motion_loop.errors import ConfigError


@dataclass(frozen=True)
class PlateauRule:
    """Train until the training loss stops improving, within [min_steps, max_steps] steps.

    The loss is averaged over windows of `window` steps (a diffusion loss is noisy: each step draws
    its own noise levels). Windows that end before `min_steps` are not compared: a fine-tuning fit
    starts a fresh AdamW, whose warm-up and first large steps raise the loss above where the previous
    fit left it, and a best window taken before that bump would stop the fit at its earliest chance
    (measured: the faithful preset's generation 1 stopped after 200 steps with its loss at 0.089,
    above the 0.076 of its first window). From `min_steps` on, a window that improves on the best
    window so far by at least `min_improvement` (relative) resets the count; after `patience` windows
    in a row without such an improvement, training stops.
    """

    window: int
    patience: int
    min_improvement: float
    max_steps: int
    min_steps: int = 0

    def __post_init__(self) -> None:
        if self.window < 1 or self.patience < 1 or self.max_steps < 1 or not 0 <= self.min_improvement < 1:
            raise ConfigError(
                f"plateau rule needs window, patience, max_steps >= 1 and 0 <= min_improvement < 1, got {self}"
            )


class PlateauTracker:
    """Window means of the loss and the plateau decision of a `PlateauRule`."""

    def __init__(self, rule: PlateauRule) -> None:
        self.rule = rule
        self.window: list[float] = []
        self.means: list[float] = []
        self.best = math.inf
        self.stale = 0

    def update(self, loss: float, steps_done: int) -> None:
        """Add the loss of one step; `steps_done` counts the fit's steps including this one."""
        self.window.append(loss)
        if len(self.window) < self.rule.window:
            return
        mean = float(np.mean(self.window))
        self.means.append(mean)
        self.window = []
        if steps_done < self.rule.min_steps:
            return  # still in the fresh optimiser's transient: not compared
        if mean < self.best * (1.0 - self.rule.min_improvement):
            self.best, self.stale = mean, 0
        else:
            self.stale += 1

    def state(self) -> dict[str, object]:
        """What a checkpoint keeps so that a resumed fit makes the same decision (see `restore`)."""
        return {"window": list(self.window), "means": list(self.means), "best": self.best, "stale": self.stale}

    def restore(self, state: dict) -> None:  # noqa: ANN001 - the dict `state` returned
        self.window, self.means = [float(x) for x in state["window"]], [float(x) for x in state["means"]]
        self.best, self.stale = float(state["best"]), int(state["stale"])

    def plateaued(self) -> bool:
        return self.stale >= self.rule.patience

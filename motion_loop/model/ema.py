"""Exponential moving average of a module's weights (the weights used for sampling)."""

from __future__ import annotations

import torch
from torch import nn


class EMA:
    """Shadow copy of `module`'s floating-point parameters and buffers.

    The effective decay warms up as min(decay, (1 + n) / (10 + n)) after n updates, so short runs (CI,
    fine-tuning for a few hundred steps) are not dominated by the initial weights.
    """

    def __init__(self, module: nn.Module, *, decay: float) -> None:
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"EMA decay must be in [0, 1), got {decay}")
        self.decay = decay
        self.updates = 0
        self.shadow = {k: v.detach().clone() for k, v in module.state_dict().items()}

    @torch.no_grad()
    def update(self, module: nn.Module) -> None:
        decay = min(self.decay, (1 + self.updates) / (10 + self.updates))
        for key, value in module.state_dict().items():
            if value.dtype.is_floating_point:
                self.shadow[key].lerp_(value.detach(), 1.0 - decay)
            else:
                self.shadow[key].copy_(value)
        self.updates += 1

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {k: v.clone() for k, v in self.shadow.items()}

    def load_state_dict(self, state: dict[str, torch.Tensor], *, updates: int) -> None:
        missing = set(self.shadow) ^ set(state)
        if missing:
            raise KeyError(f"EMA state keys differ from the model's: {sorted(missing)[:5]}")
        for key, value in state.items():
            self.shadow[key].copy_(value)
        self.updates = updates

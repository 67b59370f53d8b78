"""Typed configs of every subsystem, registered with Hydra's ConfigStore in one explicit call.

Each subsystem owns its config dataclass next to its code; this module only collects them. YAML in
`conf/` selects and overrides these schemas.
"""

from __future__ import annotations

from hydra.core.config_store import ConfigStore

_REGISTERED = False


def register_configs() -> None:
    """Register the config schemas (idempotent)."""
    global _REGISTERED
    if _REGISTERED:
        return
    store = ConfigStore.instance()
    from motion_loop.data.config import DataConfig

    store.store(group="data", name="schema_data", node=DataConfig)
    from motion_loop.theory.config import (
        GaussianCorrectionConfig,
        HeatDeathConfig,
        InteractionGraphConfig,
    )

    store.store(name="schema_theory_heat_death", node=HeatDeathConfig)
    store.store(name="schema_theory_gaussian_correction", node=GaussianCorrectionConfig)
    store.store(name="schema_theory_interaction_graph", node=InteractionGraphConfig)
    from motion_loop.model.config import ModelConfig, SampleAppConfig, TrainAppConfig

    store.store(group="model", name="schema_model", node=ModelConfig)
    store.store(name="schema_train", node=TrainAppConfig)
    store.store(name="schema_sample", node=SampleAppConfig)
    from physics.config import PhysicsConfig

    store.store(group="physics", name="schema_physics", node=PhysicsConfig)
    from motion_loop.loop.motion.config import RunConfig

    store.store(name="schema_run", node=RunConfig)
    from motion_loop.eval.config import EvaluateApp, EvaluatorTrainApp

    store.store(name="schema_evaluator_train", node=EvaluatorTrainApp)
    store.store(name="schema_evaluate", node=EvaluateApp)
    _REGISTERED = True

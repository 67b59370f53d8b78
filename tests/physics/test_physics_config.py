from __future__ import annotations

from physics.config import PhysicsConfig


def test_physics_preset_composes() -> None:
    from motion_loop.cli.hydra_utils import compose_config, to_object

    cfg = to_object(compose_config("config", ["+physics=default", "physics.gamma=0.25",
                                              "physics.horizontal_gains=[100,10]"]))
    physics = cfg["physics"] if isinstance(cfg, dict) else cfg.physics
    assert isinstance(physics, PhysicsConfig)
    assert physics.gamma == 0.25 and physics.horizontal_gains == (100.0, 10.0)
    assert physics.validate() is physics

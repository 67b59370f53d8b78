from __future__ import annotations

import numpy as np
import pytest

from physics.plausibility import ground_metrics, local_mpjpe, percent_body_weight


def test_ground_metrics_known_values() -> None:
    T = 10
    points = np.zeros((T, 2, 3))
    points[:, 0, 2] = -0.004  # 4 mm below the floor
    points[:, 1, 2] = 0.2
    points[:, 0, 0] = 0.003 * np.arange(T)  # slides 3 mm per frame
    metrics = ground_metrics(points)
    assert np.isclose(metrics.penetrate_mm, 4.0)
    assert metrics.float_mm == 0.0
    assert np.isclose(metrics.skate_mm, 3.0)
    points[:, 0, 2] = 0.02  # lifted 2 cm: floating, no contact, no skate
    metrics = ground_metrics(points)
    assert np.isclose(metrics.float_mm, 20.0) and metrics.penetrate_mm == 0.0 and metrics.skate_mm == 0.0


def test_y_up_and_residual_helpers() -> None:
    points = np.zeros((3, 1, 3))
    points[..., 1] = -0.01
    assert np.isclose(ground_metrics(points, up_axis=1).penetrate_mm, 10.0)
    mean, p95 = percent_body_weight(np.array([[0.0, 0.0, 70 * 9.81]]), 70.0)
    assert np.isclose(mean, 100.0) and np.isclose(p95, 100.0)
    a = np.zeros((2, 22, 3))
    b = a + np.array([1.0, 0.0, 0.0])  # pure horizontal offset (z-up): no local error
    assert np.allclose(local_mpjpe(a, b), 0.0)


def test_surface_plausibility_agrees_with_the_corrections_before_numbers(clean_motion) -> None:
    from physics import correct_motion, surface_plausibility

    joints = clean_motion[0][:60]
    assessed = surface_plausibility(joints, 20.0)
    report = correct_motion(joints, 20.0).report
    for key in ("surface_penetrate_mm", "surface_float_mm", "surface_skate_mm"):
        assert assessed[key] == pytest.approx(getattr(report, f"{key}_before"), abs=1e-9)
    assert assessed["residual_force_pct_bw"] == pytest.approx(report.input_residual_pct_bw, abs=1e-9)
    assert assessed["residual_force_p95_pct_bw"] == pytest.approx(report.input_residual_p95_pct_bw, abs=1e-9)

"""Steady flights (physics.flight): over a flight the centre of mass moves at one horizontal velocity.
Clips come from the embedded procedural generator (a 3 m/s run), so these run without real data."""

from __future__ import annotations

import numpy as np
import pytest

from motion_loop.data.procedural import ClipParams, clip_rng, generate_clip
from physics import PhysicsConfig, PhysicsError, correct_motion
from physics.assess import fit_clip
from physics.flight import centre_of_mass, flight_gaps
from physics.plausibility import percent_body_weight
from physics.reference import prepare


@pytest.fixture(scope="module")
def run() -> np.ndarray:
    params = ClipParams(family="run", duration=3.0, speed=3.0, seed=1)
    return generate_clip(params, clip_rng(params)).joints


def _overtravel(joints: np.ndarray, factor: float) -> np.ndarray:
    """The root's horizontal travel x factor, the legs unchanged (a generator's defect)."""
    out = joints.copy()
    out[..., [0, 2]] += (factor - 1.0) * (joints[:, :1, [0, 2]] - joints[:1, :1, [0, 2]])
    return out


def test_flight_gaps_need_contact_on_both_sides() -> None:
    labels = np.array([[0, 0], [1, 0], [0, 0], [0, 0], [0, 1], [1, 1], [0, 0]], dtype=bool)
    assert flight_gaps(labels) == [(1, 4)]  # the trailing gap has no landing


def test_a_clean_run_is_not_touched(run: np.ndarray) -> None:
    clip = fit_clip(run, 20.0, PhysicsConfig().validate())
    plain = prepare(clip.model, clip.qpos, 20.0, clip.config)
    steady = prepare(clip.model, clip.qpos, 20.0, clip.config, steady=True)
    assert len(flight_gaps(plain.contact[::plain.steps_per_frame])) >= 6  # the run has flights
    assert steady.flights is not None and steady.flights.flights == 0
    np.testing.assert_array_equal(steady.frame_qpos, plain.frame_qpos)


def test_an_overtravelled_run_flies_at_its_stances_speed(run: np.ndarray) -> None:
    clip = fit_clip(_overtravel(run, 1.5), 20.0, PhysicsConfig().validate())
    plain = prepare(clip.model, clip.qpos, 20.0, clip.config)
    steady = prepare(clip.model, clip.qpos, 20.0, clip.config, steady=True)
    assert steady.flights is not None and steady.flights.flights >= 6
    labels = plain.contact[::plain.steps_per_frame]
    com = centre_of_mass(clip.model, steady.frame_qpos)[:, :2]  # (T, 2)
    for before, after in flight_gaps(labels):
        steps = np.diff(com[before:after + 1], axis=0)  # one velocity over the whole flight
        np.testing.assert_allclose(steps, np.broadcast_to(steps[0], steps.shape), atol=1e-9)
    # Stances move as a whole: every stance foot keeps its steps, so planted feet stay planted.
    adr = clip.model.joint("root").qposadr[0]
    root_shift = steady.frame_qpos[:, adr:adr + 2] - plain.frame_qpos[:, adr:adr + 2]
    in_stance = labels[:-1].any(axis=1) & labels[1:].any(axis=1)
    np.testing.assert_allclose(np.diff(root_shift, axis=0)[in_stance], 0.0, atol=1e-9)
    # The root force the reference needs drops (97 -> 33 % body weight at this commit).
    needed_plain, _ = percent_body_weight(plain.tau[:, :3], clip.config.mass)
    needed_steady, _ = percent_body_weight(steady.tau[:, :3], clip.config.mass)
    assert needed_steady < 0.5 * needed_plain


def test_the_report_counts_the_flights_and_measures_the_input_before_them(run: np.ndarray) -> None:
    over = _overtravel(run, 1.5)
    on = correct_motion(over, 20.0)
    off = correct_motion(over, 20.0, steady_flights=False)
    assert off.report.steady_flights is None and on.report.steady_flights >= 6
    assert on.report.steady_flight_shift_mm > 500  # the flights' over-travel removed (about 1 m)
    assert on.report.input_residual_pct_bw == pytest.approx(off.report.input_residual_pct_bw)

    def to_clean(joints: np.ndarray) -> float:
        return float(np.linalg.norm(joints - run, axis=-1).mean())

    # The corrected run ends nearer the clean one (460 -> 230 mm at this commit).
    assert to_clean(on.joints) < 0.75 * to_clean(off.joints)
    clean_on, clean_off = correct_motion(run, 20.0), correct_motion(run, 20.0, steady_flights=False)
    assert clean_on.report.steady_flights == 0
    np.testing.assert_array_equal(clean_on.joints, clean_off.joints)


@pytest.mark.parametrize(("option", "value"), [("max_flight_frames", 0), ("flight_speed_tolerance", -0.1)])
def test_bad_flight_options_are_refused(option: str, value: float) -> None:
    with pytest.raises(PhysicsError, match=option):
        correct_motion(np.zeros((40, 22, 3)), 20.0, **{option: value})

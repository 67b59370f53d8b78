from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from physics import PhysicsError
from physics.batch import correct_batch


def test_batch_keeps_order_and_bad_clips(standing: np.ndarray) -> None:
    good = np.repeat(standing[None], 12, axis=0)
    shifted = good + np.array([0.0, 0.02, 0.0])
    bad = np.zeros((3, 22, 3))
    results = correct_batch([good, bad, shifted], workers=1, on_error="keep")
    assert [r.joints.shape for r in results] == [good.shape, bad.shape, shifted.shape]
    assert "at least" in results[1].report.error and results[1].report.corrected is False
    assert results[1].report.flagged and results[1].report.controller == "rejected"
    assert np.array_equal(results[1].joints, bad)
    assert results[2].report.float_mm_before > results[0].report.float_mm_before
    with pytest.raises(PhysicsError, match="at least"):
        correct_batch([bad], workers=1)


def test_process_pool_matches_serial(standing: np.ndarray) -> None:
    clips = [np.repeat(standing[None], 10, axis=0) + np.array([0.0, dy, 0.0]) for dy in (0.0, 0.01)]
    serial = correct_batch(clips, workers=1)
    pooled = correct_batch(clips, workers=2)
    for a, b in zip(serial, pooled, strict=True):
        assert np.allclose(a.joints, b.joints)  # deterministic simulation


def test_unknown_backend_and_missing_ray(standing: np.ndarray) -> None:
    clip = np.repeat(standing[None], 10, axis=0)
    with pytest.raises(PhysicsError, match="backend must be one of"):
        correct_batch([clip], backend="dask")
    if "ray" in sys.modules or _has_ray():
        pytest.skip("ray is installed; the missing-ray message cannot be checked")
    with pytest.raises(PhysicsError, match=r"motion-loop\[ray\]"):
        correct_batch([clip], backend="ray")


def _has_ray() -> bool:
    import importlib.util

    return importlib.util.find_spec("ray") is not None


def test_cli_corrects_a_folder(tmp_path: Path, procedural_root: Path) -> None:
    from motion_loop.cli import main

    reference_dataset = procedural_root  # any HumanML3D-layout folder with captions
    out = tmp_path / "corrected"
    code = main(["correct", str(reference_dataset), str(out), "--limit", "1", "physics.gamma=0.5"])
    assert code == 0
    ids = sorted(p.stem for p in (out / "new_joints").glob("*.npy"))
    assert len(ids) == 1
    joints = np.load(out / "new_joints" / f"{ids[0]}.npy")
    features = np.load(out / "new_joint_vecs" / f"{ids[0]}.npy")
    assert features.shape == (joints.shape[0] - 1, 263)
    assert (out / "texts" / f"{ids[0]}.txt").is_file()
    reports = [json.loads(line) for line in (out / "correction.jsonl").read_text().splitlines()]
    assert reports[0]["id"] == ids[0] and reports[0]["gamma"] == 0.5
    assert main(["correct", str(reference_dataset), str(out), "physics.gamma=2"]) == 1

"""Clips a command cannot use are counted with their reason, never dropped silently.

A procedural dataset is broken on purpose: a clip cut below 40 frames, an empty caption file, an id listed
in the split without files, and (for `correct`) an all-zero skeleton.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from motion_loop.cli import main
from motion_loop.data.humanml3d import HumanML3DFolder, write_splits
from motion_loop.loop.motion.clips import load_clip_set
from motion_loop.loop.motion.experiment import report_dropped


@pytest.fixture
def broken_root(procedural_root: Path, tmp_path: Path) -> Path:
    """The procedural dataset with 3 broken train clips and 1 broken test clip (ids in `BROKEN`)."""
    root = tmp_path / "broken"
    shutil.copytree(procedural_root, root)
    ids = HumanML3DFolder(root).ids(None)
    train, test = ids[:16], ids[16:]
    np.save(root / "new_joint_vecs" / f"{train[0]}.npy", np.load(root / "new_joint_vecs" / f"{train[0]}.npy")[:20])
    (root / "texts" / f"{train[1]}.txt").write_text("")
    (root / "texts" / f"{test[0]}.txt").write_text("\n")
    write_splits(root, {"train": [*train, "999999"], "test": test})
    return root


def test_load_clip_set_reports_each_dropped_clip(broken_root: Path) -> None:
    folder = HumanML3DFolder(broken_root)
    loaded = load_clip_set(folder, "train", min_frames=40)
    ids = folder.ids("train")
    assert len(loaded.clips) == len(ids) - 3
    reasons = {clip.clip_id: clip.reason for clip in loaded.dropped}
    assert reasons == {ids[0]: "too short", ids[1]: "no caption", "999999": "no motion file"}
    assert "20 < 40 frames" in next(c.detail for c in loaded.dropped if c.reason == "too short")


def test_run_manifest_lists_dropped_clips(broken_root: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = HumanML3DFolder(broken_root)
    splits = {split: load_clip_set(folder, split) for split in ("train", "test")}
    fields = report_dropped(tmp_path, splits)
    assert fields == {
        "dropped_train": 3.0, "dropped_train_too_short": 1.0, "dropped_train_no_caption": 1.0,
        "dropped_train_no_motion_file": 1.0, "dropped_test": 1.0, "dropped_test_no_caption": 1.0,
    }  # fmt: skip
    records = json.loads((tmp_path / "dropped_clips.json").read_text())
    assert sorted(r["clip_id"] for r in records) == sorted(c.clip_id for s in splits.values() for c in s.dropped)
    assert {r["split"] for r in records} == {"train", "test"}
    assert "dropped 3 of 17 clips of the train split" in caplog.text
    assert "dropped 1 of 8 clips of the test split" in caplog.text


def test_evaluate_json_counts_dropped_clips(broken_root: Path, tmp_path: Path) -> None:
    evaluator, results = tmp_path / "ev.pt", tmp_path / "results.json"
    tiny = ["model.text_frontend=hashed", "model.motion_conv=16", "model.motion_hidden=16", "model.text_hidden=32",
            "model.embed_dim=16", "train.epochs=1", "train.batch_size=4"]  # fmt: skip
    assert main(["evaluator", "train", f"data.root={broken_root}", f"out={evaluator}", *tiny]) == 0
    code = main(["evaluate", f"evaluator={evaluator}", f"data.root={broken_root}", f"out={results}",
                 "metrics.replications=1", "metrics.diversity_times=4", "plausibility.enabled=false"])  # fmt: skip
    assert code == 0
    info = json.loads(results.read_text())["info"]
    assert info["reference_dropped"] == {"no caption": 1} and info["reference_dropped_total"] == 1
    assert info["evaluated_dropped"] == {"no caption": 1}


def test_correct_writes_only_corrected_clips(procedural_root: Path, tmp_path: Path, capsys) -> None:
    source = tmp_path / "source"
    shutil.copytree(procedural_root, source)
    ids = HumanML3DFolder(source).ids(None)[:2]
    for name in ("new_joints", "new_joint_vecs"):
        reference = np.load(source / name / f"{ids[0]}.npy")
        np.save(source / name / "zero.npy", np.zeros_like(reference))
    shutil.copyfile(source / "texts" / f"{ids[0]}.txt", source / "texts" / "zero.txt")
    write_splits(source, {"train": [ids[0], "zero", ids[1]]})
    out = tmp_path / "out"
    assert main(["correct", str(source), str(out), "--split", "train"]) == 0
    stdout = capsys.readouterr().out
    assert (out / "train.txt").read_text().split() == ids  # the zero clip is in no split
    assert not (out / "new_joints" / "zero.npy").exists()
    failed = (out / "failed.txt").read_text().splitlines()
    assert len(failed) == 1 and failed[0].startswith("zero\t") and "all joints at (nearly) one point" in failed[0]
    reports = [json.loads(line) for line in (out / "correction.jsonl").read_text().splitlines()]
    assert [r["id"] for r in reports if r.get("error")] == ["zero"]
    assert "1 of 3 clips failed" in stdout

"""`motion-loop data import` on the synthetic CMU-layout takes of scripts/demo_bvh.py: no downloaded data."""

from __future__ import annotations

import json
from pathlib import Path

from motion_loop.cli import main
from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.data.labels import CREDITS
from tests.cli.helpers import load_demo_bvh


def test_demo_takes_import_with_cmu_captions_and_credit(tmp_path: Path) -> None:
    demo = load_demo_bvh()
    demo.write_demo_folder(tmp_path / "bvh")
    out = tmp_path / "set"
    assert main(["data", "import", str(tmp_path / "bvh"), "--out", str(out), "--limit", "3", "--no-preview"]) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["credit"] == CREDITS["cmu"] and meta["extra"]["label_source"] == "cmu"
    folder = HumanML3DFolder(out)
    ids = folder.ids(None)
    assert len(ids) == 3
    joints = folder.joints(ids[0])  # (T, 22, 3) at 20 fps: 5 s of a 120 Hz take, T-pose dropped
    assert joints.shape[1:] == (22, 3) and abs(joints.shape[0] - 5 * 20) <= 1
    assert folder.captions(ids[0])[0].text.lower().startswith("a person walks")
    custom = tmp_path / "custom"
    main(["data", "import", str(tmp_path / "bvh"), "--out", str(custom), "--limit", "1", "--no-preview", "--credit", "mine"])
    assert json.loads((custom / "meta.json").read_text())["credit"] == "mine"

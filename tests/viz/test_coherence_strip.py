"""The report's coherence section: headline ratios from metrics.csv and a real-vs-generated filmstrip."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from motion_loop.data.procedural.generate import clip_rng, generate_clip
from motion_loop.data.procedural.params import ClipParams
from motion_loop.loop.motion.evaluator import (
    COHERENCE_PER_CONTENT,
    VIDEO_CAPTIONS,
    VIDEO_JOINTS,
    VIDEO_LENGTHS,
    VIDEO_REAL_JOINTS,
)
from motion_loop.loop.run_state import DONE_NAME
from motion_loop.viz.coherence_strip import coherence_html, run_filmstrip


def _walk(seed: int) -> np.ndarray:
    params = ClipParams("walk", duration=3.0, speed=1.2, seed=seed)
    return generate_clip(params, clip_rng(params)).joints.astype(np.float32)  # (61, 22, 3)


def test_run_section_has_headline_and_filmstrip(tmp_path: Path) -> None:
    run = tmp_path / "run"
    real = np.stack([_walk(0), _walk(1)])
    flicker = real.copy()
    flicker[:, 1::2, 1:] = real[:, ::-1][:, 1::2, 1:]  # every other frame from the other end of the clip
    for generation, joints in ((0, flicker), (2, real)):  # the artefacts the engine stores per generation
        folder = run / f"gen_{generation:03d}"
        folder.mkdir(parents=True)
        np.save(folder / VIDEO_REAL_JOINTS, real)
        np.save(folder / VIDEO_JOINTS, joints)
        (folder / VIDEO_CAPTIONS).write_text(json.dumps(["a person walks", "someone walks"]))
        (folder / VIDEO_LENGTHS).write_text(json.dumps([61, 50]))
        (folder / DONE_NAME).write_text("")
    (run / "metrics.csv").write_text(
        "generation,fid,foot_motion_median_ratio,foot_motion_p95_ratio,foot_motion_median_mm,foot_motion_p95_mm\n"
        "0,1.0,2.5,3.0,150,300\n2,0.9,1.1,1.2,66,130\n"
    )
    table = [{"group": "all", "clips": 2, "foot_median_ratio": 2.5, "foot_median_ratio_ci95": [2.0, 3.0],
              "foot_p95_ratio": 3.0, "foot_p95_ratio_ci95": [2.5, 3.5]},
             {"group": "walk", "clips": 2, "foot_median_ratio": 2.5, "foot_median_ratio_ci95": [float("nan"), 3.0],
              "foot_p95_ratio": 3.0, "foot_p95_ratio_ci95": []}]  # fmt: skip
    (run / "gen_000" / COHERENCE_PER_CONTENT).write_text(json.dumps(table))
    table[1]["foot_median_ratio"] = 1.25
    (run / "gen_002" / COHERENCE_PER_CONTENT).write_text(json.dumps(table))
    page = coherence_html(run)
    assert "1.10x (median) / 1.20x (p95)" in page and "generation 2" in page and "2.50x" in page
    assert "generation 0: median</th><th>generation 0: p95</th><th>generation 2: median" in page
    assert "<td class='text'>walk</td><td>2</td><td>2.50</td><td>3.00</td><td>1.25</td>" in page  # no interval where it is NaN or absent
    assert "2.50 <small>[2.00, 3.00]</small>" in page
    assert "data:image/png;base64," in page
    strip = run / "plots" / "coherence_filmstrip.png"
    assert strip.stat().st_size > 5000
    # a run without stored real clips has no filmstrip but still a section; a run with neither has none
    for folder in run.glob("gen_*"):
        (folder / VIDEO_REAL_JOINTS).unlink()
    assert run_filmstrip(run, tmp_path / "x.png") is None
    assert "Temporal coherence" in coherence_html(run) and "data:image/png" not in coherence_html(run)
    (run / "metrics.csv").write_text("generation,fid\n0,1.0\n")
    assert coherence_html(run) == ""

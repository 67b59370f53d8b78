"""Physics correction on the diffusion model's own samples, under several option sets.

    nice python benchmarks/physics_on_samples.py RUN/gen_005/synthetic \
        --out benchmarks/results/physics_on_samples.json [--set "smooth_sigma=1.0" ...]

FOLDER is any HumanML3D-layout folder of generated motions, e.g. the `synthetic/` folder of a loop
generation (`motion-loop run experiment=cpu_small ...`) or the output of `motion-loop sample`. The
injected defects of `physics_correction.py` are rigid (they keep bone lengths); generated motions are
not, so this is the check that the defaults also suit what the loop actually corrects.

Each option set is a space-separated list of key=value physics options ("" = the defaults). The JSON
holds, per set, the means over clips of the correction report, the counts of fallbacks, resets and
falls, and the CPU seconds per clip.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import parse_options  # noqa: E402

from motion_loop.data.humanml3d import HumanML3DFolder  # noqa: E402
from physics import correct_motion  # noqa: E402

_MEANS = (
    "jitter_mm", "smooth_sigma", "mpjpe_mm", "mpjpe_local_mm", "residual_force_pct_bw", "input_residual_pct_bw",
    "surface_penetrate_mm_before", "surface_penetrate_mm_after", "surface_float_mm_before", "surface_float_mm_after",
    "surface_skate_mm_before", "surface_skate_mm_after", "penetrate_mm_before", "penetrate_mm_after",
    "float_mm_before", "float_mm_after", "skate_mm_before", "skate_mm_after", "cpu_seconds",
)  # fmt: skip
_DEFAULT_SETS = ("", "smooth_sigma=0.0", "smooth_sigma=0.5", "smooth_sigma=1.0", "smooth_sigma=2.0")


def summarize(reports: list[dict]) -> dict[str, float]:
    out = {key: float(np.mean([r[key] for r in reports])) for key in _MEANS}
    out.update(
        clips=len(reports),
        fallbacks=sum(r["controller"] == "fallback" for r in reports),
        mpc=sum(r["controller"] == "mpc" for r in reports),
        resets=sum(r["resets"] for r in reports),
        clips_with_resets=sum(r["resets"] > 0 for r in reports),
        falls=sum(bool(r["fell"]) for r in reports),
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--split", default="train")
    parser.add_argument("--fps", type=float, default=20.0)
    parser.add_argument("--set", dest="sets", action="append", default=None, help="option set (repeatable)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "physics_on_samples.json")
    args = parser.parse_args()
    folder = HumanML3DFolder(args.folder)
    ids = folder.ids(args.split)
    clips = {clip_id: folder.joints(clip_id).astype(np.float64) for clip_id in ids}
    payload: dict = {"folder": str(args.folder), "clips": len(clips), "command": " ".join(sys.argv), "sets": {}}
    for text in args.sets or _DEFAULT_SETS:
        options = parse_options(text.split())
        reports = [dataclasses.asdict(correct_motion(joints, args.fps, **options).report) for joints in clips.values()]
        payload["sets"][text or "defaults"] = summary = summarize(reports)
        print(
            f"{text or 'defaults':<22} sigma {summary['smooth_sigma']:.2f}  mpc {summary['mpc']:>2}  fallbacks {summary['fallbacks']:>2}  "
            f"resets {summary['resets']:>3}  skate {summary['surface_skate_mm_before']:.1f}->"
            f"{summary['surface_skate_mm_after']:.1f}  float {summary['surface_float_mm_before']:.1f}->"
            f"{summary['surface_float_mm_after']:.1f}  pen {summary['surface_penetrate_mm_before']:.1f}->"
            f"{summary['surface_penetrate_mm_after']:.1f}  to input {summary['mpjpe_mm']:.0f} mm",
            flush=True,
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The embedded procedural motion dataset: a deterministic generator of captioned motions.

    from motion_loop.data.procedural import generate_dataset
    generate_dataset(Path("/tmp/procedural"), n_clips=1000, seed=0)

Families: walk, run, walk_backward, side_step, turn, jump, squat, wave, kick, punch, bow. Every clip's
generating parameters are stored in params.jsonl so drift from the generator can be measured:
`param_drift(params, joints)` compares a motion's measured speed, travel direction and turn with them.
"""

from motion_loop.data.procedural.generate import (
    GENERATOR_VERSION,
    PARAMS_FILE,
    DatasetSummary,
    GeneratedClip,
    canonical_frame,
    clip_rng,
    generate_clip,
    generate_dataset,
    generate_pose,
    read_params,
)  # fmt: skip
from motion_loop.data.procedural.measure import MeasuredMotion, measure_motion, param_drift
from motion_loop.data.procedural.params import FAMILIES, SIDES, STYLES, ClipParams
from motion_loop.data.procedural.sampling import sample_params

__all__ = [
    "FAMILIES", "GENERATOR_VERSION", "PARAMS_FILE", "SIDES", "STYLES", "ClipParams", "DatasetSummary",
    "GeneratedClip", "canonical_frame", "clip_rng", "generate_clip", "generate_dataset", "generate_pose",
    "read_params", "sample_params", "MeasuredMotion", "measure_motion", "param_drift",
]  # fmt: skip

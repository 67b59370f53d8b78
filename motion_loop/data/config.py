"""Config of the data layer: which dataset a command reads and how the torch dataset cuts clips."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DataConfig:
    """Where a HumanML3D-layout dataset lives and how training items are cut from it.

    Attributes:
        root: dataset folder in the HumanML3D layout. Empty: `motion-loop run` generates the procedural
            set into its cache; the other commands ask for a folder (`motion-loop data procedural OUT`).
        procedural_clips: number of clips of the embedded procedural dataset (when root is empty).
        procedural_seed: seed of the procedural generator.
        min_frames: shortest clip kept [feature frames] (HumanML3D: 40).
        max_frames: canvas length; longer clips are randomly cropped (HumanML3D: 196).
        unit_length: clip lengths are cut to a multiple of this [frames] (HumanML3D: 4).
        fps: frame rate of the dataset [Hz].
        original_root_turn: compute root angular velocities (feature dim 0) of new clips exactly as
            HumanML3D's script does, sign error past 180 degrees included (see
            `features.joints_to_features`); for mixing corrected clips into data made by that script.
    """

    root: str = ""
    procedural_clips: int = 1000
    procedural_seed: int = 0
    min_frames: int = 40
    max_frames: int = 196
    unit_length: int = 4
    fps: float = 20.0
    original_root_turn: bool = False

"""The correction report of one clip (`CorrectionReport`) and its summary over many (`CorrectionSummary`).

A report is a typed record: `dataclasses.asdict(report)` is the JSON line of `correction.jsonl`. The
summary is the one place where reports are aggregated (the loop's per-generation `correction_*`
metrics, `motion-loop correct`'s table and the benchmarks all use it), so that a rate means the same
everywhere.

A clip is *flagged* when its output cannot be taken as physically plausible: the base controller fell
and the stiff-root fallback dragged it, it was reset to the reference, it still fell, or the
correction changed its pose (root-aligned) by more than `PhysicsConfig.max_change`, or the
contact projection could not lock its stance feet within its bounds (`unprojectable`), or its simulated soles
still slide on the floor faster than `PhysicsConfig.max_skate_after` (`skating`). A clip is *rejected* (not corrected, kept
unchanged) when its input is not a human motion at all (`physics.validation`); its report carries the
error.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

# Flag codes of `CorrectionReport.flags` (the value is the human-readable reason).
FLAG_FALLBACK = "fallback"
FLAG_RESET = "reset"
FLAG_FELL = "fell"
FLAG_LARGE_CHANGE = "large_change"
FLAG_REJECTED = "rejected"
FLAG_UNPROJECTABLE = "unprojectable"
FLAG_SKATING = "skating"
FLAGS = (FLAG_FALLBACK, FLAG_RESET, FLAG_FELL, FLAG_LARGE_CHANGE, FLAG_REJECTED, FLAG_UNPROJECTABLE, FLAG_SKATING)


@dataclass
class CorrectionReport:
    """What `correct_motion` did to one clip. Distances in mm, forces in % body weight (BW).

    Attributes:
        frames, fps, gamma: the clip and the correction strength.
        corrected: False when the clip was rejected and returned unchanged (see `error`).
        controller: the cascade stage whose output was kept: "base", "stiff_servos", "mpc", "fallback"; "none" when
            gamma == 0; "rejected" when not corrected.
        attempts: cascade stages run.
        fell, fall_frame: the kept stage fell (root-aligned mean joint error above fall_distance).
        resets: resets to the reference in the kept stage.
        base_fell, base_fall_frame: the base controller's own outcome (None when it did not run).
        stiff_servos_fell, stiff_servos_fall_frame: the stiff-servo retry's (None when it did not run).
        mpc_fell, mpc_fall_frame, mpc_replans, mpc_rollout_steps: the sampling-MPC stage's (None when off).
        mpjpe_mm: mean joint distance of the output to the input; mpjpe_local_mm: root-aligned.
        residual_force_pct_bw, residual_force_p95_pct_bw: non-physical root force applied (mean, p95).
        residual_torque_pct: mean root torque / (m g 0.3 m) [%].
        input_residual_pct_bw, input_residual_p95_pct_bw: root force inverse dynamics needs to play the
            input (its dynamic inconsistency).
        penetrate_mm_*, float_mm_*, skate_mm_*: skeleton proxies on the joints, before and after.
        surface_*_before/after: the humanoid's sole corners (after: only at gamma == 1, else None).
        retarget_seam_mm, retarget_mpjpe_mm, jitter_mm, smooth_sigma, floor_shift_mm: fitting details.
        projected: the contact-consistent projection (`physics.projection`) was applied (None when off);
        projection_foot_error_mm: largest distance of a stance pivot from its lock after the projection;
        projection_pose_change_mm: its largest per-frame root-aligned change of the pose;
        projection_root_shift_mm: its mean horizontal pelvis shift (the travel removed or added).
        steady_flights: flights moved onto their steady path (`physics.flight`; None when off);
        steady_flight_shift_mm: the horizontal distance that moved the clip's last frame.
        body_scale: median bone lengths over the HumanML3D target skeleton's (1 = the dataset's body).
        max_root_speed, max_joint_speed: fastest pelvis and joint between two frames [m/s].
        flags: code -> reason for every way the output falls short of plausible (FLAG_* codes).
        error: why the clip was rejected, else None.
        seconds, cpu_seconds: wall and CPU time of this clip.
    """

    frames: int
    fps: float
    gamma: float
    corrected: bool = True
    controller: str = "none"
    attempts: int = 0
    fell: bool = False
    fall_frame: int | None = None
    resets: int = 0
    base_fell: bool | None = None
    base_fall_frame: int | None = None
    stiff_servos_fell: bool | None = None
    stiff_servos_fall_frame: int | None = None
    mpc_fell: bool | None = None
    mpc_fall_frame: int | None = None
    mpc_replans: int | None = None
    mpc_rollout_steps: int | None = None
    mpjpe_mm: float = 0.0
    mpjpe_local_mm: float = 0.0
    residual_force_pct_bw: float = 0.0
    residual_force_p95_pct_bw: float = 0.0
    residual_torque_pct: float = 0.0
    input_residual_pct_bw: float | None = None
    input_residual_p95_pct_bw: float | None = None
    penetrate_mm_before: float | None = None
    float_mm_before: float | None = None
    skate_mm_before: float | None = None
    penetrate_mm_after: float | None = None
    float_mm_after: float | None = None
    skate_mm_after: float | None = None
    surface_penetrate_mm_before: float | None = None
    surface_float_mm_before: float | None = None
    surface_skate_mm_before: float | None = None
    surface_penetrate_mm_after: float | None = None
    surface_float_mm_after: float | None = None
    surface_skate_mm_after: float | None = None
    retarget_seam_mm: float | None = None
    retarget_mpjpe_mm: float | None = None
    jitter_mm: float | None = None
    smooth_sigma: float | None = None
    floor_shift_mm: float | None = None
    projected: bool | None = None
    projection_foot_error_mm: float | None = None
    projection_pose_change_mm: float | None = None
    projection_root_shift_mm: float | None = None
    steady_flights: int | None = None
    steady_flight_shift_mm: float | None = None
    body_scale: float | None = None
    max_root_speed: float | None = None
    max_joint_speed: float | None = None
    flags: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    def __setattr__(self, name: str, value: object) -> None:
        # numpy scalars (np.bool_, np.int64) would survive asdict and break json.dumps
        super().__setattr__(name, value.item() if isinstance(value, np.generic) else value)

    @property
    def flagged(self) -> bool:
        """The output is not a plausible correction of the input (see `flags`)."""
        return bool(self.flags)

    @classmethod
    def rejected(cls, frames: int, fps: float, gamma: float, error: str) -> CorrectionReport:
        """The report of a clip returned unchanged because its input was refused."""
        return cls(frames=frames, fps=fps, gamma=gamma, corrected=False, controller="rejected",
                   flags={FLAG_REJECTED: error}, error=error)


@dataclass
class CorrectionSummary:
    """Aggregate of many `CorrectionReport`s (one loop generation, one `correct` folder).

    Rates are fractions of all clips. Means over clips run over the corrected ones (a rejected clip
    has no after-numbers); NaN when there are none.

    Attributes:
        clips: reports summarised; rejected: clips refused and kept unchanged (rejected_rate).
        fallback_rate, mpc_rate: clips whose kept output came from the stiff fallback / sampling MPC.
        stiff_servos_rate: clips kept up by the stiff-servo retry after the base controller fell.
        reset_rate: clips reset to the reference at least once; resets: total resets.
        fall_rate: clips whose kept output fell.
        flagged_rate, flagged: clips with at least one flag (rejected clips included).
        unprojectable_rate: clips flagged `unprojectable` (the contact projection's bounds).
        residual_force_pct_bw: mean over clips of the mean applied root force [% BW];
        residual_force_p95_pct_bw: 95th percentile over clips of each clip's p95.
        surface_*_before/after: mean sole-corner penetration, floating [mm], skating [mm/frame].
        mpjpe_mm: mean distance of the output to the input [mm].
        seconds, cpu_seconds: mean per clip; cpu_seconds_p95: 95th percentile over clips.
    """

    clips: int
    rejected: int
    rejected_rate: float
    fallback_rate: float
    mpc_rate: float
    stiff_servos_rate: float
    reset_rate: float
    resets: int
    fall_rate: float
    flagged: int
    flagged_rate: float
    unprojectable_rate: float
    residual_force_pct_bw: float
    residual_force_p95_pct_bw: float
    surface_penetrate_mm_before: float
    surface_penetrate_mm_after: float
    surface_float_mm_before: float
    surface_float_mm_after: float
    surface_skate_mm_before: float
    surface_skate_mm_after: float
    mpjpe_mm: float
    seconds: float
    cpu_seconds: float
    cpu_seconds_p95: float

    def metrics(self, prefix: str = "correction_") -> dict[str, float]:
        """Every field as a float metric named `prefix + field` (the loop's metrics.csv columns)."""
        return {f"{prefix}{item.name}": float(getattr(self, item.name)) for item in fields(self)}


def _mean(values: list[float | None]) -> float:
    known = [float(v) for v in values if v is not None]
    return float(np.mean(known)) if known else float("nan")


def _percentile(values: list[float | None], q: float) -> float:
    known = [float(v) for v in values if v is not None]
    return float(np.percentile(known, q)) if known else float("nan")


def summarize(reports: list[CorrectionReport]) -> CorrectionSummary:
    """The summary of `reports` (an empty list gives zero counts and NaN means)."""
    n = len(reports)
    done = [r for r in reports if r.corrected]

    def rate(count: int) -> float:
        return count / n if n else float("nan")

    def mean_of(name: str) -> float:
        return _mean([getattr(r, name) for r in done])

    return CorrectionSummary(
        clips=n,
        rejected=n - len(done),
        rejected_rate=rate(n - len(done)),
        fallback_rate=rate(sum(r.controller == "fallback" for r in done)),
        mpc_rate=rate(sum(r.controller == "mpc" for r in done)),
        stiff_servos_rate=rate(sum(r.controller == "stiff_servos" for r in done)),
        reset_rate=rate(sum(r.resets > 0 for r in done)),
        resets=sum(r.resets for r in done),
        fall_rate=rate(sum(r.fell for r in done)),
        flagged=sum(r.flagged for r in reports),
        flagged_rate=rate(sum(r.flagged for r in reports)),
        unprojectable_rate=rate(sum(FLAG_UNPROJECTABLE in r.flags for r in reports)),
        residual_force_pct_bw=mean_of("residual_force_pct_bw"),
        residual_force_p95_pct_bw=_percentile([r.residual_force_p95_pct_bw for r in done], 95),
        surface_penetrate_mm_before=mean_of("surface_penetrate_mm_before"),
        surface_penetrate_mm_after=mean_of("surface_penetrate_mm_after"),
        surface_float_mm_before=mean_of("surface_float_mm_before"),
        surface_float_mm_after=mean_of("surface_float_mm_after"),
        surface_skate_mm_before=mean_of("surface_skate_mm_before"),
        surface_skate_mm_after=mean_of("surface_skate_mm_after"),
        mpjpe_mm=mean_of("mpjpe_mm"),
        seconds=mean_of("seconds"),
        cpu_seconds=mean_of("cpu_seconds"),
        cpu_seconds_p95=_percentile([r.cpu_seconds for r in done], 95),
    )

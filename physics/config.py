"""Typed configuration of the physics correction (registered with Hydra under the group "physics")."""

from __future__ import annotations

from dataclasses import dataclass, fields

from physics.errors import PhysicsError

REFLOOR_MODES = ("frame", "clip", "none")
MPC_MODES = ("off", "fallback", "always")
PROJECTION_MODES = ("off", "generated", "always")


@dataclass
class PhysicsConfig:
    """Options of `physics.correct_motion`; every field can be overridden as a keyword option.

    Attributes:
        gamma: correction strength in [0, 1]: 0 returns the input, 1 the simulated motion, in between a
            per-frame linear blend of joint positions.
        mass: body mass [kg].
        timestep: simulation step [s]; the clip is played in real time (fps of the input).
        friction: floor friction coefficient.
        contact_timeconst: contact solref time constant [s].
        smooth_sigma: Gaussian smoothing of the reference before differentiation [frames at 20 fps];
            0 = off; None (default) = chosen per clip from its jitter (`physics.jitter`): clean
            motion capture is tracked unsmoothed (smoothing spreads a run's stance push into its
            flight phases, which then need residual force), generated motion is smoothed.
        rigid_jitter: with smooth_sigma None, a clip whose estimated jitter is below this [m] is
            rigid (motion capture) and not smoothed; any other clip gets at least one frame ...
        jitter_per_sigma: ... and one frame per `jitter_per_sigma` metres of jitter ...
        max_smooth_sigma: ... up to this many frames.
        refloor: how the reference is put on the floor before tracking: "frame" (per-frame offset
            from slow feet, interpolated over flight phases), "clip" (one offset), "none".
        plant_feet: shift the reference root horizontally so that feet in contact do not slide
            (see `physics.reference.plant_feet`): the kinematic part of over-travel correction. On by
            default; `plant_feet=False contact_speed_ratio=0` reproduces the session-2 defaults
            (over-travel skating -46 % instead of -64 %, jittered clips 45 instead of 58 mm from the
            clean clip; docs/physics.md).
        plant_deadband: foot slip slower than this is not removed by plant_feet [m/s].
        contact_height: a reference foot whose lowest sole corner is below this is in contact [m].
        contact_speed: ... and whose horizontal speed is below this [m/s] ...
        contact_speed_ratio: ... or below this fraction of the pelvis's horizontal speed (0 = off):
            the stance feet of an over-travelled run slide faster than contact_speed, at a fraction
            of the body's speed, while swing feet move at about twice it. Meant for planting:
            without it, these sliding feet get full friction against a root that pulls ahead.
        glide_ratio: a foot whose lowest sole corner is below glide_height and whose horizontal
            velocity differs from the pelvis's by less than this fraction of the pelvis's speed
            (pelvis faster than 0.5 m/s) for at least 0.25 s is also in contact: the body glides on
            it, as generated samples do whose root travels while the legs do not step. Planting
            then removes the travel those feet cannot carry. 0 = off (the session-4 behaviour).
            On 100 samples of a step-200 `small` model: skate after 12.8 -> see docs/physics.md;
            on 100 Bandai-Namco 2 motion-capture clips it changes nothing.
        glide_height: [m], see glide_ratio (hovering feet of gliding samples sit 1-5 cm up).
        project_contacts: before tracking, project the (planted) reference onto one whose stance
            feet stay put (`physics.projection`): each stance foot's pivot locked on the floor, legs and
            pelvis solved by inverse kinematics (mink) so that the root travels only as far as the
            strides carry it. A clip the projection cannot make consistent within the bounds below is
            flagged `unprojectable`. "off", "always", or "generated" (default): only clips that are
            not rigid motion capture (estimated jitter at least `rigid_jitter`, the same test that
            decides smoothing). On the faithful preset's generated samples the projection lowers the
            stiff fallback 8 -> 3 % and skating after 10.1 -> 8.9 mm/frame (on 100 clips neither change
            is detectable by itself; the step-600 model moves the same way), but on clean
            motion-capture runs it raises skating 9.2 -> 16.0, which issue 14 forbids; docs/physics.md
            "Contact-consistent projection" has the measurements. True / False mean "always" / "off".
        projection_max_change: the projection is not applied (and the clip is flagged) when it would
            change the pose by more than this, root-aligned mean joint distance in the worst frame [m].
        projection_foot_tolerance: a stance pivot farther than this from its lock after the solve flags
            the clip `unprojectable` (the legs cannot reach it) [m]; the projection is still applied.
        steady_flights: before tracking, move every flight whose horizontal centre-of-mass velocity is
            not the mean of its take-off and landing velocities onto that steady path
            (`physics.flight`): in the air nothing pushes the body. Over-travelled runs (root x1.5)
            and generated runs break this; tracked as they are, they need a horizontal root force
            at every take-off and landing that the base controller does not have. On over-travelled
            Bandai-Namco 2 runs it halves the skating left after correction (61 -> 28 mm/frame) and
            removes 5 of 6 fallbacks; clean motion capture is not touched (docs/physics.md "Steady
            flights").
        flight_speed_tolerance: a flight whose own mean velocity is within this of the steady one is
            left alone [m/s] (clean motion-capture runs differ by at most 0.27 m/s).
        max_flight_frames: longer gaps without contact are not flights (a body hovering over the floor).
        base_force_budget: root residual force bound of the first attempt [fraction of body weight].
        fallback_force_budget: the bound of the retry after a fall [fraction of body weight].
        torque_budget: root residual torque bound [fraction of m g x 0.3 m].
        horizontal_gains: root PD gains (kp [N/m], kd [N s/m]) on the horizontal pelvis position in
            the first attempt; weak, so that friction at the feet, not the residual, moves the body.
        fallback_horizontal_gains: the same in the retry (a stiff "puppet" root).
        vertical_gains: root PD gains on pelvis height (kp [N/m], kd [N s/m]).
        rotation_gains: root PD gains on pelvis orientation (kp [N m/rad], kd [N m s/rad]).
        swing_friction: floor friction of a foot while the reference labels it in swing.
        servo_gain_scale: multiplies the joint servos' kp and kv (UHC's gains, `physics.humanoid`); the
            torque limits stay. Stiffer servos hold a pose whose feed-forward is off (generated clips'
            contacts and loads) instead of sagging under the body's weight, but on motion capture they
            follow the reference's own foot slip more (docs/physics.md "Stiffer servos").
        retry_servo_gain_scale: a clip the base controller drops is retried with the servos' kp and kv
            times this (same weak root, same residual budget) before sampling MPC and the stiff-root
            fallback; 1 turns the retry off. Clips the base controller keeps up never see it.
        clearance: minimum sole height that swing feet are pushed up to, by leg torques [m]; 0 = off.
        fall_distance: a frame where the root-aligned mean joint error exceeds this has fallen [m].
        mpc: sampling MPC over leg servo offsets (`physics.mpc`): "off"; "fallback" = run it when the
            base controller falls, before the stiff-root fallback; "always" = instead of the base
            controller. It simulates mpc_samples x mpc_horizon / mpc_replan seconds per second of
            motion (the defaults: 64, about 12 s of one core per 196-frame clip, against 0.8 s
            without it); see docs/physics.md for what it changes.
        mpc_samples: candidate plans per re-plan.
        mpc_horizon: planning horizon [s].
        mpc_replan: re-planning interval [s].
        mpc_noise: standard deviation of the sampled servo offsets [rad].
        min_body_scale, max_body_scale: a clip whose median bone lengths sum to less / more than this
            times those of HumanML3D's target body is refused (`physics.validation.check_body`): a
            human-sized body is 0.6-1.6 (about 0.9-2.5 m tall); a clip in centimetres or scaled
            x10 / x0.1 is not.
        max_root_speed: a pelvis faster than this between two frames is a teleport [m/s] (the
            fastest sprinters reach 12.4 m/s; Bandai-Namco 2 clips stay below 4.6).
        max_joint_speed: the same for any joint [m/s] (Bandai-Namco 2: at most 10.5).
        max_change: an output whose root-aligned mean joint distance to the input exceeds this is
            flagged `large_change` [m]: the correction had to change the pose too much to call it the
            same motion. Root-aligned, because pulling an over-travelled root back to its strides
            is the intended projection (it can move the whole body by metres).
        max_skate_after: a corrected clip whose simulated sole corners still skate faster than this on the
            floor is flagged `skating` [mm/frame] (only at gamma 1, where the output is the simulation).
            Corrected motion capture skates at most 17.5 mm/frame (Bandai-Namco 2, 100 clips; mean
            3.7); the default, 30, is well above that, so the flag marks feet that still slide like
            the input's, not the tracker's own noise.
        allow_reset: in the last attempt, reset to the reference after a fall (counted) instead of stopping.
        max_resets: give up (report the clip as fallen) after this many resets.
    """

    gamma: float = 1.0
    mass: float = 70.0
    timestep: float = 0.005
    friction: float = 1.0
    contact_timeconst: float = 0.01
    smooth_sigma: float | None = None
    rigid_jitter: float = 0.0005
    jitter_per_sigma: float = 0.008
    max_smooth_sigma: float = 2.0
    refloor: str = "frame"
    plant_feet: bool = True
    plant_deadband: float = 0.12
    contact_height: float = 0.03
    contact_speed: float = 1.0
    contact_speed_ratio: float = 0.5
    glide_ratio: float = 0.5
    glide_height: float = 0.06
    project_contacts: str = "generated"
    projection_max_change: float = 0.15
    projection_foot_tolerance: float = 0.03
    steady_flights: bool = True
    flight_speed_tolerance: float = 0.5
    max_flight_frames: int = 6
    base_force_budget: float = 0.3
    fallback_force_budget: float = 1.0
    torque_budget: float = 1.0
    horizontal_gains: tuple[float, float] = (1500.0, 400.0)
    fallback_horizontal_gains: tuple[float, float] = (6000.0, 600.0)
    vertical_gains: tuple[float, float] = (6000.0, 600.0)
    rotation_gains: tuple[float, float] = (1200.0, 120.0)
    swing_friction: float = 0.1
    servo_gain_scale: float = 1.0
    retry_servo_gain_scale: float = 2.0
    clearance: float = 0.02
    fall_distance: float = 0.5
    mpc: str = "off"
    mpc_samples: int = 16
    mpc_horizon: float = 0.2
    mpc_replan: float = 0.05
    mpc_noise: float = 0.05
    min_body_scale: float = 0.6
    max_body_scale: float = 1.6
    max_root_speed: float = 12.0
    max_joint_speed: float = 25.0
    max_change: float = 0.15
    max_skate_after: float = 30.0
    allow_reset: bool = True
    max_resets: int = 20

    def __post_init__(self) -> None:
        # Hydra/OmegaConf hand sequences over as lists; gains are fixed-size tuples.
        for name in ("horizontal_gains", "fallback_horizontal_gains", "vertical_gains", "rotation_gains"):
            value = tuple(float(x) for x in getattr(self, name))
            if len(value) != 2:
                raise PhysicsError(f"{name} must be (kp, kd), got {value}")
            setattr(self, name, value)
        # The option was a bool before the "generated" mode; keep True / False (and Hydra's
        # "true" / "false") meaning what they meant.
        mode: object = self.project_contacts
        if isinstance(mode, str) and mode.lower() in ("true", "false"):
            mode = mode.lower() == "true"
        if isinstance(mode, bool):
            self.project_contacts = "always" if mode else "off"

    def validate(self) -> PhysicsConfig:
        """Return self if every value is in range, else raise PhysicsError naming the field."""
        if not 0.0 <= self.gamma <= 1.0:
            raise PhysicsError(f"gamma must be in [0, 1], got {self.gamma}")
        if self.refloor not in REFLOOR_MODES:
            raise PhysicsError(f"refloor must be one of {REFLOOR_MODES}, got {self.refloor!r}")
        if self.mpc not in MPC_MODES:
            raise PhysicsError(f"mpc must be one of {MPC_MODES}, got {self.mpc!r}")
        if self.project_contacts not in PROJECTION_MODES:
            raise PhysicsError(f"project_contacts must be one of {PROJECTION_MODES} (or True / False), "
                               f"got {self.project_contacts!r}")
        if self.mpc_samples < 2:
            raise PhysicsError(f"mpc_samples must be >= 2, got {self.mpc_samples}")
        if self.smooth_sigma is not None and self.smooth_sigma < 0:
            raise PhysicsError(f"smooth_sigma must be >= 0 or None (automatic), got {self.smooth_sigma}")
        for name in ("mass", "timestep", "jitter_per_sigma", "friction", "contact_timeconst", "fall_distance",
                     "mpc_horizon", "mpc_replan", "mpc_noise", "min_body_scale", "max_root_speed",
                     "max_joint_speed", "max_change", "max_skate_after", "projection_max_change", "projection_foot_tolerance",
                     "servo_gain_scale", "retry_servo_gain_scale"):
            if getattr(self, name) <= 0:
                raise PhysicsError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("base_force_budget", "fallback_force_budget", "torque_budget", "max_smooth_sigma", "rigid_jitter", "clearance", "swing_friction", "plant_deadband", "flight_speed_tolerance", "contact_speed_ratio", "glide_ratio", "glide_height"):
            if getattr(self, name) < 0:
                raise PhysicsError(f"{name} must be >= 0, got {getattr(self, name)}")
        if self.max_flight_frames < 1:
            raise PhysicsError(f"max_flight_frames must be >= 1, got {self.max_flight_frames}")
        if self.max_body_scale <= self.min_body_scale:
            raise PhysicsError(f"max_body_scale ({self.max_body_scale}) must exceed min_body_scale ({self.min_body_scale})")
        return self

    def projects(self, jitter: float) -> bool:
        """Whether the contact projection runs on a clip of estimated `jitter` [m] (`physics.jitter`)."""
        if self.project_contacts == "generated":
            return jitter >= self.rigid_jitter
        return self.project_contacts == "always"


def with_options(config: PhysicsConfig | None, options: dict[str, object]) -> PhysicsConfig:
    """A copy of `config` (default: PhysicsConfig()) with keyword overrides, validated."""
    base = PhysicsConfig() if config is None else config
    known = {f.name for f in fields(PhysicsConfig)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise PhysicsError(f"unknown physics options {unknown}; available: {sorted(known)}")
    values = {f.name: getattr(base, f.name) for f in fields(PhysicsConfig)}
    for key, value in options.items():
        values[key] = tuple(value) if isinstance(values[key], tuple) else value  # type: ignore[arg-type]
    return PhysicsConfig(**values).validate()  # type: ignore[arg-type]

"""Caption templates: several phrasings per family, filled from the clip's parameters.

Each caption is built from slots (subject, verb phrase, path, manner) drawn independently, so the
three captions of a clip differ in wording but agree on what the clip shows: family, speed, path,
side, number of repetitions and style.
"""

from __future__ import annotations

import math

import numpy as np

from motion_loop.data.procedural.params import ClipParams
from motion_loop.data.procedural.style import get_style

CAPTIONS_PER_CLIP = 3
_MAX_DRAWS = 40

SUBJECTS = ("a person", "someone", "a man", "a woman", "the person", "a figure", "a human")
STYLE_SUBJECTS: dict[str, tuple[str, ...]] = {
    "old": ("an old man", "an elderly person", "an old woman", "an older person"),
    "tired": ("a tired person", "an exhausted man", "a weary woman"),
    "energetic": ("an energetic person", "a lively man", "a cheerful woman"),
    "proud": ("a proud man", "a confident person", "a proud woman"),
}
STYLE_MANNERS: dict[str, tuple[str, ...]] = {
    "normal": ("",),
    "energetic": ("energetically", "with a lot of energy", "in a lively way", "with bouncy movements"),
    "tired": ("tiredly", "wearily", "as if exhausted", "sluggishly", "with a slumped posture"),
    "old": ("like an old person", "slowly and hunched over", "in a frail manner", "like an elderly person"),
    "proud": ("proudly", "with the chest out", "confidently", "with the head held high"),
}
TIMES = {1: "once", 2: "twice", 3: "three times", 4: "four times", 5: "five times", 6: "six times",
         7: "seven times", 8: "eight times"}  # fmt: skip
NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def _times(n: int) -> str:
    return TIMES.get(n, f"{n} times")


def _number(n: int) -> str:
    return NUMBERS.get(n, str(n))


def _curve(turn: float) -> tuple[str, ...]:
    if abs(turn) < 0.35:
        return ("forward", "straight ahead", "in a straight line", "forwards")
    side = "left" if turn > 0 else "right"
    return (f"while curving to the {side}", f"and gradually turns {side}", f"along a curve to the {side}",
            f"forward, bending off to the {side}")  # fmt: skip


def _degrees(turn: float) -> int:
    return int(round(math.degrees(abs(turn)) / 45.0) * 45)


def _verbs(p: ClipParams) -> tuple[str, ...]:
    """Verb phrases (with objects and counts) describing the clip's action."""
    n, side, f = p.repetitions, p.side, p.family
    size = p.amplitude * get_style(p.style).amplitude  # the size the motion actually has
    if f == "walk":
        if p.speed < 0.9:
            return ("walks slowly", "strolls", "walks at a leisurely pace", "ambles", "slowly walks")
        if p.speed > 1.45:
            return ("walks quickly", "walks briskly", "hurries", "strides", "walks fast")
        return ("walks", "walks at a steady pace", "is walking", "walks at a normal pace")
    if f == "run":
        if p.speed < 2.5:
            return ("jogs", "runs at an easy pace", "jogs lightly", "runs slowly")
        if p.speed > 3.3:
            return ("sprints", "runs fast", "dashes", "runs very quickly")
        return ("runs", "is running", "runs steadily", "jogs quickly")
    if f == "walk_backward":
        return ("walks backwards", "steps backward", "moves backwards", "walks in reverse", "backs up")
    if f == "side_step":
        return (f"side-steps to the {side}", f"steps sideways to the {side}", f"shuffles sideways to the {side}",
                f"moves to the {side} with side steps", f"sidesteps towards the {side}")  # fmt: skip
    if f == "jump":
        height = "high " if size > 1.25 else ("small " if size < 0.8 else "")
        if p.speed < 0.1:
            return (f"jumps up and down {_times(n)}", f"jumps in place {_times(n)}",
                    f"does {_number(n)} {height}jump{'s' if n > 1 else ''} on the spot",
                    f"hops {_times(n)} with both feet")  # fmt: skip
        return (f"jumps forward {_times(n)}", f"leaps forward {_times(n)}",
                f"does {_number(n)} {height}forward jump{'s' if n > 1 else ''}", f"jumps ahead {_times(n)}")  # fmt: skip
    if f == "squat":
        deep = "deep " if size > 1.25 else ""
        return (f"squats down and stands up {_times(n)}", f"does {_number(n)} {deep}squat{'s' if n > 1 else ''}",
                f"performs {_number(n)} {deep}squat{'s' if n > 1 else ''}", f"crouches down {_times(n)}",
                f"bends the knees and squats {_times(n)}")  # fmt: skip
    if f == "wave":
        if side == "both":
            return ("waves with both hands", "waves both arms above the head", "raises both arms and waves",
                    f"waves both hands {_times(n)}")  # fmt: skip
        return (f"waves with the {side} hand", f"raises the {side} arm and waves", f"waves the {side} hand {_times(n)}",
                f"greets someone by waving the {side} hand", f"lifts the {side} hand and waves hello")  # fmt: skip
    if f == "kick":
        return (f"kicks with the {side} leg {_times(n)}", f"does {_number(n)} kick{'s' if n > 1 else ''} with the {side} foot",
                f"kicks forward with the {side} foot {_times(n)}", f"lifts the {side} leg and kicks {_times(n)}")  # fmt: skip
    if f == "turn":
        d = "left" if p.turn > 0 else "right"
        deg = _degrees(p.turn)
        if deg >= 315:
            return (f"turns a full circle to the {d}", f"spins all the way around to the {d}",
                    f"turns around in a complete circle to the {d}")  # fmt: skip
        if deg >= 135:
            return (f"turns around to the {d}", "turns around", f"turns {deg} degrees to the {d}",
                    f"turns back over the {d} shoulder")  # fmt: skip
        return (f"turns to the {d}", f"turns {deg} degrees to the {d}", f"rotates in place to the {d}",
                f"turns the body to face {d}")  # fmt: skip
    if f == "punch":
        if side == "both":
            return (f"throws {_number(n)} punches with alternating fists", "punches with the left and right fist",
                    f"boxes, punching {_times(n)}", f"punches forward {_times(n)} with both arms")  # fmt: skip
        return (f"punches with the {side} fist {_times(n)}", f"throws {_number(n)} punch{'es' if n > 1 else ''} with the {side} arm",
                f"punches forward {_times(n)} with the {side} hand", f"jabs {_times(n)} with the {side} arm")  # fmt: skip
    if f == "bow":
        deep = "deeply " if size > 1.25 else ""
        return (f"bows {deep}{_times(n)}", f"bows forward {_times(n)}", f"bends forward at the waist {_times(n)}",
                f"takes a bow {_times(n)}" if n > 1 else "takes a bow")  # fmt: skip
    raise AssertionError(f"no caption templates for family {f!r}")


def _path(p: ClipParams) -> tuple[str, ...]:
    if p.family in ("walk", "run"):
        return _curve(p.turn)
    return ("",)


def _caption(p: ClipParams, rng: np.random.Generator) -> str:
    style_subject = p.style in STYLE_SUBJECTS and rng.uniform() < 0.4
    subject = str(rng.choice(STYLE_SUBJECTS[p.style] if style_subject else SUBJECTS))
    manner = "" if style_subject else str(rng.choice(STYLE_MANNERS[p.style]))
    words = [subject, str(rng.choice(_verbs(p))), str(rng.choice(_path(p))), manner]
    return " ".join(w for w in words if w) + "."


def make_captions(params: ClipParams, rng: np.random.Generator, count: int = CAPTIONS_PER_CLIP) -> list[str]:
    """`count` different captions of a clip (fewer only if the templates cannot make more)."""
    captions: list[str] = []
    for _ in range(_MAX_DRAWS):
        text = _caption(params, rng)
        if text not in captions:
            captions.append(text)
        if len(captions) == count:
            break
    return captions

"""Captions from the labels that motion-capture collections come with (file names, description tables)."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from motion_loop.data.humanml3d import Caption
from motion_loop.errors import DataFormatError
from motion_loop.resources import assets_dir

CAPTION_DIR = assets_dir() / "captions"

# Credit lines of the collections that detect_labeler recognises (by its label-source name); the
# importer writes them to meta.json unless the user gives --credit.
CREDITS: dict[str, str] = {
    "bandai_namco": (
        "Bandai Namco Research Motion Dataset, Bandai Namco Research Inc.; Kobayashi et al., \"Motion Capture "
        "Dataset for Practical Use of AI-based Motion Editing and Stylization\", arXiv:2306.08861"
    ),
    "cmu": (
        "The data used in this project was obtained from mocap.cs.cmu.edu. "
        "The database was created with funding from NSF EIA-0196217."
    ),
}
_BANDAI_NAME = re.compile(r"^dataset-(?P<set>\d+)_(?P<content>[a-z\-]+)_(?P<style>[a-z\-]+)_(?P<take>\d+)$")


@dataclass(frozen=True)
class TakeLabel:
    """What a take shows, and the captions that say it."""

    take: str  # the recording the clip comes from: clips of one take never straddle splits
    group: str  # e.g. the content for Bandai-Namco, the description for CMU: used in per-group reports
    captions: tuple[Caption, ...]
    fps: float | None = None  # true capture rate when the label source knows it better than the header


Labeler = Callable[[Path], TakeLabel]


def _pick(options: list[str], key: str, salt: int) -> str:
    digest = hashlib.sha1(f"{key}/{salt}".encode()).digest()
    return options[digest[0] % len(options)]


def _sentence(*parts: str) -> str:
    text = " ".join(part for part in parts if part).strip()
    return text[0].upper() + text[1:] + "." if text else text


class BandaiNamcoLabeler:
    """Three captions per clip from the content and style in `dataset-N_CONTENT_STYLE_ID.bvh`."""

    def __init__(self, caption_file: Path = CAPTION_DIR / "bandai_namco.yaml") -> None:
        spec = yaml.safe_load(caption_file.read_text())
        self.subjects: list[str] = spec["subjects"]
        self.contents: dict[str, list[str]] = spec["contents"]
        self.styles: dict[str, dict[str, list[str]]] = spec["styles"]

    @staticmethod
    def matches(path: Path) -> bool:
        return _BANDAI_NAME.match(path.stem) is not None

    def __call__(self, path: Path) -> TakeLabel:
        match = _BANDAI_NAME.match(path.stem)
        if match is None:
            raise DataFormatError(f"{path}: name is not dataset-N_CONTENT_STYLE_ID.bvh, cannot caption it")
        content, style = match["content"], match["style"]
        if content not in self.contents or style not in self.styles:
            raise DataFormatError(
                f"{path}: unknown content {content!r} or style {style!r}; add them to {CAPTION_DIR / 'bandai_namco.yaml'}"
            )
        actions, forms, key = self.contents[content], self.styles[style], path.stem
        captions = (
            _sentence(_pick(forms["who"], key, 0), _pick(actions, key, 1)),
            _sentence(_pick(self.subjects, key, 2), _pick(actions, key, 3), _pick(forms["how"], key, 4)),
            _sentence(_pick(self.subjects, key, 5), _pick(actions, key, 6), _pick(forms["like"], key, 7)),
        )
        return TakeLabel(path.stem, content, tuple(Caption(text) for text in dict.fromkeys(captions)))


class CmuLabeler:
    """Captions from CMU's descriptions.csv (trial, description, subject description, capture fps)."""

    def __init__(self, descriptions_csv: Path) -> None:
        if not descriptions_csv.is_file():
            raise DataFormatError(f"CMU descriptions table {descriptions_csv} not found")
        with descriptions_csv.open(newline="") as stream:
            self.rows = {row["trial"]: row for row in csv.DictReader(stream)}

    def __call__(self, path: Path) -> TakeLabel:
        row = self.rows.get(path.stem)
        if row is None or not row["description"].strip():
            raise DataFormatError(f"{path}: trial {path.stem!r} has no description in descriptions.csv; add a row")
        description = row["description"].strip()
        phrases = [p.strip() for p in re.split(r"[/,]", description) if p.strip()]
        verbs = " and ".join(_third_person(p) for p in phrases)
        captions = (_sentence("a person", verbs), _sentence("someone", verbs), _sentence("the motion shows:", description))
        fps = float(row["capture_fps"]) if row.get("capture_fps") else None
        return TakeLabel(path.stem, description, tuple(Caption(text) for text in captions), fps)


def _third_person(phrase: str) -> str:
    """'slow walk' -> 'walks slowly'-like phrasing is out of reach; 'walk' -> 'walks', 'jump up' -> 'jumps up'."""
    words = phrase.split()
    adjectives = {"slow": "slowly", "brisk": "briskly", "forward": "forward"}
    if len(words) >= 2 and words[0] in adjectives:
        return f"{_third_person(' '.join(words[1:]))} {adjectives[words[0]]}"
    verb = words[0]
    verb = verb + "es" if verb.endswith(("s", "sh", "ch", "x")) else verb + "s"
    return " ".join([verb, *words[1:]])


class FileNameLabeler:
    """Fallback for unlabelled collections: one caption from the file name ("run_fast_02" -> "a person: run fast")."""

    def __call__(self, path: Path) -> TakeLabel:
        words = " ".join(w for w in re.split(r"[_\-\s]+", path.stem) if w and not w.isdigit())
        if not words:
            raise DataFormatError(f"{path}: cannot caption a file whose name has no words; rename it or add labels")
        return TakeLabel(path.stem, words, (Caption(_sentence(f"a person: {words}")),))


def detect_labeler(source_dir: Path, files: list[Path]) -> tuple[str, Labeler]:
    """Pick the label source of a folder: Bandai-Namco names, a CMU descriptions.csv, or file names."""
    if files and all(BandaiNamcoLabeler.matches(path) for path in files):
        return "bandai_namco", BandaiNamcoLabeler()
    for folder in (source_dir, *source_dir.parents[:1]):
        if (folder / "descriptions.csv").is_file():
            return "cmu", CmuLabeler(folder / "descriptions.csv")
    return "file_name", FileNameLabeler()

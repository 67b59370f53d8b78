"""`motion-loop data import SRC OUT`: a folder of BVH motion capture -> a HumanML3D-layout dataset."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.data.importer import ImportOptions, import_bvh_folder
from motion_loop.io.folders import stale_scratch_dirs
from motion_loop.viz.frames import save_filmstrip

_PREVIEW_CLIPS = 6


def add_import_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import a folder of BVH files (Bandai-Namco, CMU, or any skeleton with a joint map)",
        description="Turn a folder of BVH files into a HumanML3D-layout dataset at 20 fps. "
        "Joint maps live in assets/joint_maps (see its README to add a skeleton). Unusable files are skipped "
        "and listed with their reason in OUT/meta.json; OUT appears only when the import is complete.",
    )
    parser.add_argument("source", type=Path, help="folder searched recursively for *.bvh")
    parser.add_argument("out", type=Path, help="output dataset folder")
    parser.add_argument("--joint-map", default=None, help="joint map name or YAML path (default: detect per file)")
    parser.add_argument("--max-frames", type=int, default=196, help="longest clip in 20 fps frames (default 196)")
    parser.add_argument("--min-frames", type=int, default=40, help="shortest clip kept (default 40)")
    parser.add_argument("--limit", type=int, default=0, help="import only the first N files (default all)")
    parser.add_argument("--source-name", default="", help="dataset name for meta.json")
    parser.add_argument("--licence", default="", help="licence for meta.json, e.g. 'CC BY-NC 4.0'")
    parser.add_argument("--credit", default="", help="credit line for meta.json")
    parser.add_argument("--overwrite", action="store_true", help="replace a non-empty OUT entirely (default: refuse)")
    parser.add_argument("--no-preview", action="store_true", help="do not draw OUT/preview.png")
    parser.set_defaults(handler=run_import)


def run_import(args: argparse.Namespace) -> int:
    options = ImportOptions(
        joint_map=args.joint_map,
        max_frames=args.max_frames,
        min_frames=args.min_frames,
        limit=args.limit,
        source=args.source_name or args.source.name,
        licence=args.licence,
        credit=args.credit,
    )
    summary = import_bvh_folder(args.source, args.out, options, overwrite=args.overwrite)
    print(f"imported {summary.clips} clips ({summary.hours:.2f} h) from {summary.files} files into {args.out}")
    print(f"splits: {summary.splits}")
    if summary.skipped:
        print(f"skipped {len(summary.skipped_files)} files: {dict(summary.skipped)} (each with its reason in {args.out / 'meta.json'})")
    print("sanity:", json.dumps(summary.sanity, indent=None))
    leftovers = [path for path in stale_scratch_dirs(args.out) if f"-{os.getpid()}-" not in path.name]
    if leftovers:
        print(f"note: {len(leftovers)} unfinished import folder(s) of interrupted runs beside OUT, e.g. {leftovers[0]}; delete them")
    if not args.no_preview:
        folder = HumanML3DFolder(args.out)
        ids = folder.ids("train")[:: max(1, len(folder.ids("train")) // _PREVIEW_CLIPS)][:_PREVIEW_CLIPS]
        clips = [(folder.joints(i), f"{i}: {folder.captions(i)[0].text}") for i in ids]
        print(f"preview: {save_filmstrip(clips, args.out / 'preview.png')}")
    return 0

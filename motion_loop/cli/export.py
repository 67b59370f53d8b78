"""`motion-loop export FORMAT ...`: motions and models for the field's other tools.

The output is the second argument or `--out PATH`; `--cfg` prints the resolved arguments and exits.

    motion-loop export mdm IN_DIR OUT_DIR [--split S] [--repetitions R]
        clips of a HumanML3D-layout folder (`motion-loop sample` output, a run's gen_*/synthetic) as
        MDM's results.npy (+ results.txt, results_len.txt), for MDM's rendering scripts
    motion-loop export glb IN_DIR OUT_DIR [--split S] [--limit N] [--stride K]
        each clip as OUT_DIR/ID.glb: the physics humanoid's bodies posed every K frames (any 3D viewer)
    motion-loop export smpl IN_DIR OUT_DIR --model SMPL_NEUTRAL.pkl [--split S] [--limit N] [--stride K]
        each clip as OUT_DIR/ID_smpl.glb: an SMPL body (your own SMPL files, smplx) posed every K frames
    motion-loop export mdm-checkpoint MODEL.pt OUT.pt --mean Mean.npy --std Std.npy [--args args.json] [--clip-weights ViT-B-32.pt]
        an MDM trans_enc checkpoint as a motion-loop checkpoint (`motion-loop sample checkpoint=OUT.pt`)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from motion_loop.cli.options import add_out_argument, print_arguments, resolve_out, split_cfg


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motion-loop export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    formats = parser.add_subparsers(dest="format", required=True)
    mdm = formats.add_parser("mdm", help="MDM's results.npy")
    mdm.add_argument("in_dir", type=Path, help="HumanML3D-layout folder of clips (new_joints/ or new_joint_vecs/, texts/)")
    add_out_argument(mdm, "out", "folder for results.npy, results.txt, results_len.txt")
    mdm.add_argument("--split", default=None, help="only the clips of this split (default every clip)")
    mdm.add_argument("--repetitions", type=int, default=1,
                     help="clips sharing a caption are this many repetitions of one prompt (default 1)")
    glb = formats.add_parser("glb", help="GLB mesh sequences of the humanoid's bodies")
    glb.add_argument("in_dir", type=Path, help="HumanML3D-layout folder of clips")
    add_out_argument(glb, "out", "folder for ID.glb files")
    glb.add_argument("--split", default=None, help="only the clips of this split (default every clip)")
    glb.add_argument("--limit", type=int, default=0, help="export the first N clips only (default all)")
    glb.add_argument("--stride", type=int, default=5, help="export every K-th frame (default 5)")
    smpl = formats.add_parser("smpl", help="GLB frames of an SMPL body (needs smplx and SMPL model files)")
    smpl.add_argument("in_dir", type=Path, help="HumanML3D-layout folder of clips")
    add_out_argument(smpl, "out", "folder for ID_smpl.glb files")
    smpl.add_argument("--model", type=Path, required=True, help="SMPL_NEUTRAL.pkl, or a folder of SMPL_{GENDER}.pkl")
    smpl.add_argument("--gender", default="neutral", help="neutral, male or female (with a folder)")
    smpl.add_argument("--split", default=None, help="only the clips of this split (default every clip)")
    smpl.add_argument("--limit", type=int, default=0, help="export the first N clips only (default all)")
    smpl.add_argument("--stride", type=int, default=5, help="export every K-th frame (default 5)")
    checkpoint = formats.add_parser("mdm-checkpoint", help="an MDM trans_enc checkpoint as a motion-loop checkpoint")
    checkpoint.add_argument("model", type=Path, help="MDM's model*.pt")
    add_out_argument(checkpoint, "out", "motion-loop checkpoint to write")
    checkpoint.add_argument("--mean", type=Path, required=True, help="the HumanML3D Mean.npy MDM was trained with")
    checkpoint.add_argument("--std", type=Path, required=True, help="the HumanML3D Std.npy MDM was trained with")
    checkpoint.add_argument("--args", type=Path, default=None, help="MDM's args.json (default: beside MODEL.pt)")
    checkpoint.add_argument("--raw", action="store_true", help="ignore MDM's EMA weights (model_avg)")
    checkpoint.add_argument("--clip-weights", default="", help="local CLIP ViT-B-32.pt, stored for sampling")
    return parser


def run(argv: list[str]) -> int:
    parser = _parser()
    argv, show = split_cfg(argv)
    args = parser.parse_args(argv)
    resolve_out(parser, args, "out")
    if show:
        print_arguments(args)
        return 0
    if args.format == "mdm":
        from motion_loop.interop.mdm_results import folder_to_mdm_results, save_mdm_results

        results = folder_to_mdm_results(args.in_dir, split=args.split, num_repetitions=args.repetitions)
        path = save_mdm_results(args.out, results)
        print(f"wrote {path} ({results.num_samples} samples x {results.num_repetitions} repetitions)")
    elif args.format in ("glb", "smpl"):
        from motion_loop.data.humanml3d import HumanML3DFolder
        from motion_loop.interop.mdm_results import folder_joints
        from motion_loop.interop.mesh import save_humanoid_glb

        folder = HumanML3DFolder(args.in_dir)
        ids = folder.ids(args.split)
        ids = ids[: args.limit] if args.limit > 0 else ids
        if args.format == "smpl":
            from motion_loop.interop.smpl import SmplBody, save_smpl_glb

            body = SmplBody(args.model, gender=args.gender)
            for clip_id in ids:
                save_smpl_glb(body, folder_joints(folder, clip_id), args.out / f"{clip_id}_smpl.glb", stride=args.stride)
        else:
            for clip_id in ids:
                save_humanoid_glb(folder_joints(folder, clip_id), args.out / f"{clip_id}.glb", stride=args.stride)
        print(f"wrote {len(ids)} GLB files to {args.out}")
    else:
        import json

        from motion_loop.interop.mdm_checkpoint import mdm_to_checkpoint
        from motion_loop.model.checkpoint import save_checkpoint

        mdm_args = json.loads(args.args.read_text()) if args.args is not None else None
        checkpoint = mdm_to_checkpoint(args.model, mean=np.load(args.mean), std=np.load(args.std), args=mdm_args,
                                       use_ema=not args.raw, clip_weights=args.clip_weights)  # fmt: skip
        print(f"wrote {save_checkpoint(args.out, checkpoint)}; sample it with motion-loop sample checkpoint={args.out}")
    return 0

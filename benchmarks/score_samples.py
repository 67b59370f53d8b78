"""FID, R-precision and matching score of samples kept by benchmarks/model_coherence.py.

    nice python benchmarks/score_samples.py /tmp/bandai2 EVALUATOR.pt SAMPLES.npz [...] --out results.json

Each .npz holds the features of one checkpoint's samples for the benchmark's prompts (test clips, one
caption each). They are scored against the test split's embeddings by the evaluator (replications
re-draw the R-precision batches; FID of a set is one number). The real clips of the same prompts are
scored the same way as the upper bound of that prompt set.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from motion_loop.data.humanml3d import HumanML3DFolder
from motion_loop.eval.config import MetricsConfig
from motion_loop.eval.evaluation import GeneratedMotion, evaluate_motions, reference_embeddings
from motion_loop.eval.evaluator import Evaluator

_KEYS = ("fid", "r_precision_top1", "r_precision_top3", "matching_score", "diversity")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("evaluator", type=Path)
    parser.add_argument("samples", type=Path, nargs="+")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "model_coherence_scores.json")
    args = parser.parse_args()
    folder = HumanML3DFolder(args.dataset)
    evaluator = Evaluator.load(args.evaluator)
    reference = reference_embeddings(evaluator, folder, "test")
    cfg = MetricsConfig(replications=args.replications, diversity_times=30)
    payload: dict = {"evaluator": str(args.evaluator), "reference": "test", "entries": []}
    real_done = False
    for path in args.samples:
        data = np.load(path)
        captions = [str(c) for c in data["captions"]]
        features = [data[f"features_{i}"] for i in range(len(captions))]
        sets = {path.stem: [GeneratedMotion(f, c, len(f)) for f, c in zip(features, captions, strict=True)]}
        if not real_done:
            real = [np.load(folder.features_dir / f"{i}.npy")[: len(f)] for i, f in zip(data["clip_ids"], features, strict=True)]
            sets["real_same_prompts"] = [GeneratedMotion(f, c, len(f)) for f, c in zip(real, captions, strict=True)]
            real_done = True
        for name, motions in sets.items():
            result = evaluate_motions(evaluator, motions, reference, cfg, np.random.default_rng(0))
            row = {"samples": name, "prompts": len(motions)}
            row.update({k: {"mean": result[k].mean, "ci95": result[k].to_dict()["ci95"]} for k in _KEYS if result[k].available})
            payload["entries"].append(row)
            print(name, {k: round(v["mean"], 3) for k, v in row.items() if isinstance(v, dict)}, flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""FID on Gaussian embeddings against the closed form, and its small-sample bias.

    nice python benchmarks/eval_fid_closed_form.py

For N(0, I) vs N(shift, scale^2 I) in D dims the Fréchet distance is D shift^2 + D (scale - 1)^2.
`frechet_distance` on the exact population statistics must equal it to rounding; on N samples per
side the estimate is biased upward by roughly the sampling noise of the covariances (grows like D^2/N),
which is why FID values are only comparable at equal sample counts.
Writes benchmarks/results/eval_fid_closed_form.json.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import write_result  # noqa: E402

from motion_loop.eval.metrics import fid, frechet_distance  # noqa: E402

SHIFT, SCALE = 0.1, 1.2


def main() -> None:
    rng = np.random.default_rng(0)
    rows = []
    for D, N in ((16, 1000), (16, 20000), (64, 20000), (512, 1000), (512, 4000), (512, 20000)):
        closed = D * SHIFT**2 + D * (SCALE - 1) ** 2
        exact = frechet_distance(np.zeros(D), np.eye(D), np.full(D, SHIFT), np.eye(D) * SCALE**2)
        a = rng.normal(size=(N, D))
        b = rng.normal(size=(N, D)) * SCALE + SHIFT
        start = time.perf_counter()
        sampled = fid(a, b)
        seconds = time.perf_counter() - start
        same = fid(a, rng.normal(size=(N, D)))  # two samples of the same Gaussian: pure bias
        rows.append({"D": D, "N": N, "closed_form": closed, "fid_population_stats": exact, "fid_samples": sampled,
                     "fid_same_distribution": same, "seconds": seconds})  # fmt: skip
        print(rows[-1], flush=True)
    write_result("eval_fid_closed_form", {"shift": SHIFT, "scale": SCALE, "rows": rows})


if __name__ == "__main__":
    main()

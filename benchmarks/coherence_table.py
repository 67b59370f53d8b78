"""Per-content coherence ratios of entries of results/model_coherence.json, one line per weights.

    python benchmarks/coherence_table.py conv3:1000 ref:1500 [--results PATH]

Each line: joint-proxy skating of the samples against the real clips', the locomotion pool's foot motion
(median / p95 mm per frame and their ratios to the real clips'), and every content's ratio median / p95,
each ratio with its 95 % interval where the entry has one (entries written since session 10).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _ratio(row: dict, key: str) -> str:
    interval = row.get(f"{key}_ci95")
    text = f"{row[key]:.2f}"
    return text + (f" [{interval[0]:.2f}, {interval[1]:.2f}]" if interval else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("entries", nargs="+", help="NAME:STEP as written by model_coherence.py --name")
    parser.add_argument("--results", type=Path, default=Path(__file__).parent / "results" / "model_coherence.json")
    args = parser.parse_args()
    wanted = {(name, int(step)) for name, step in (entry.split(":") for entry in args.entries)}
    for entry in json.loads(args.results.read_text())["entries"]:
        if (entry["name"], entry["step"]) not in wanted:
            continue
        for weights in ("ema", "raw"):
            rows = {row["group"]: row for row in entry[weights]["coherence"]}
            line = f"{entry['name']} {entry['step']} {weights}: skate {entry[weights]['skate_mm']:.1f} mm"
            line += f" (real {entry['real_skate_mm']:.1f}"
            line += f"; ratio {_ratio(entry[weights], 'skate_ratio')})" if "skate_ratio" in entry[weights] else ")"
            if "locomotion" in rows:
                pool = rows["locomotion"]
                line += f"; locomotion {pool['foot_median_mm']:.0f} / {pool['foot_p95_mm']:.0f} mm"
                line += f" (ratio {_ratio(pool, 'foot_median_ratio')} / {_ratio(pool, 'foot_p95_ratio')})"
            for group, row in rows.items():
                if group not in ("all", "locomotion"):
                    line += f"; {group} {_ratio(row, 'foot_median_ratio')} / {_ratio(row, 'foot_p95_ratio')}"
            print(line)


if __name__ == "__main__":
    main()

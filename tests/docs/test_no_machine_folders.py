"""Docs, scripts and committed benchmark results name no folder of the machine that produced them.

The regression happened twice (issue 17 item 2): a benchmark's command line, its --out or a
checkpoint path from a session's scratch folders was committed into a JSON result or a doc. Paths a
reader can use are written as ~/data/..., ~/runs/... or runs/...; generic examples such as /tmp/run
are fine.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The scratch folders of the sessions that built this project (their caches and work folders).
MACHINE_FOLDERS = re.compile(r"/tmp/ml-cache|/tmp/s\d+/|/work/main|/work/wt/")


def _committed_text_files() -> list[Path]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "scripts").glob("*"))]
    files += sorted((ROOT / "benchmarks").glob("*.py")) + sorted((ROOT / "benchmarks" / "device").glob("*"))
    files += sorted((ROOT / "benchmarks" / "results").glob("*.json"))
    return [path for path in files if path.is_file()]


def test_no_machine_folders_in_docs_scripts_or_results() -> None:
    offenders = []
    for path in _committed_text_files():
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
            match = MACHINE_FOLDERS.search(line)
            if match:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    assert not offenders, "machine folders in committed files (write ~/data/... or ~/runs/...):\n" + "\n".join(offenders[:20])

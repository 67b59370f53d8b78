"""Run the `motion-loop` command in a child process, as a user's shell would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m motion_loop.cli ARGS` with this checkout first on the path; never raises on failure."""
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
                   "HF_HUB_OFFLINE": "1", "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}  # fmt: skip
    environment.pop("MOTION_LOOP_DEBUG", None)
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "motion_loop.cli", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip


def load_demo_bvh():  # noqa: ANN201 - the scripts/demo_bvh.py module
    """scripts/demo_bvh.py as a module (scripts/ is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("demo_bvh", REPO / "scripts" / "demo_bvh.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module

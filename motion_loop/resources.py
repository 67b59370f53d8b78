"""Where the project's data files are: the Hydra configs (`conf/`) and the assets (`assets/`).

In a checkout (and an editable install) they are the repository's top-level `conf/` and `assets/`
folders. A wheel carries copies of both inside the package, as `motion_loop/_bundled/conf` and
`motion_loop/_bundled/assets` (pyproject.toml maps them there), found through importlib.resources.
`MOTION_LOOP_CONF` / `MOTION_LOOP_ASSETS` point at other folders (e.g. a user's own presets).

An editable install (hatchling) also copies the bundle into site-packages/motion_loop/_bundled, but
there `motion_loop` is imported from the checkout (a regular package beats that data-only folder), so
the checkout's own conf/ and assets/ are read and edits to them take effect at once.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from motion_loop.errors import ConfigError

CONF_ENV_VAR = "MOTION_LOOP_CONF"
ASSETS_ENV_VAR = "MOTION_LOOP_ASSETS"
_BUNDLE = "_bundled"
_CHECKOUT = Path(__file__).resolve().parents[1]


def _candidates(name: str, env_var: str) -> list[Path]:
    if os.environ.get(env_var):
        return [Path(os.environ[env_var])]
    # files() of a regular package installed from a wheel is a real folder (pip never installs zipped).
    bundled = Path(str(files("motion_loop").joinpath(_BUNDLE, name)))
    return [bundled, _CHECKOUT / name]


def conf_dir() -> Path:
    """The folder of Hydra configs (holding config.yaml)."""
    candidates = _candidates("conf", CONF_ENV_VAR)
    for path in candidates:
        if (path / "config.yaml").is_file():
            return path
    raise ConfigError(
        f"no Hydra config folder (looked for config.yaml in {', '.join(map(str, candidates))}); reinstall "
        f"motion-loop (its wheel carries conf/), or set {CONF_ENV_VAR} to a conf/ folder"
    )


def assets_dir() -> Path:
    """The folder of assets (joint_maps/, captions/); the first candidate when none exists yet."""
    candidates = _candidates("assets", ASSETS_ENV_VAR)
    for path in candidates:
        if path.is_dir():
            return path
    return candidates[0]

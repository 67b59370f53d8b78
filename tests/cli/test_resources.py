"""Configs and assets are found in the checkout, in a wheel's bundle, or where the variables say."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from motion_loop import resources
from motion_loop.errors import ConfigError


def test_checkout_folders_are_found_without_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(resources.CONF_ENV_VAR, raising=False)
    monkeypatch.delenv(resources.ASSETS_ENV_VAR, raising=False)
    assert (resources.conf_dir() / "run.yaml").is_file()
    assert (resources.assets_dir() / "joint_maps" / "cmu.yaml").is_file()


def test_variable_points_at_another_conf_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "my_conf"
    shutil.copytree(resources.conf_dir(), own)
    monkeypatch.setenv(resources.CONF_ENV_VAR, str(own))
    assert resources.conf_dir() == own
    monkeypatch.setenv(resources.CONF_ENV_VAR, str(tmp_path / "empty"))
    with pytest.raises(ConfigError, match="MOTION_LOOP_CONF"):
        resources.conf_dir()


def test_wheel_layout_is_preferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A package folder holding _bundled/conf (as the wheel installs it) wins over the checkout's."""
    package = tmp_path / "site" / "motion_loop"
    bundled = package / "_bundled" / "conf"
    shutil.copytree(resources.conf_dir(), bundled)
    monkeypatch.delenv(resources.CONF_ENV_VAR, raising=False)
    monkeypatch.setattr(resources, "files", lambda name: package)
    assert resources.conf_dir() == bundled

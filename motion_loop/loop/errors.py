"""Errors of the loop engine; all derive from the package's base exception."""

from __future__ import annotations

from motion_loop.errors import ConfigError, MotionLoopError


class MixingError(ConfigError):
    """A data-mixing policy value is outside its valid range or leaves a training set empty."""


class GraphError(ConfigError):
    """An interaction graph names unknown nodes, repeats edges or lacks a required fresh-data node."""


class RunStateError(MotionLoopError):
    """A run folder is inconsistent with the run asked for (other config, missing files, gaps)."""

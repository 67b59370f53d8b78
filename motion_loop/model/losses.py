"""Training losses as pure functions of explicit tensors and masks.

The geometric terms need de-normalised HumanML3D features; the caller passes the normalisation
statistics. `ric_joints` is the torch, batched counterpart of motion_loop.data.features.features_to_joints
(dims 0-66: root yaw velocity, root planar velocity, root height, root-relative joint positions).
"""

from __future__ import annotations

import torch

# Layout of the 263-d features (see motion_loop.data.features): dims of the RIC recovery.
_ROOT_YAW_VEL, _ROOT_LIN_VEL, _ROOT_HEIGHT = 0, slice(1, 3), 3
_RIC = slice(4, 67)
_CONTACTS = slice(259, 263)
# Joints whose contact labels are feature dims 259..262: L ankle, L foot, R ankle, R foot.
FOOT_JOINTS = (7, 10, 8, 11)
NUM_JOINTS = 22
_CONTACT_ON = 0.5


def masked_mse(prediction: torch.Tensor, target: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean squared error over valid frames: sum_valid (p - y)^2 / (#valid frames * D).

    Args:
        prediction, target: (B, T, ...) tensors.
        mask: (B, T) bool, valid frames.

    Returns:
        Per-sample loss (B,).
    """
    B, T = mask.shape
    weight = mask.to(prediction.dtype).reshape(B, T, *([1] * (prediction.ndim - 2)))
    squared = ((prediction - target) ** 2 * weight).reshape(B, -1).sum(1)
    per_frame = prediction[0, 0].numel()
    return squared / (mask.sum(1).clamp_min(1) * per_frame)


def _rotate_about_y(vectors: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    """Rotate (..., 3) vectors by `angle` (...) [rad] about +y (right-handed)."""
    cos, sin = torch.cos(angle), torch.sin(angle)
    x, y, z = vectors.unbind(-1)
    return torch.stack([cos * x + sin * z, y, -sin * x + cos * z], dim=-1)


def ric_joints(features: torch.Tensor) -> torch.Tensor:
    """Joint positions from de-normalised features by the RIC recovery, (B, T, 263) -> (B, T, 22, 3) [m].

    Root yaw: dim 0 stores half the per-frame yaw increment; the integrated half-angle `a` gives the
    facing quaternion (cos a, 0, sin a, 0), i.e. a rotation of 2a about y; positions are rotated back by -2a.
    """
    B, T, _ = features.shape  # (B, T, 263)
    half_angle = torch.cat(
        [features.new_zeros(B, 1), torch.cumsum(features[:, :-1, _ROOT_YAW_VEL], dim=1)], dim=1
    )
    undo = -2.0 * half_angle  # (B, T) [rad]
    steps = features.new_zeros(B, T, 3)
    steps[:, 1:, 0] = features[:, :-1, 1]
    steps[:, 1:, 2] = features[:, :-1, 2]
    root = torch.cumsum(_rotate_about_y(steps, undo), dim=1)  # (B, T, 3)
    root = torch.stack([root[..., 0], features[..., _ROOT_HEIGHT], root[..., 2]], dim=-1)
    local = features[..., _RIC].reshape(B, T, NUM_JOINTS - 1, 3)
    joints = _rotate_about_y(local, undo[..., None])
    joints = (
        joints
        + torch.stack([root[..., 0], torch.zeros_like(root[..., 0]), root[..., 2]], -1)[:, :, None]
    )
    return torch.cat([root[:, :, None], joints], dim=2)


def joint_position_loss(
    pred_joints: torch.Tensor, target_joints: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """Masked MSE of joint positions (B, T, 22, 3) -> (B,)."""
    return masked_mse(pred_joints, target_joints, mask)


def velocity_loss(
    pred_joints: torch.Tensor, target_joints: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """Masked MSE of frame-to-frame joint displacements; a pair counts when both frames are valid, (B,)."""
    pair_mask = mask[:, 1:] & mask[:, :-1]
    return masked_mse(pred_joints.diff(dim=1), target_joints.diff(dim=1), pair_mask)


def foot_contact_loss(
    pred_joints: torch.Tensor, target_features: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """Squared velocity of the foot joints on frames the target labels as in contact, (B,).

    Args:
        pred_joints: predicted joints (B, T, 22, 3) [m].
        target_features: de-normalised target features (B, T, 263); dims 259-262 are the contact labels.
        mask: (B, T) valid frames.
    """
    contact = target_features[:, :-1, _CONTACTS] > _CONTACT_ON  # (B, T-1, 4)
    foot_velocity = (
        pred_joints[:, 1:, list(FOOT_JOINTS)] - pred_joints[:, :-1, list(FOOT_JOINTS)]
    )  # (B, T-1, 4, 3)
    pair_mask = mask[:, 1:] & mask[:, :-1]
    return masked_mse(
        foot_velocity * contact[..., None], torch.zeros_like(foot_velocity), pair_mask
    )

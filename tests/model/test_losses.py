import numpy as np
import torch

from motion_loop.data.features import features_to_joints
from motion_loop.model.losses import foot_contact_loss, masked_mse, ric_joints, velocity_loss


def test_ric_joints_matches_numpy_recovery(lively_motion) -> None:
    _, features = lively_motion
    expected = features_to_joints(features)
    got = ric_joints(torch.from_numpy(features[None]).double())[0].numpy()
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_ric_joints_matches_numpy_on_random_features() -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(0, 0.1, (30, 263))
    got = ric_joints(torch.from_numpy(features[None]))[0].numpy()
    np.testing.assert_allclose(got, features_to_joints(features), atol=1e-6)


def test_masked_mse_ignores_padding() -> None:
    pred, target = torch.zeros(2, 5, 3), torch.zeros(2, 5, 3)
    pred[:, 3:] = 10.0
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]], dtype=torch.bool)
    loss = masked_mse(pred, target, mask)
    assert loss[0] == 0 and loss[1] == torch.tensor(100.0 / 4)


def test_geometric_losses_zero_on_target_and_positive_otherwise() -> None:
    rng = np.random.default_rng(1)
    features = torch.from_numpy(rng.normal(0, 0.1, (2, 20, 263)))
    features[..., 259:263] = 1.0  # always in contact
    mask = torch.ones(2, 20, dtype=torch.bool)
    joints = ric_joints(features)
    assert torch.all(velocity_loss(joints, joints, mask) == 0)
    assert torch.all(foot_contact_loss(joints, features, mask) > 0)
    still = joints[:, :1].expand_as(joints)
    assert torch.all(foot_contact_loss(still, features, mask) == 0)

"""Two-process DDP on CPU (gloo): the same code path torchrun uses, without torchrun."""

from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from .model_helpers import (
    make_synthetic_folder,
    tiny_diffusion_config,
    tiny_model_config,
    tiny_train_config,
)


def _worker(rank: int, world_size: int, init_file: str, data: str, out: str) -> None:
    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo", init_method=f"file://{init_file}", rank=rank, world_size=world_size
    )
    try:
        from motion_loop.data.dataset import MotionDataset
        from motion_loop.data.humanml3d import HumanML3DFolder
        from motion_loop.model import build_trainer

        folder = HumanML3DFolder(data)
        trainer = build_trainer(
            tiny_model_config(),
            tiny_diffusion_config(),
            tiny_train_config(steps=3),
            mean_std_from=folder,
        )
        # Each rank cuts its own crops (seed per rank), so the ranks see different batches.
        dataset = MotionDataset(folder, "train", mean=trainer.mean, std=trainer.std, seed=rank)
        trainer.fit(dataset, out)
        weights = torch.cat([p.detach().flatten() for p in trainer.denoiser.parameters()])
        gathered = [torch.zeros_like(weights) for _ in range(world_size)]
        dist.all_gather(gathered, weights)
        if rank == 0:
            torch.save(gathered, Path(out) / "gathered.pt")
        dist.barrier()  # neither rank tears gloo down while the other still uses it (a rare SIGABRT)
    finally:
        dist.destroy_process_group()


@pytest.mark.slow
def test_two_process_gloo_training(tmp_path: Path) -> None:
    data = make_synthetic_folder(tmp_path / "data")
    out = tmp_path / "run"
    mp.spawn(_worker, args=(2, str(tmp_path / "init"), str(data), str(out)), nprocs=2, join=True)
    gathered = torch.load(out / "gathered.pt")
    torch.testing.assert_close(gathered[0], gathered[1], rtol=0, atol=0)
    assert (out / "checkpoint.pt").is_file()

"""Weights & Biases logging of loop generations, in W&B's offline mode (no account, no network)."""

from __future__ import annotations

import json
import struct
import time

import pytest

from motion_loop.errors import ConfigError
from motion_loop.interop.wandb_log import WandbLog, WandbSettings

# W&B's offline run file: a 7-byte file header, then LevelDB-log framed protobuf records in 32 KiB
# blocks (each chunk: crc32 (4), length (2), type (1): 1 full, 2 first, 3 middle, 4 last).
_FILE_HEADER, _CHUNK_HEADER, _BLOCK = 7, 7, 32768
# W&B's writer process flushes the file after `finish()` returns; wait for its exit record [s].
_FLUSH_WAIT = 60.0


def _records(path):
    from wandb.proto import wandb_internal_pb2

    data, position, pending, records = path.read_bytes(), _FILE_HEADER, b"", []
    assert data[:4] == b":W&B"
    while position + _CHUNK_HEADER <= len(data):
        left = _BLOCK - position % _BLOCK
        if left < _CHUNK_HEADER:  # the rest of a block too short for a header is padding
            position += left
            continue
        _, length, kind = struct.unpack("<IHB", data[position : position + _CHUNK_HEADER])
        position += _CHUNK_HEADER
        pending += data[position : position + length]
        position += length
        if kind in (1, 4):
            record = wandb_internal_pb2.Record()
            record.ParseFromString(pending)
            records.append(record)
            pending = b""
    return records


def test_offline_session_writes_each_generation(tmp_path, monkeypatch):
    pytest.importorskip("wandb", reason="wandb is not installed (pip install 'motion-loop[wandb]')")
    monkeypatch.setenv("WANDB_SILENT", "true")
    settings = WandbSettings(enabled=True, project="motion-loop-test", mode="offline", group="smoke", tags=["test"])
    log = WandbLog(tmp_path, settings, config={"loop": {"arm": "corrected", "seed": 0}}, name="corrected/seed_0")
    try:
        for generation, fid in enumerate([1.5, 1.25]):
            log(generation, [{"generation": generation, "node": "model", "fid": fid, "fid_ci95": 0.1, "n_train": 48,
                              "fell": False, "kid": float("nan")}])  # fmt: skip
    finally:
        log.finish()
    (run_dir,) = (tmp_path / "wandb").glob("offline-run-*")
    (run_file,) = run_dir.glob("run-*.wandb")
    assert run_file.name == f"run-{log.run_id}.wandb"
    assert (tmp_path / "wandb" / "run_id").read_text() == log.run_id  # a resumed run reuses it
    deadline = time.monotonic() + _FLUSH_WAIT
    records = _records(run_file)
    while not any(r.WhichOneof("record_type") == "exit" for r in records) and time.monotonic() < deadline:
        time.sleep(0.2)
        records = _records(run_file)
    (run,) = [r.run for r in records if r.WhichOneof("record_type") == "run"]
    assert run.project == "motion-loop-test" and run.run_id == log.run_id and run.run_group == "smoke"
    assert run.display_name == "corrected/seed_0" and list(run.tags) == ["test"]
    config = {item.key: json.loads(item.value_json) for item in run.config.update}
    assert config["loop"] == {"arm": "corrected", "seed": 0}
    history = [
        {item.key or "/".join(item.nested_key): json.loads(item.value_json) for item in r.history.item}
        for r in records if r.WhichOneof("record_type") == "history"
    ]  # fmt: skip
    assert [(h["_step"], h["generation"], h["model/fid"]) for h in history] == [(0, 0, 1.5), (1, 1, 1.25)]
    assert all(h["model/fid_ci95"] == 0.1 and h["model/n_train"] == 48 for h in history)
    assert not any("model/kid" in h or "model/fell" in h for h in history)  # NaN and flags are not metrics


def test_unknown_mode_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="wandb.mode must be one of"):
        WandbLog(tmp_path, WandbSettings(enabled=True, mode="offlin"), config={}, name="x")

"""The run's console lines: one per generation, and the final generation-0-to-last table."""

from __future__ import annotations

import logging

import pytest

from motion_loop.loop.summary import GenerationLog, final_table, generation_line

RECORDS = [
    {"generation": 0, "node": "model", "n_train": 48, "n_incoming": 0, "fid": 0.677, "fid_ci95": 0.05, "r_precision_top3": 0.094},
    {"generation": 1, "node": "model", "n_train": 60, "n_incoming": 12, "fid": 0.760, "r_precision_top3": 0.219},
    {"generation": 2, "node": "model", "n_train": 60, "n_incoming": 12, "fid": 1.051, "r_precision_top3": 0.156, "skipped": True},
]


def test_generation_line_names_the_headline_metrics() -> None:
    line = generation_line(1, 3, RECORDS[1], label="corrected", seconds=41.2)
    assert line == "corrected gen 1/2: FID 0.760  R@3 0.219  n_train 60 (12 synthetic)  41 s"
    assert "±0.050" in generation_line(0, 3, RECORDS[0])


def test_final_table_shows_the_change_from_generation_0() -> None:
    rows = final_table(RECORDS).splitlines()
    assert rows[0].split() == ["metric", "gen", "0", "gen", "2", "change"]
    assert rows[1].split() == ["FID", "0.677", "1.051", "+0.374", "(+55.2%)"]
    assert rows[2].split()[0] == "R@3" and len(rows) == 3  # metrics absent from every record are left out
    assert final_table([]) == "no generation was run"


def test_generation_log_logs_one_line_per_generation(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[int] = []
    callback = GenerationLog(3, label="baseline", then=lambda generation, records: seen.append(generation))
    with caplog.at_level(logging.INFO, logger="motion_loop.loop.summary"):
        for record in RECORDS:
            callback(record["generation"], [record])
    lines = [r.getMessage() for r in caplog.records if r.name == "motion_loop.loop.summary"]
    assert seen == [0, 1, 2] and len(lines) == 3
    assert all(line.startswith(f"baseline gen {g}/2: FID") for g, line in enumerate(lines))

"""Shared fixtures: where the real clips and split files live, and quiet TensorFlow logs."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tests.helpers.paths import SHARED_DATA


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real UCF101/HMDB51 clips and official split files; skips when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not found at {SHARED_DATA} (a fresh clone has no ../shared)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def ucf_records_root(shared_data, tmp_path_factory) -> Path:
    """<root>/ucf101: records of the 6 real clips, 3 positions of 80x60 frames (built once)."""
    from tests.helpers.real_records import build_ucf101_records

    return build_ucf101_records(shared_data, tmp_path_factory.mktemp("records"))


@pytest.fixture(scope="session")
def tfds_ucf101(shared_data, tmp_path_factory) -> Path:
    """The version folder of a TFDS build (TanVideoFlow, ucf101 split 1) of the 6 real clips."""
    from tests.helpers.real_records import build_tfds_ucf101

    return build_tfds_ucf101(shared_data, tmp_path_factory.mktemp("tfds_ucf101"))


@pytest.fixture(scope="session")
def evaluated_tiny_run(ucf_records_root, tmp_path_factory):
    """(records dir, workspace, run name): a tiny TAN trained one epoch on the real clips and
    evaluated (scores.npz), for the tests of export and predict."""
    from tests.helpers.real_records import train_and_evaluate_tiny

    records = ucf_records_root / "ucf101"
    workspace = tmp_path_factory.mktemp("tiny_run")
    return records, workspace, train_and_evaluate_tiny(records, workspace)

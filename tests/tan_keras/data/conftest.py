"""Records shared by the data tests (written once per session): synthetic ones, and the six real
UCF101 clips as data_prep's records with the settings of the TFDS build (`tfds_ucf101`, in
tests/conftest.py)."""

from pathlib import Path

import pytest

from tests.helpers import synthetic_records as sr
from tests.helpers.built_once import built_once
from tests.helpers.real_records import (TFDS_FRAME_HEIGHT, TFDS_FRAME_WIDTH, TFDS_POSITIONS,
                                        write_ucf101_splits)
from tests.helpers.synthetic_records import VIDEOS


@pytest.fixture(scope="session")
def png_records(tmp_path_factory):
    """(records_dir, {video_id: serialized record}) with lossless PNG flow, two shards."""
    records_dir = str(tmp_path_factory.mktemp("png_records"))
    return records_dir, sr.write_records(records_dir, VIDEOS, num_shards=2, flow_format="png")


@pytest.fixture(scope="session")
def jpeg_records(tmp_path_factory):
    """(records_dir, {video_id: serialized record}) with JPEG flow, one shard."""
    records_dir = str(tmp_path_factory.mktemp("jpeg_records"))
    return records_dir, sr.write_records(records_dir, VIDEOS, num_shards=1, flow_format="jpeg")


@pytest.fixture(scope="session")
def png_ucf101_records(shared_data, tmp_path_factory) -> Path:
    """data_prep's records of the same clips, split and settings as `tfds_ucf101`, PNG flow
    (built once per run, also under pytest-xdist)."""
    from data_prep.build.local import build_records
    from data_prep.build.extract import PrepSettings

    def build(root):
        records_dir = root / "ucf101"
        build_records("ucf101", str(shared_data / "videos" / "ucf101"), str(records_dir),
                      splits_dir=str(write_ucf101_splits(root / "splits")),
                      settings=PrepSettings(positions=TFDS_POSITIONS,
                                            frame_width=TFDS_FRAME_WIDTH,
                                            frame_height=TFDS_FRAME_HEIGHT, flow_format="png"),
                      num_workers=1, verbose=False)
        return str(records_dir)

    return Path(built_once(tmp_path_factory, "png_ucf101", build))

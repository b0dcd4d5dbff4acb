"""Synthetic records shared by the data tests (written once per session)."""

import pytest

from . import synthetic_records as sr

# Split 1: three training videos (10, 7 and 3 stored positions: 3 < T = 5 exercises repetition)
# and two test videos.
VIDEOS = [
    sr.Video("ClassA/v_a_g08.avi", 0, 0, 10, "train"),
    sr.Video("ClassB/v_b_g08.avi", 1, 1, 7, "train"),
    sr.Video("ClassC/v_c_g08.avi", 2, 2, 3, "train"),
    sr.Video("ClassA/v_a_g01.avi", 3, 0, 8, "test"),
    sr.Video("ClassC/v_c_g01.avi", 2, 2, 3, "test"),
]


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

"""Synthetic records shared by the data tests (written once per session)."""

import pytest

from tests.helpers import synthetic_records as sr
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

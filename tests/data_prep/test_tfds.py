"""The TFDS builder: prepared from raw videos in manual_dir, its arrays equal extract_positions'."""

import numpy as np
import tensorflow_datasets as tfds

from data_prep.extract import PrepSettings, extract_positions
from data_prep.tfds_builder import TanVideoFlow, TanVideoFlowConfig


def test_tfds_builder_reuses_extract_positions(shared_data, tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    (manual / "videos").symlink_to(shared_data / "videos" / "ucf101", target_is_directory=True)
    config = TanVideoFlowConfig(name="tiny", dataset="folder", positions=2, frame_size=(64, 48),
                                test_fraction=0.5, classes=("BabyCrawling", "Punch", "PushUps"))
    builder = TanVideoFlow(config=config, data_dir=str(tmp_path / "data"))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(manual)))
    counts = {split: builder.info.splits[split].num_examples for split in ("train", "test")}
    assert sum(counts.values()) == 6
    examples = list(tfds.as_numpy(builder.as_dataset(split="train")))
    assert len(examples) == counts["train"]
    for ex in examples:
        video = ex["video/filename"].decode()
        expected = extract_positions(str(shared_data / "videos" / "ucf101" / video),
                                     PrepSettings(positions=2, frame_size=(64, 48)))
        np.testing.assert_array_equal(ex["frame_index"], expected.frame_indices)
        np.testing.assert_array_equal(ex["flow_x"][..., 0], expected.flow[..., 0])  # PNG: exact
        np.testing.assert_array_equal(ex["flow_y"][..., 0], expected.flow[..., 1])
        assert np.abs(ex["rgb"].astype(int) - expected.rgb).mean() < 8.0  # TFDS JPEG (4:2:0 chroma), small frames
        assert builder.info.features["label"].names[ex["label"]] == video.split("/")[0]
        assert ex["video/num_frames"] == expected.num_frames

"""The TFDS builder: prepared from raw videos in manual_dir, its arrays equal extract_positions',
with the class names and metadata.json (2.0.0) that let tan_keras read the build."""

import numpy as np
import pytest
import tensorflow_datasets as tfds

from data_prep.build.extract import PrepSettings, extract_positions
from data_prep.datasets.tfds_builder import TanVideoFlow, TanVideoFlowConfig
from tan_keras import record_format as rf

CLASSES = ("BabyCrawling", "Punch", "PushUps")
BROKEN = "Punch/v_Punch_broken.avi"


def _folder_manual_dir(shared_data, tmp_path):
    """manual/videos: the six real clips (linked) and one file that is no video."""
    videos = tmp_path / "manual" / "videos"
    for clip in sorted((shared_data / "videos" / "ucf101").glob("*/*.avi")):
        (videos / clip.parent.name).mkdir(parents=True, exist_ok=True)
        (videos / clip.parent.name / clip.name).symlink_to(clip)
    (videos / BROKEN).write_bytes(b"not a video")
    return videos.parent


def _prepare(config, manual, data_dir):
    builder = TanVideoFlow(config=config, data_dir=str(data_dir))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(manual)))
    return builder


def test_tfds_builder_reuses_extract_positions_and_skips_broken_videos(shared_data, tmp_path):
    manual = _folder_manual_dir(shared_data, tmp_path)
    config = TanVideoFlowConfig(name="tiny", dataset="folder", positions=2, frame_width=64,
                                frame_height=48, test_fraction=0.5, classes=CLASSES)
    builder = _prepare(config, manual, tmp_path / "data")
    counts = {split: builder.info.splits[split].num_examples for split in ("train", "test")}
    assert sum(counts.values()) == 6  # the broken file is skipped ...
    metadata = builder.info.metadata
    assert [f["video"] for f in metadata["failures"]] == [BROKEN]  # ... and recorded
    assert (metadata["name"], metadata["split"], metadata["classes"]) == ("tiny", "1",
                                                                          list(CLASSES))
    listed = metadata["splits"]["1"]
    assert sorted(listed["train"] + listed["test"]) == sorted(
        [str(p.relative_to(manual / "videos")) for p in (manual / "videos").glob("*/*.avi")])
    examples = list(tfds.as_numpy(builder.as_dataset(split="train")))
    assert len(examples) == counts["train"]
    for ex in examples:
        video = ex["video/filename"].decode()
        expected = extract_positions(str(shared_data / "videos" / "ucf101" / video),
                                     PrepSettings(positions=2, frame_width=64,
                                                  frame_height=48))
        np.testing.assert_array_equal(ex["frame_index"], expected.frame_indices)
        np.testing.assert_array_equal(ex["flow_x"][..., 0], expected.flow[..., 0])  # PNG: exact
        np.testing.assert_array_equal(ex["flow_y"][..., 0], expected.flow[..., 1])
        # TFDS's JPEG (4:2:0 chroma) of small frames.
        assert np.abs(ex["rgb"].astype(int) - expected.rgb).mean() < 8.0
        assert builder.info.features["label"].names[ex["label"]] == video.split("/")[0]
        assert ex["video/num_frames"] == expected.num_frames


def test_ucf101_config_records_class_names_and_its_split(tfds_ucf101):
    folder = tfds_ucf101
    assert folder.name == "2.0.0" and (folder / rf.TFDS_METADATA_FILENAME).is_file()
    builder = tfds.builder_from_directory(str(folder))  # as a TFDS user reloads it
    assert builder.info.features["label"].names == list(CLASSES)  # from classInd.txt
    metadata = builder.info.metadata
    assert (metadata["name"], metadata["dataset"], metadata["split"]) == ("ucf101", "ucf101", "1")
    assert metadata["classes"] == list(CLASSES) and metadata["failures"] == []
    assert metadata["splits"] == {"1": {
        "train": [f"{c}/v_{c}_g08_c01.avi" for c in CLASSES],
        "test": [f"{c}/v_{c}_g01_c01.avi" for c in CLASSES]}}
    assert metadata["params"]["positions"] == 3 and metadata["params"]["flow_format"] == "png"
    # frame_width=80, frame_height=60: [width, height] in metadata.json, as in manifest.json.
    assert metadata["params"]["frame_size"] == [80, 60]
    assert builder.info.features["rgb"].shape == (None, 60, 80, 3)


def test_folder_classes_must_be_the_datasets_in_label_order(shared_data, tmp_path):
    manual = _folder_manual_dir(shared_data, tmp_path)
    config = TanVideoFlowConfig(name="reordered", dataset="folder", positions=2,
                                frame_width=64, frame_height=48,
                                classes=("Punch", "BabyCrawling", "PushUps"))
    with pytest.raises(ValueError, match=r"Expected config.classes to be the dataset's classes "
                                         r"in label order, \['BabyCrawling', 'Punch', 'PushUps'\]\."
                                         r" Received: classes=\('Punch', 'BabyCrawling'"):
        _prepare(config, manual, tmp_path / "data")

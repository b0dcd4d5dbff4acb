"""A TFDS build (TanVideoFlow) read as a records directory gives what data_prep's records give.

Both builds hold the six real UCF101 clips, split 1 of `real_records`' split files, 3 positions
of 80x60 frames, and both run `extract_positions`, so their flow arrays are equal; both store the
flow as lossless PNG, so decoded flow must match exactly. The RGB frames are JPEG in both, but
TFDS encodes them itself: the bytes differ (other headers), and although the decoded pixels agree
with today's libjpeg builds, nothing promises that across encoders, so RGB is compared with a
tolerance on the mean absolute difference.
"""

import re
import shutil

import numpy as np
import pytest
import tensorflow as tf

from tan_keras import data
from tan_keras import record_format as rf
from tan_keras.data import clips
from tan_keras.data.shard_reading import read_side
from tan_keras.errors import IncompatibleInputError

T, S, SEED = 3, 32, 5
RGB_MEAN_ABS_TOLERANCE = 4.0  # two JPEG encoders of the same 80x60 frames, 0..255 values


def _records_by_video(records_dir) -> dict:
    """video id -> the parsed record (numpy), read through the reader's checks."""
    records = {}
    source = data.RecordsSource.open(records_dir)
    for side in ("train", "test"):
        dataset = read_side(source.selection(1, side), flow_format=source.flow_format,
                            skip_corrupt=False, counter=None, shuffle_seed=None,
                            shuffle_files=False, deterministic=True)
        for record in dataset:
            records[record["video_id"].numpy().decode()] = {k: v.numpy()
                                                            for k, v in record.items()}
    return records


def _decoded(encoded, channels) -> np.ndarray:
    """[P] encoded images -> [P, H, W, channels] uint8."""
    return np.stack([tf.io.decode_image(e, channels=channels).numpy() for e in encoded])


def test_records_parse_to_the_same_fields_and_decoded_flow(tfds_ucf101, png_ucf101_records):
    tfds_records = _records_by_video(tfds_ucf101)
    project_records = _records_by_video(png_ucf101_records)
    assert sorted(tfds_records) == sorted(project_records) and len(tfds_records) == 6
    for video_id, expected in project_records.items():
        got = tfds_records[video_id]
        for key in ("label", "height", "width", "num_positions", "flow_format"):
            assert got[key] == expected[key], (video_id, key)
        assert (got["height"], got["width"], got["flow_format"]) == (60, 80, b"png")
        for key in ("flow_x", "flow_y"):  # PNG bytes differ (two encoders), pixels may not
            np.testing.assert_array_equal(_decoded(got[key], 1), _decoded(expected[key], 1),
                                          err_msg=f"{video_id} {key}")
        rgb_difference = np.abs(_decoded(got["rgb"], 3).astype(int)
                                - _decoded(expected["rgb"], 3)).mean()
        assert rgb_difference < RGB_MEAN_ABS_TOLERANCE, (video_id, rgb_difference)


def _train_batches(records_dir) -> tuple:
    dataset = data.train_dataset(str(records_dir), split=1, batch_size=3, num_snippets=T,
                                 image_size=S, normalize=False, seed=SEED, deterministic=True)
    return dataset.element_spec, [(inputs, labels.numpy()) for inputs, labels in dataset]


def test_train_dataset_gives_the_same_elements(tfds_ucf101, png_ucf101_records):
    tfds_spec, tfds_batches = _train_batches(tfds_ucf101)
    project_spec, project_batches = _train_batches(png_ucf101_records)
    assert tfds_spec == project_spec
    assert len(tfds_batches) == len(project_batches) == 1
    (tfds_inputs, tfds_labels), (project_inputs, project_labels) = tfds_batches[0], \
        project_batches[0]
    assert sorted(tfds_labels) == sorted(project_labels) == [0, 1, 2]
    for name in ("rgb", "flow"):
        assert tfds_inputs[name].shape == project_inputs[name].shape == (3, T, S, S, 3)
        assert tfds_inputs[name].dtype == project_inputs[name].dtype == tf.float32


def _train_clips_by_video(records_dir) -> dict:
    """video id -> its training clip with a seed of its own: the clip steps of train_dataset.

    train_dataset pairs the i-th record it reads with the i-th seed, and the two builds hold the
    train videos in different orders (TFDS shuffles its shards by key), so the same seed per video
    is given here instead.
    """
    source = data.RecordsSource.open(records_dir)
    selection, flow_format = source.selection(1, "train"), source.flow_format
    records = read_side(selection, flow_format=flow_format, skip_corrupt=False, counter=None,
                        shuffle_seed=None, shuffle_files=False, deterministic=True)
    ids = sorted(selection.video_ids)
    result = {}
    for record in records:
        video_id = record["video_id"].numpy().decode()
        seed = tf.constant([SEED, ids.index(video_id)], tf.int64)
        streams, label = clips.train_clip(record, seed, num_snippets=T, image_size=S,
                                          flow_format=flow_format)
        result[video_id] = ({k: v.numpy() for k, v in streams.items()}, int(label))
    return result


def test_train_clips_with_the_same_seed_have_exactly_the_same_flow(tfds_ucf101,
                                                                    png_ucf101_records):
    got, expected = _train_clips_by_video(tfds_ucf101), _train_clips_by_video(png_ucf101_records)
    assert sorted(got) == sorted(expected) and len(got) == 3
    for video_id, (streams, label) in expected.items():
        assert got[video_id][1] == label
        np.testing.assert_array_equal(got[video_id][0]["flow"], streams["flow"], err_msg=video_id)
        assert np.abs(got[video_id][0]["rgb"] - streams["rgb"]).mean() < RGB_MEAN_ABS_TOLERANCE


def _eval_views(records_dir) -> dict:
    dataset = data.eval_dataset(str(records_dir), split=1, num_snippets=T, image_size=S,
                                normalize=False)
    return {video_id.numpy().decode(): ({k: v.numpy() for k, v in views.items()}, int(label))
            for views, label, video_id in dataset}


def test_eval_dataset_gives_the_same_views(tfds_ucf101, png_ucf101_records):
    got, expected = _eval_views(tfds_ucf101), _eval_views(png_ucf101_records)
    assert sorted(got) == sorted(expected) and len(got) == 3
    for video_id, (views, label) in expected.items():
        assert got[video_id][1] == label
        assert got[video_id][0]["rgb"].shape == views["rgb"].shape == (10, T, S, S, 3)
        np.testing.assert_array_equal(got[video_id][0]["flow"], views["flow"], err_msg=video_id)
        assert np.abs(got[video_id][0]["rgb"] - views["rgb"]).mean() < RGB_MEAN_ABS_TOLERANCE


def test_another_split_is_refused_naming_the_folder_and_its_split(tfds_ucf101):
    message = (re.escape(f"{tfds_ucf101 / rf.TFDS_METADATA_FILENAME}: expected split in ['1']. "
                         "Received: split=2. This TFDS build (config 'ucf101_split1_tiny') holds "
                         "one split") + ".*'ucf101_split2'")
    with pytest.raises(IncompatibleInputError, match=message):
        data.train_dataset(str(tfds_ucf101), split=2)
    with pytest.raises(IncompatibleInputError, match=message):
        data.eval_dataset(str(tfds_ucf101), split=2)
    with pytest.raises(IncompatibleInputError, match=message):
        data.RecordsSource.open(tfds_ucf101).videos(2, "train")


@pytest.fixture
def tfds_copy(tfds_ucf101, tmp_path):
    """A copy of the TFDS build to damage."""
    return shutil.copytree(tfds_ucf101, tmp_path / "build")


def _train_shard(folder):
    return next(folder.glob(f"{rf.TFDS_BUILDER_NAME}-train.tfrecord-*"))


def _train(folder, **kwargs):
    return list(data.train_dataset(str(folder), batch_size=1, num_snippets=T, image_size=S,
                                   normalize=False, seed=0, **kwargs))


def test_truncated_tfds_shard_stops_with_an_error_naming_it(tfds_copy):
    shard = _train_shard(tfds_copy)
    raw = shard.read_bytes()
    shard.write_bytes(raw[: len(raw) - 100])  # the last record loses its tail
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=f"Corrupt shard {shard}: read 2 of the 3 records.*tf.train.Example"):
        _train(tfds_copy)
    counter = data.CorruptRecordCounter()
    assert len(_train(tfds_copy, skip_corrupt=counter)) == 2
    assert counter.count == 1


def test_truncated_png_in_a_tfds_example_names_shard_and_video(tfds_copy):
    shard = _train_shard(tfds_copy)
    serialized = list(tf.data.TFRecordDataset(str(shard)).as_numpy_iterator())
    example = tf.train.Example.FromString(serialized[1])
    images = example.features.feature[rf.TFDS_FLOW_Y].bytes_list
    images.value[2] = images.value[2][: len(images.value[2]) // 2]
    video = example.features.feature[rf.TFDS_VIDEO_FILENAME].bytes_list.value[0].decode()
    with tf.io.TFRecordWriter(str(shard)) as writer:
        for record in (serialized[0], example.SerializeToString(), serialized[2]):
            writer.write(record)
    with pytest.raises(tf.errors.InvalidArgumentError, match=re.escape(
            f"Corrupt record in shard {shard}: video {video}: an image is truncated")):
        _train(tfds_copy)


def test_a_build_without_metadata_is_refused(tfds_copy):
    (tfds_copy / rf.TFDS_METADATA_FILENAME).unlink()
    with pytest.raises(ValueError, match=r"metadata\.json: TanVideoFlow 2\.0\.0 and later record "
                                         r"the classes and the split there"):
        data.train_dataset(str(tfds_copy))
    with pytest.raises(IncompatibleInputError, match="rebuild it with data_prep.datasets.tfds_builder"):
        data.RecordsSource.open(tfds_copy)

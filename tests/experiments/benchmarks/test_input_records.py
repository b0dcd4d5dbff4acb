"""The records `experiments.benchmarks.input_pipeline` measures on: copies of real or synthetic
videos."""

import glob
import os

import tensorflow as tf

from experiments.benchmarks.input_records import write_bench_records
from tan_keras import data
from tan_keras import record_format as rf


def _records_by_id(records_dir):
    """{video id: tf.train.SequenceExample} over every shard of a records directory."""
    records = {}
    for path in sorted(glob.glob(os.path.join(records_dir, "*-of-*"))):
        for serialized in tf.data.TFRecordDataset(path).as_numpy_iterator():
            example = tf.train.SequenceExample.FromString(serialized)
            video_id = example.context.feature[rf.VIDEO_FILENAME].bytes_list.value[0].decode()
            records[video_id] = example
    return records


def _images(example):
    lists = example.feature_lists.feature_list
    return [feature.bytes_list.value[0] for key in (rf.IMAGE_ENCODED, rf.FLOW_X_ENCODED,
                                                    rf.FLOW_Y_ENCODED)
            for feature in lists[key].feature]


def test_copies_of_real_records_keep_their_images_under_new_ids(ucf_records_root, tmp_path):
    source = _records_by_id(str(ucf_records_root / "ucf101"))
    bench_dir = str(tmp_path / "bench")
    os.makedirs(bench_dir)
    write_bench_records(bench_dir, num_videos=14, unique_videos=0, positions=0, num_shards=3,
                        contents_from=str(ucf_records_root / "ucf101"))

    manifest = rf.read_manifest(bench_dir)
    copies = _records_by_id(bench_dir)
    assert sorted(copies) == sorted(manifest["videos"])
    assert len(copies) == 14
    source_images = sorted(_images(example) for example in source.values())
    for video_id, example in copies.items():
        # Each copy holds exactly the images of one real record, and its own id and label.
        assert _images(example) in source_images
        label = example.context.feature[rf.LABEL_INDEX].int64_list.value[0]
        assert label == manifest["videos"][video_id]["label"]
        assert manifest["videos"][video_id]["num_positions"] == len(
            example.feature_lists.feature_list[rf.IMAGE_ENCODED].feature)
    split = manifest["splits"]["1"]
    assert len(split["train"]) + len(split["test"]) == 14 and not set(split["train"]) & set(
        split["test"])

    labels = [int(label) for _, batch in data.train_dataset(
        bench_dir, batch_size=4, num_snippets=2, image_size=32, seed=0) for label in batch]
    assert len(labels) == len(split["train"])
    # The copies' manifest records the frames of the records they copy.
    copied = data.RecordsSource.open(bench_dir).frames
    assert copied == data.RecordsSource.open(ucf_records_root / "ucf101").frames


def test_synthetic_records_repeat_the_distinct_contents(tmp_path):
    bench_dir = str(tmp_path / "bench")
    os.makedirs(bench_dir)
    write_bench_records(bench_dir, num_videos=5, unique_videos=2, positions=3, num_shards=2)

    copies = _records_by_id(bench_dir)
    images = [_images(copies[f"Class{v % 4}/v_{v:03d}.avi"]) for v in range(5)]
    assert images[0] != images[1]
    assert images[2] == images[0] and images[3] == images[1] and images[4] == images[0]
    assert all(len(video) == 3 * 3 for video in images)
    frames = data.RecordsSource.open(bench_dir).frames
    assert (frames.height, frames.width, frames.positions) == (256, 340, 3)

"""train_dataset under tf.distribute: input sharding by InputContext, and a MirroredStrategy run."""

import json
import os
import subprocess
import sys

import tensorflow as tf

from tan_keras import data
from tests.helpers.synthetic_records import VIDEOS

from tests.helpers.paths import REPO_ROOT
TRAIN_LABELS = sorted(v.label for v in VIDEOS if v.side == "train")

# Two logical CPU devices must be configured before TensorFlow starts, so this runs apart.
MIRRORED_SCRIPT = """
import json, sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from tan_keras import data

strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
batches = strategy.distribute_datasets_from_function(
    lambda context: data.train_dataset(sys.argv[1], batch_size=2, num_snippets=2, image_size=16,
                                       normalize=False, seed=0, input_context=context))

@tf.function
def per_replica_sizes_and_labels(batch):
    streams, labels = batch
    return strategy.run(lambda s, l: (tf.shape(s["rgb"])[0], tf.shape(s["flow"]), l),
                        args=(streams, labels))

sizes, shapes, labels = [], [], []
for batch in batches:
    size, shape, label = per_replica_sizes_and_labels(batch)
    sizes.append([int(x) for x in strategy.experimental_local_results(size)])
    shapes += [x.numpy().tolist() for x in strategy.experimental_local_results(shape)]
    labels += [int(y) for x in strategy.experimental_local_results(label) for y in x.numpy()]
print(json.dumps({"replicas": strategy.num_replicas_in_sync, "sizes": sizes, "shapes": shapes,
                  "labels": sorted(labels)}))
"""


def test_mirrored_strategy_on_two_cpus_divides_the_batch(png_records):
    records_dir, _ = png_records
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run([sys.executable, "-c", MIRRORED_SCRIPT, records_dir], env=env,
                            capture_output=True, text=True, cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2
    # 3 training videos, global batch 2 -> per-replica batches of 1: [1, 1] then [1, 0].
    assert report["sizes"] == [[1, 1], [1, 0]]
    assert all(shape[1:] == [2, 16, 16, 3] for shape in report["shapes"])
    assert report["labels"] == TRAIN_LABELS


def _batches_per_pipeline(records_dir: str, batch_size: int) -> list[list[list[int]]]:
    """The label batches each of 2 input pipelines (2 replicas) reads, for a global batch."""
    pipelines = []
    for pipeline in range(2):
        context = tf.distribute.InputContext(num_input_pipelines=2, input_pipeline_id=pipeline,
                                             num_replicas_in_sync=2)
        dataset = data.train_dataset(records_dir, batch_size=batch_size, num_snippets=2,
                                     image_size=16, normalize=False, seed=0,
                                     input_context=context)
        pipelines.append([[int(y) for y in labels.numpy()] for _, labels in dataset])
    return pipelines


def test_input_pipelines_read_disjoint_shares_that_cover_the_side(png_records):
    records_dir, _ = png_records
    pipelines = _batches_per_pipeline(records_dir, batch_size=4)
    assert max(len(labels) for batches in pipelines for labels in batches) <= 2  # per replica
    shares = [sorted(y for labels in batches for y in labels) for batches in pipelines]
    assert all(shares) and sorted(shares[0] + shares[1]) == TRAIN_LABELS


def _selection(selected_counts):
    from tan_keras.data.manifest import ShardSelection

    n = len(selected_counts)
    return ShardSelection(paths=[f"s{i}" for i in range(n)], expected_counts=[9] * n,
                          video_ids=[], num_classes=2, selected_counts=selected_counts)


def test_pipelines_split_by_whole_shards_only_when_every_share_is_at_least_half_even():
    from tan_keras.data.shard_reading import shares_by_file

    assert shares_by_file(_selection([5, 5, 5, 5]), 2)  # shares 10 and 10
    assert shares_by_file(_selection([6, 1, 1, 2]), 2)  # 7 and 3: 3 >= half of 5
    assert not shares_by_file(_selection([8, 1, 1, 1]), 2)  # 9 and 2: 2 < half of 5.5
    assert not shares_by_file(_selection([3]), 2)  # fewer shards than pipelines
    assert not shares_by_file(_selection([4, 4, 0]), 3)  # one pipeline would read nothing


def test_one_shard_is_shared_by_videos_of_the_side_evenly(ucf_records_root):
    # One shard whose records alternate test and training videos (g01, g08 of each class): the
    # pipelines take every other training video, not every other record (which would give one
    # pipeline all three test videos and no training one).
    pipelines = _batches_per_pipeline(str(ucf_records_root / "ucf101"), batch_size=2)
    shares = [[y for labels in batches for y in labels] for batches in pipelines]
    assert sorted(len(share) for share in shares) == [1, 2]
    assert sorted(shares[0] + shares[1]) == [0, 1, 2]

"""The TensorFlow-free record encoder writes exactly TensorFlow's deterministic bytes."""

import tensorflow as tf

from data_prep.records import proto_wire as pw


def test_sequence_example_bytes_equal_tensorflow():
    tf_context = {
        "n": tf.train.Feature(int64_list=tf.train.Int64List(value=[5, -3, 0, 2 ** 40])),
        "a": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"xy", b""])),
        "f": tf.train.Feature(float_list=tf.train.FloatList(value=[25.0, 0.1, -7.5])),
        "e": tf.train.Feature(int64_list=tf.train.Int64List(value=[])),
    }
    tf_lists = {
        "z/encoded": tf.train.FeatureList(feature=[
            tf.train.Feature(bytes_list=tf.train.BytesList(value=[bytes(range(256)) * 3])),
            tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"q"]))]),
        "k": tf.train.FeatureList(feature=[
            tf.train.Feature(int64_list=tf.train.Int64List(value=[i])) for i in (0, 127, 128)]),
    }
    expected = tf.train.SequenceExample(
        context=tf.train.Features(feature=tf_context),
        feature_lists=tf.train.FeatureLists(feature_list=tf_lists)).SerializeToString(
            deterministic=True)
    ours = pw.sequence_example(
        {"n": pw.int64_feature([5, -3, 0, 2 ** 40]), "a": pw.bytes_feature([b"xy", b""]),
         "f": pw.float_feature([25.0, 0.1, -7.5]), "e": pw.int64_feature([])},
        {"z/encoded": [pw.bytes_feature([bytes(range(256)) * 3]), pw.bytes_feature([b"q"])],
         "k": [pw.int64_feature([i]) for i in (0, 127, 128)]})
    assert ours == expected


def test_tfrecord_frames_equal_tensorflow_writer(tmp_path):
    from data_prep.records import writing as records

    payloads = [b"", b"x", bytes(range(256)) * 300]
    expected_path = str(tmp_path / "tf.tfrecord")
    with tf.io.TFRecordWriter(expected_path) as writer:
        for payload in payloads:
            writer.write(payload)
    ours_path = str(tmp_path / "ours.tfrecord")
    assert records.write_shard(ours_path, iter(payloads)) == len(payloads)
    with open(ours_path, "rb") as ours, open(expected_path, "rb") as expected:
        assert ours.read() == expected.read()
    assert [r.numpy() for r in tf.data.TFRecordDataset(ours_path)] == payloads


def test_a_local_build_writes_shards_without_loading_tensorflow(tmp_path):
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from data_prep.records import writing as records\n"
        f"records.write_shard({str(tmp_path / 'a.tfrecord')!r}, [b'r'])\n"
        f"records.write_manifest({str(tmp_path)!r}, {{'name': 'a'}})\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'\n")
    subprocess.run([sys.executable, "-c", script], check=True)

"""The TensorFlow-free record encoder writes exactly TensorFlow's deterministic bytes."""

import tensorflow as tf

from data_prep import proto_wire as pw


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

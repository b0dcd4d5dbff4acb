"""The TF-Slim inception_v1 checkpoint converter, on checkpoints that the tests write with TF.

The checkpoints hold random values under the public checkpoint's exact variable names, in its
format (V1, one file `inception_v1.ckpt`), plus its extras (the classifier and `global_step`).
"""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

# The slim layout, written down independently of the library (see that file).
from tests.helpers.slim_layout import slim_variable_shapes
from tan_keras.backbones import build_backbone
from tan_keras.backbones.slim_checkpoint import load_slim_inception_v1

IMAGE_SIZE = 32
EXTRAS = {  # In the public checkpoint, with no place in a backbone without classifier.
    "InceptionV1/Logits/Conv2d_0c_1x1/weights": (1, 1, 1024, 1001),
    "InceptionV1/Logits/Conv2d_0c_1x1/biases": (1001,),
    "global_step": (),
}


def random_values(shapes: dict, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    values = {}
    for name, shape in shapes.items():
        if name == "global_step":
            values[name] = np.int64(123)
        elif name.endswith("moving_variance"):
            values[name] = rng.uniform(0.5, 2.0, shape).astype("float32")
        else:
            values[name] = rng.normal(0.0, 0.1, shape).astype("float32")
    return values


def write_v1_checkpoint(path, values: dict) -> str:
    """Writes `values` under their names in the V1 format of `inception_v1.ckpt`."""
    names = sorted(values)
    tf.raw_ops.Save(filename=str(path), tensor_names=names,
                    data=[tf.constant(values[name]) for name in names])
    return str(path)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    values = random_values({**slim_variable_shapes(), **EXTRAS})
    path = write_v1_checkpoint(tmp_path_factory.mktemp("slim") / "inception_v1.ckpt", values)
    return path, values


def test_every_variable_lands_with_its_value(checkpoint):
    path, values = checkpoint
    model = build_backbone("googlenet", IMAGE_SIZE)
    frames = np.random.default_rng(1).uniform(-1, 1, (2, IMAGE_SIZE, IMAGE_SIZE, 3)).astype("float32")
    before = model.predict(frames, verbose=0)

    report = load_slim_inception_v1(model, path)

    assert sorted(report.loaded) == sorted(slim_variable_shapes())
    assert report.unused_checkpoint_variables == sorted(EXTRAS)
    assert report.missing_model_weights == []
    for layer in model.layers:
        for weight in layer.weights:
            slim_suffix = {"kernel": "weights"}.get(weight.name, weight.name)
            slim_name = f"InceptionV1/{layer.name.replace('.', '/')}/{slim_suffix}"
            np.testing.assert_array_equal(keras.ops.convert_to_numpy(weight), values[slim_name])
    after = model.predict(frames, verbose=0)
    assert not np.allclose(before, after)
    # The same weights through the public entry point give the same features.
    via_build = build_backbone("googlenet", IMAGE_SIZE, weights=path)
    np.testing.assert_allclose(via_build.predict(frames, verbose=0), after, rtol=1e-5, atol=1e-5)


def test_first_block_matches_tf_conv_and_slim_batch_norm(checkpoint):
    path, values = checkpoint
    model = build_backbone("googlenet", IMAGE_SIZE, weights=path)
    block = keras.Model(model.input, model.get_layer("Conv2d_1a_7x7.Relu").output)
    frames = np.random.default_rng(2).uniform(-1, 1, (1, IMAGE_SIZE, IMAGE_SIZE, 3)).astype("float32")
    scope = "InceptionV1/Conv2d_1a_7x7"
    conv = tf.nn.conv2d(frames, values[f"{scope}/weights"], strides=2, padding="SAME")
    # slim.batch_norm at inference, scale=False: (x - mean) / sqrt(var + 0.001) + beta.
    normalised = tf.nn.batch_normalization(
        conv, values[f"{scope}/BatchNorm/moving_mean"], values[f"{scope}/BatchNorm/moving_variance"],
        offset=values[f"{scope}/BatchNorm/beta"], scale=None, variance_epsilon=0.001)
    expected = tf.nn.relu(normalised).numpy()
    np.testing.assert_allclose(block.predict(frames, verbose=0), expected, rtol=1e-4, atol=1e-5)


def test_shape_mismatch_names_the_variable(tmp_path):
    shapes = {**slim_variable_shapes(), "InceptionV1/Mixed_4c/Branch_1/Conv2d_0b_3x3/weights": (3, 3, 112, 200)}
    path = write_v1_checkpoint(tmp_path / "wrong.ckpt", random_values(shapes))
    model = build_backbone("googlenet", IMAGE_SIZE)
    with pytest.raises(ValueError, match=re.escape(
            "Expected checkpoint variable InceptionV1/Mixed_4c/Branch_1/Conv2d_0b_3x3/weights "
            "to have shape (3, 3, 112, 224)")):
        load_slim_inception_v1(model, path)


def test_missing_variables_are_reported(tmp_path):
    shapes = dict(slim_variable_shapes())
    del shapes["InceptionV1/Mixed_5b/Branch_2/Conv2d_0a_3x3/BatchNorm/moving_mean"]
    values = random_values(shapes)
    path = write_v1_checkpoint(tmp_path / "partial.ckpt", values)
    model = build_backbone("googlenet", IMAGE_SIZE)
    with pytest.raises(ValueError, match=r"1 weights with no checkpoint variable: "
                                         r"\['Mixed_5b\.Branch_2\.Conv2d_0a_3x3\.BatchNorm/moving_mean'\]"):
        load_slim_inception_v1(model, path)
    report = load_slim_inception_v1(model, path, strict=False)
    assert report.missing_model_weights == ["Mixed_5b.Branch_2.Conv2d_0a_3x3.BatchNorm/moving_mean"]
    assert len(report.loaded) == len(shapes)
    kernel = model.get_layer("Mixed_5b.Branch_2.Conv2d_0a_3x3").kernel
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(kernel),
                                  values["InceptionV1/Mixed_5b/Branch_2/Conv2d_0a_3x3/weights"])


def test_unreadable_checkpoint_names_the_file(tmp_path):
    model = build_backbone("googlenet", IMAGE_SIZE)
    missing = tmp_path / "absent" / "inception_v1.ckpt"
    with pytest.raises(ValueError, match=re.escape(f"checkpoint_path={str(missing)!r}")):
        load_slim_inception_v1(model, missing)
    garbage = tmp_path / "garbage.ckpt"
    garbage.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="garbage.ckpt"):
        build_backbone("googlenet", IMAGE_SIZE, weights=str(garbage))

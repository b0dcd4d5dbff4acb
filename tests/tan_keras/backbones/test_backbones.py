"""Backbones: shapes, the slim Inception-v1 layout, weight files, offline errors, preprocessing.

No TensorFlow import: these run on the TensorFlow backend and again on JAX.
"""

import re

import keras
import numpy as np
import pytest

from tan_keras import backbones
from tan_keras.backbones import applications, build_backbone, feature_dim, preprocess_input
from tan_keras.backbones.googlenet import slim_variable_name
from tests.helpers.slim_layout import slim_conv_layers, slim_variable_shapes

pytestmark = pytest.mark.backend_agnostic  # also run on JAX by tests/test_jax_backend.py

@pytest.fixture(scope="module")
def googlenet_64():
    return build_backbone("googlenet", 64, name="googlenet_rgb")


@pytest.fixture(scope="module")
def mobilenet_v2_32():
    return build_backbone("mobilenet_v2", 32)


def test_shapes_and_feature_dims(googlenet_64, mobilenet_v2_32):
    expected_dims = {"tiny": 64, "googlenet": 1024, "resnet50": 2048, "mobilenet_v2": 1280,
                     "inception_v3": 2048}
    assert sorted(expected_dims) == backbones.available_backbones()
    assert {b: feature_dim(b) for b in expected_dims} == expected_dims
    # Our own backbones: run them (predict compiles once; fast on JAX too).
    rng = np.random.default_rng(0)
    tiny = build_backbone("tiny", 32, name="tiny_flow")
    for model, size in [(tiny, 32), (googlenet_64, 64)]:
        frames = rng.uniform(-1, 1, (2, size, size, 3)).astype("float32")
        features = model.predict(frames, verbose=0)
        assert features.shape == (2, expected_dims[model.name.split("_")[0]])
        assert np.isfinite(features).all() and features.std() > 0
    assert (tiny.name, googlenet_64.name) == ("tiny_flow", "googlenet_rgb")
    # keras.applications models: their graph, at the smallest sizes Keras allows. Keras tests
    # its own models on every backend; on JAX (slow first builds) we check MobileNetV2 only.
    applications_models = [mobilenet_v2_32]
    if keras.backend.backend() == "tensorflow":
        applications_models += [build_backbone("resnet50", 32), build_backbone("inception_v3", 75)]
    for model in applications_models:
        assert model.output.shape == (None, expected_dims[model.name])
        assert not isinstance(model.input, list)


def test_googlenet_weights_are_named_and_shaped_like_slim_variables(googlenet_64):
    from_model = {}
    for layer in googlenet_64.layers:
        for weight in layer.weights:
            slim_name = slim_variable_name(layer.name, weight.name)
            assert slim_name is not None, f"{layer.name}/{weight.name} has no slim name"
            from_model[slim_name] = tuple(weight.shape)
    assert from_model == slim_variable_shapes()
    # The Mixed_5b naming quirk of slim, spelled out.
    assert googlenet_64.get_layer("Mixed_5b.Branch_2.Conv2d_0a_3x3").kernel.shape == (3, 3, 32, 128)


def test_googlenet_weight_count_matches_the_slim_layout(googlenet_64):
    # Per conv: a bias-free k x k kernel, then batch norm with beta, moving mean and variance.
    kernels = sum(k * k * c_in * c_out for _, k, c_in, c_out in slim_conv_layers())
    channels = sum(c_out for _, _, _, c_out in slim_conv_layers())
    assert googlenet_64.count_params() == kernels + 3 * channels == 5_607_184
    trainable = sum(int(np.prod(w.shape)) for w in googlenet_64.trainable_weights)
    assert trainable == kernels + channels


def test_googlenet_end_points_match_slim(googlenet_64):
    # slim's inception_v1_test.py at 224: MaxPool_2a_3x3 [56, 56, 64], Mixed_3c [28, 28, 480],
    # Mixed_4f [14, 14, 832], Mixed_5c [7, 7, 1024]: strides 4, 8, 16, 32. Here S = 64.
    assert googlenet_64.get_layer("MaxPool_2a_3x3").output.shape[1:] == (16, 16, 64)
    assert googlenet_64.get_layer("Mixed_3c").output.shape[1:] == (8, 8, 480)
    assert googlenet_64.get_layer("Mixed_4f").output.shape[1:] == (4, 4, 832)
    assert googlenet_64.get_layer("Mixed_5c").output.shape[1:] == (2, 2, 1024)


def test_googlenet_block_matches_numpy_conv_bn_relu(googlenet_64):
    layer_name = "Conv2d_2b_1x1"  # A 1x1 conv: a matrix product per pixel in NumPy.
    rng = np.random.default_rng(1)
    kernel = rng.normal(size=(1, 1, 64, 64)).astype("float32")
    beta, mean = rng.normal(size=(2, 64)).astype("float32")
    variance = rng.uniform(0.5, 2.0, 64).astype("float32")
    googlenet_64.get_layer(layer_name).set_weights([kernel])
    googlenet_64.get_layer(f"{layer_name}.BatchNorm").set_weights([beta, mean, variance])
    block = keras.Model(googlenet_64.get_layer("MaxPool_2a_3x3").output,
                        googlenet_64.get_layer(f"{layer_name}.Relu").output)
    x = rng.normal(size=(1, 16, 16, 64)).astype("float32")
    got = keras.ops.convert_to_numpy(block(x, training=False))
    expected = np.maximum((x @ kernel[0, 0] - mean) / np.sqrt(variance + 1e-3) + beta, 0)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def assert_same_weights(got: keras.Model, expected: keras.Model):
    assert len(got.weights) == len(expected.weights)
    for g, e in zip(got.weights, expected.weights):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(g), keras.ops.convert_to_numpy(e))


def test_local_weights_files_load(tmp_path, googlenet_64, mobilenet_v2_32):
    # Keras' ImageNet files are legacy HDF5 (`.h5`); `.weights.h5` is Keras 3's own format.
    # A fresh build has other random kernels, so a file that was not read fails the check.
    legacy_h5 = tmp_path / "mobilenet_v2.h5"
    mobilenet_v2_32.save(legacy_h5)
    assert_same_weights(build_backbone("mobilenet_v2", 32, weights=str(legacy_h5)), mobilenet_v2_32)
    weights_h5 = tmp_path / "googlenet.weights.h5"
    googlenet_64.save_weights(weights_h5)
    assert_same_weights(build_backbone("googlenet", 64, weights=weights_h5), googlenet_64)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                    reason="file names do not depend on the backend; checked on TensorFlow")
@pytest.mark.parametrize("backbone,size", [("inception_v3", 75), ("resnet50", 32),
                                           ("mobilenet_v2", 96), ("mobilenet_v2", 64)])
def test_imagenet_file_names_are_those_keras_asks_for(monkeypatch, backbone, size):
    from keras.src.utils import file_utils  # Private: only to see what Keras would fetch.

    requested = []

    def no_download(fname, origin, **kwargs):
        requested.append((fname, origin))
        raise RuntimeError("no download in tests")

    monkeypatch.setattr(file_utils, "get_file", no_download)
    constructor = getattr(keras.applications, applications.APPLICATIONS[backbone].constructor)
    with pytest.raises(RuntimeError, match="no download in tests"):
        constructor(include_top=False, weights="imagenet", input_shape=(size, size, 3))
    assert requested == [applications.imagenet_weights_file(backbone, size)]


def test_offline_imagenet_error_says_where_to_put_the_file(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    calls = []

    def offline_get_file(fname, origin, **kwargs):
        calls.append((fname, kwargs["cache_dir"], kwargs["cache_subdir"]))
        raise Exception(f"URL fetch failure on {origin}: None -- [Errno -2] Name or service not known")

    monkeypatch.setattr(keras.utils, "get_file", offline_get_file)
    filename = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
    expected_place = str(tmp_path / "models" / filename)
    with pytest.raises(FileNotFoundError, match=re.escape(expected_place)) as error:
        build_backbone("resnet50", 32, weights="imagenet")
    assert calls == [(filename, str(tmp_path), "models")]
    assert "weights='/path/to/" + filename in str(error.value)
    assert "storage.googleapis.com/tensorflow/keras-applications/resnet/" + filename in str(error.value)


def test_imagenet_weights_load_from_the_cached_file(monkeypatch, tmp_path, mobilenet_v2_32):
    cached = tmp_path / "cached.weights.h5"
    mobilenet_v2_32.save_weights(cached)
    monkeypatch.setattr(keras.utils, "get_file", lambda fname, origin, **kwargs: str(cached))
    assert_same_weights(build_backbone("mobilenet_v2", 32, weights="imagenet"), mobilenet_v2_32)


def test_bad_arguments_raise_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="Expected backbone in .*Received: backbone='vgg16'"):
        build_backbone("vgg16", 64)
    with pytest.raises(ValueError, match="tiny backbone has no pretrained weights"):
        build_backbone("tiny", 64, weights="imagenet")
    with pytest.raises(ValueError, match="Expected image_size >= 75 for inception_v3"):
        build_backbone("inception_v3", 64)
    with pytest.raises(ValueError, match="inception_v1_2016_08_28.tar.gz"):
        build_backbone("googlenet", 32, weights="imagenet")
    missing = str(tmp_path / "nothing.h5")
    with pytest.raises(FileNotFoundError, match="nothing.h5"):
        build_backbone("resnet50", 32, weights=missing)
    broken = tmp_path / "broken.weights.h5"
    broken.write_bytes(b"not an h5 file")
    with pytest.raises(ValueError, match="broken.weights.h5"):
        build_backbone("mobilenet_v2", 32, weights=str(broken))


@pytest.mark.parametrize("backbone,keras_module", [
    ("resnet50", "resnet50"), ("inception_v3", "inception_v3"),
    ("mobilenet_v2", "mobilenet_v2"), ("googlenet", "inception_v3")])
def test_preprocess_input_matches_keras_applications(backbone, keras_module):
    frames = np.random.default_rng(2).uniform(0, 255, (2, 3, 4, 4, 3)).astype("float32")
    expected = getattr(keras.applications, keras_module).preprocess_input(frames.copy())
    got = preprocess_input(backbone)(frames)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4)
    assert got.dtype == np.float32


def test_preprocess_input_by_hand():
    frames = np.array([[0.0, 127.5, 255.0]], dtype="float32")  # One pixel: R, G, B.
    np.testing.assert_allclose(preprocess_input("tiny")(frames), [[-1.0, 0.0, 1.0]])
    np.testing.assert_allclose(preprocess_input("googlenet")(frames), [[-1.0, 0.0, 1.0]])
    # caffe: BGR order = (255, 127.5, 0) minus (103.939, 116.779, 123.68).
    np.testing.assert_allclose(preprocess_input("resnet50")(frames),
                               [[151.061, 10.721, -123.68]], rtol=1e-5)
    assert preprocess_input("resnet50")(frames.astype("float16")).dtype == np.float16
    with pytest.raises(ValueError, match="Expected float frames.*Received: frames of dtype uint8"):
        preprocess_input("resnet50")(np.zeros((1, 3), np.uint8))
    with pytest.raises(ValueError, match="Received: backbone='vgg16'"):
        preprocess_input("vgg16")

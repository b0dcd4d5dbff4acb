"""The ONNX export (`export_model(model, "onnx", path)`, Keras' exporter through tf2onnx) runs
in onnxruntime with the Keras model's outputs on real clips, carries the classes and frame
settings in its metadata, and says why when it cannot be written or read.

Needs the `onnx` extra (tf2onnx, onnx, onnxruntime; in the `test` extra too): without it the
file is skipped."""

import json
import sys

import keras
import numpy as np
import pytest

from tan_keras import data
from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.inference import export_model, load_video_model
from tan_keras.inference.export import ONNX_METADATA_KEY, unconverted_onnx_ops

for _module in ("tf2onnx", "onnxruntime"):
    pytest.importorskip(_module, reason=f"{_module} is not installed: the ONNX export needs the "
                                        f'onnx extra (pip install -e ".[onnx]")')
onnx = pytest.importorskip("onnx", reason='onnx is not installed: the ONNX export needs the '
                                          'onnx extra (pip install -e ".[onnx]")')

# onnxruntime against Keras (TensorFlow, CPU) on the tiny run's real clips: the largest
# difference seen was 6e-8 (probabilities in 0..1; docs/predict_and_export.md#onnx).
ATOL = 1e-5


@pytest.fixture(scope="module")
def onnx_export(evaluated_tiny_run, tmp_path_factory):
    """(the run's Keras VideoModel, the written files, the .onnx VideoModel, {video: frames},
    evaluate's scores)."""
    records, workspace, run = evaluated_tiny_run
    model = load_video_model(workspace, run)
    path = tmp_path_factory.mktemp("onnx_export") / "tan.onnx"
    written = export_model(model, "onnx", path)
    videos = {}
    for frames, _, ids in data.eval_frames(str(records), num_snippets=3, batch_size=1):
        flow = np.stack([frames["flow_x"].numpy(), frames["flow_y"].numpy()], axis=-1)
        videos[ids.numpy()[0].decode()] = {"rgb": frames["rgb"].numpy(), "flow": flow}
    scores = np.load(workspace / "evaluate" / run / "scores.npz")
    return model, written, load_video_model(path), videos, scores


def test_onnxruntime_gives_the_keras_outputs_on_real_clips_and_carries_the_classes(onnx_export):
    keras_model, written, served, videos, scores = onnx_export
    assert [path.name for path in written] == ["tan.onnx"]
    assert served.keras_model is None
    assert served.classes == keras_model.classes == list(scores["classes"])
    assert served.frame_settings == keras_model.frame_settings
    metadata = {p.key: p.value for p in onnx.load(str(written[0])).metadata_props}
    assert json.loads(metadata[ONNX_METADATA_KEY])["classes"] == keras_model.classes
    names = list(videos)
    batch = {stream: np.concatenate([videos[name][stream] for name in names])
             for stream in ("rgb", "flow")}
    expected = keras_model.predict(batch)  # Keras once (its trace is the cost), all clips
    outputs = served.predict(batch)
    assert sorted(outputs) == sorted(expected) == ["alpha", "beta", "fused", "spatial", "temporal"]
    for name, value in expected.items():
        assert outputs[name].shape == value.shape
        np.testing.assert_allclose(outputs[name], value, rtol=0, atol=ATOL, err_msg=name)
    for i, name in enumerate(names):  # one clip at a time, as tan-predict runs it
        single = served.predict(videos[name])
        for output, value in expected.items():
            np.testing.assert_allclose(single[output][0], value[i], rtol=0, atol=ATOL,
                                       err_msg=f"{name} {output}")
        row = list(scores["video_ids"]).index(name)
        for stream in ("spatial", "temporal", "fused"):  # and evaluate's scores
            np.testing.assert_allclose(single[stream][0], scores[stream][row], atol=ATOL)
    np.testing.assert_allclose(outputs["alpha"].sum(axis=1), 1.0, atol=1e-5)


def test_what_cannot_be_exported_to_onnx_is_named(onnx_export, tmp_path, monkeypatch):
    keras_model, _, served, _, _ = onnx_export
    with pytest.raises(IncompatibleInputError, match=r"^Expected an \.onnx file name for "
                                                     r"export_format='onnx'\. Received: output="):
        export_model(keras_model, "onnx", tmp_path / "tan.onx")
    with pytest.raises(IncompatibleInputError, match="Received: a model loaded from a "
                                                     "SavedModel, TFLite or ONNX file"):
        export_model(served, "keras", tmp_path / "tan.keras")
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "tf2onnx", None)  # as if not installed
        with pytest.raises(IncompatibleInputError, match=r"^Expected tf2onnx and onnx installed "
                                                         r'.*pip install "tan-keras\[onnx\]"\. '
                                                         r"Received: no module tf2onnx$"):
            export_model(keras_model, "onnx", tmp_path / "tan.onnx")
    with monkeypatch.context() as patch:
        patch.setattr(keras.backend, "backend", lambda: "jax")
        with pytest.raises(IncompatibleInputError, match=r"^Expected the TensorFlow backend .*"
                                                         r"Received: KERAS_BACKEND='jax'; export "
                                                         r"with KERAS_BACKEND=tensorflow"):
            export_model(keras_model, "onnx", tmp_path / "tan.onnx")
    assert not (tmp_path / "tan.onnx").exists()


def test_ops_that_tf2onnx_left_unconverted_are_found():
    helper = onnx.helper
    branch = helper.make_graph([helper.make_node("XlaCall", ["x"], ["y"])], "branch", [], [])
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["a"]),
         helper.make_node("PartitionedCall", ["a"], ["b"]),
         helper.make_node("Tokenizer", ["b"], ["c"], domain="ai.onnx.contrib"),
         helper.make_node("If", ["c"], ["d"], then_branch=branch, else_branch=branch)],
        "g", [], [])
    assert unconverted_onnx_ops(graph) == ["PartitionedCall", "XlaCall",
                                           "ai.onnx.contrib.Tokenizer"]


def test_an_onnx_file_without_our_metadata_or_damaged_is_named(tmp_path):
    x = onnx.helper.make_tensor_value_info("rgb", onnx.TensorProto.UINT8, [1])
    y = onnx.helper.make_tensor_value_info("fused", onnx.TensorProto.UINT8, [1])
    graph = onnx.helper.make_graph([onnx.helper.make_node("Identity", ["rgb"], ["fused"])],
                                   "g", [x], [y])
    onnx.save(onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", 13)],
                                     ir_version=8), str(tmp_path / "other.onnx"))
    with pytest.raises(MissingInputError, match=r"^Expected the classes and frame settings of "
                                                r".*other\.onnx in its metadata_props entry "
                                                r"'tan_keras' .*Received: no such entry$"):
        load_video_model(tmp_path / "other.onnx")
    (tmp_path / "damaged.onnx").write_bytes(b"not a model")
    with pytest.raises(IncompatibleInputError, match=r"^Expected an ONNX model that onnxruntime "
                                                     r"loads\. Received: .*damaged\.onnx: "):
        load_video_model(tmp_path / "damaged.onnx")

"""score_videos: the float path of the test protocol averages with the ViewAveraging layer,
checked against the softmax-then-mean written out in NumPy."""

import numpy as np

from tan_keras.evaluation import score_videos
from tan_keras.models import attention_model, build_tan

V, T, S, C = 10, 3, 32, 4


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_scores_are_the_views_softmax_means_and_attention_means():
    model = build_tan(C, backbone="tiny", num_snippets=T, image_size=S, rnn_units=8,
                      attention_units=4)
    rng = np.random.default_rng(0)
    videos = [({name: rng.uniform(-1, 1, (V, T, S, S, 3)).astype("float32")
                for name in ("rgb", "flow")}, label, f"v{label}".encode()) for label in (2, 0)]
    result = score_videos(model, videos)
    assert result["video_ids"].tolist() == ["v2", "v0"] and result["labels"].tolist() == [2, 0]
    attention = attention_model(model)
    for index, (views, _, _) in enumerate(videos):
        outputs = model.predict_on_batch(views)
        for name in ("spatial", "temporal"):
            want = _softmax(np.asarray(outputs[name], np.float64)).mean(0)
            np.testing.assert_allclose(result[name][index], want, atol=1e-6)
        np.testing.assert_allclose(result["fused"][index], np.asarray(outputs["fused"]).mean(0),
                                   atol=1e-6)
        weights = attention.predict_on_batch(views)
        for name in ("alpha", "beta"):
            np.testing.assert_allclose(result[name][index], np.asarray(weights[name]).mean(0),
                                       atol=1e-6)
    assert result["alpha"].shape == (2, T, T) and result["spatial"].shape == (2, C)

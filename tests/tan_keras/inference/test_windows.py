"""tan_keras.inference.predict_windows with a stand-in model on a real clip: each window's scores
are the model's on that window's frames, its times are its frames over the fps, every frame
reaches on_frame, and what the source left unscored comes back in `problems`."""

import numpy as np

from data_prep.decoding.stream import WindowStream
from tan_keras.frame_settings import FrameSettings
from tan_keras.inference import VideoModel, predict_windows

CLIP = "ucf101/Punch/v_Punch_g01_c01.avi"  # 121 frames at 25 fps
SETTINGS = {"height": 30, "width": 40, "positions": 3, "num_snippets": 3}


def brightness_model(inputs):
    """Two 'classes': the clip's mean RGB and mean flow over 255; attention on the last snippet."""
    light = float(np.mean(inputs["rgb"])) / 255.0
    moving = float(np.mean(inputs["flow"])) / 255.0
    weights = np.zeros((1, 3, 3), np.float32)
    weights[0, 2, :] = 1.0
    return {"spatial": np.array([[light, 1 - light]]), "temporal": np.array([[moving, 1 - moving]]),
            "fused": np.array([[(light + moving) / 2, 1 - (light + moving) / 2]]),
            "alpha": weights, "beta": weights}


def test_windows_carry_the_models_scores_on_their_frames(shared_data):
    model = VideoModel(brightness_model, ["light", "dark"], SETTINGS)
    path = str(shared_data / "videos" / CLIP)
    frames, problems = [], []
    results = list(predict_windows(model, path, window_s=2.0, stride_s=1.6, problems=problems,
                                   on_frame=lambda index, frame: frames.append(index)))
    assert frames == list(range(121))
    assert [(r.start_frame, r.end_frame) for r in results] == [(0, 50), (40, 90)]
    assert [(r.start_s, r.end_s) for r in results] == [(0.0, 2.0), (1.6, 3.6)]
    assert problems == [f"{path}: frames 90-120 (3.60-4.84 s) fill no whole window: not scored"]
    windows = list(WindowStream(path, FrameSettings.from_dict(SETTINGS), 3, 2.0, 1.6))
    for result, window in zip(results, windows):
        assert result.snippet_frames == window["frame_indices"]
        assert result.snippet_times == [k / 25.0 for k in window["frame_indices"]]
        expected = brightness_model({"rgb": window["rgb"], "flow": window["flow"]})
        np.testing.assert_allclose(result.fused, expected["fused"][0])
        np.testing.assert_array_equal(result.alpha, [0, 0, 1])  # alpha[:, -1]: the last step
        assert result.top(model.classes, 1)[0][0] == ("light" if result.fused[0] > 0.5
                                                      else "dark")
        assert result.delay_s >= 0

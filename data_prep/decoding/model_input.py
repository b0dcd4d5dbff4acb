"""One video as a trained model sees it: the T test positions' frames and flow, as in its records.

`tan-predict` runs a model on a new video. The model was trained on records, so the video goes
through what a build does to a video, for the few positions the test protocol reads:

1. the video's frames that decode are counted, and its K stored positions chosen as a build would
   (`positions.position_indices`, with the records' K);
2. of those, the T test positions (`tan_keras.protocol.test_positions`, as `eval_frames` takes);
3. frames k and k + 1 of each are decoded and resized to the records' frame size (bilinear);
4. TV-L1 flow from k to k + 1 on the grayscale frames, clipped to the records' bound and mapped to
   uint8 (`flow.quantize`);
5. the RGB frames and the flow images are encoded as the records store them (JPEG at the records'
   quality, flow as JPEG or PNG) and decoded again, so the model sees what it was trained on.

Only T flow pairs are computed, not K.
"""

from typing import Callable

import cv2
import numpy as np

from data_prep.flow import tvl1 as flow_lib
from data_prep.decoding import positions as positions_lib
from data_prep.records import writing as records
from data_prep.decoding import video as video_lib
from tan_keras import protocol
from tan_keras.frame_settings import FrameSettings


def _round_trip_rgb(frame: np.ndarray, quality: int) -> np.ndarray:
    encoded = np.frombuffer(records.encode_jpeg_rgb(frame, quality), np.uint8)
    return cv2.cvtColor(cv2.imdecode(encoded, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def _round_trip_gray(image: np.ndarray, image_format: str, quality: int) -> np.ndarray:
    encoded = np.frombuffer(records.encode_gray(image, image_format, quality), np.uint8)
    return cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)


def gray_pair(frame: np.ndarray, next_frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Frames k and k + 1, [H, W, 3] uint8 RGB, as the [H, W] uint8 grayscale pair TV-L1 reads."""
    return tuple(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) for image in (frame, next_frame))


def stored_snippet(frame: np.ndarray, flow: np.ndarray,
                   settings: FrameSettings) -> tuple[np.ndarray, np.ndarray]:
    """One position as its records would hold it (steps 4 and 5 above).

    Args:
      frame: [H, W, 3] uint8 RGB, frame k at the records' size.
      flow: [H, W, 2] float32 TV-L1 flow in pixels from frame k to k + 1 (either engine).
      settings: the records' frames.

    Returns:
      (rgb [H, W, 3] uint8, flow [H, W, 2] uint8), encoded as the records store them and decoded.
    """
    quantized = flow_lib.quantize(flow, settings.flow_bound)
    flow_image = np.stack([_round_trip_gray(np.ascontiguousarray(quantized[..., c]),
                                            settings.flow_format, settings.jpeg_quality)
                           for c in (0, 1)], axis=-1)
    return _round_trip_rgb(frame, settings.jpeg_quality), flow_image


def window_offsets(num_frames: int, positions: int, num_snippets: int) -> list[int]:
    """The T frames k (from 0) that the model reads of a video of `num_frames` frames: of its K
    stored positions (`positions.position_indices`), the T that the test protocol reads
    (`tan_keras.protocol.test_positions`). `video_clip` reads these of a file; a window of a long
    video (`data_prep.decoding.stream`) reads these of its frames, so a window over a clip reads
    what `video_clip` reads of that clip alone."""
    stored = positions_lib.position_indices(num_frames, positions)
    return [stored[protocol.test_positions(len(stored), num_snippets, t)]
            for t in range(num_snippets)]


def video_clip(path: str, settings: FrameSettings, num_snippets: int,
               progress: Callable[[int, int], None] | None = None) -> dict:
    """The T test positions of the video at `path`, as its records would hold them.

    Args:
      path: a video file OpenCV decodes (.avi, .mp4 with H.264, ...).
      settings: the records' frames (`tan_keras.frame_settings.FrameSettings`).
      num_snippets: T, the snippets the model reads (exported models carry it beside the frame
        settings, as "num_snippets").
      progress: called as progress(done, total) after each flow pair.

    Returns:
      {'rgb': [T, H, W, 3] uint8, 'flow': [T, H, W, 2] uint8, 'frame_indices': [T] int,
       'num_frames': N, 'fps': float}.

    Raises:
      video.VideoDecodeError: naming the file, when it is not a video OpenCV decodes or has
        fewer than 2 frames.
    """
    num_frames, fps = video_lib.count_frames(path)
    if num_frames < 2:
        raise video_lib.VideoDecodeError(f"{path}: decoded {num_frames} frame(s); the model "
                                         "needs at least 2 (one flow pair).")
    chosen = window_offsets(num_frames, settings.positions, num_snippets)
    needed = sorted(set(chosen) | {k + 1 for k in chosen})
    frames = dict(zip(needed, video_lib.read_frames(path, needed, frame_height=settings.height,
                                                    frame_width=settings.width)))
    rgb, flow = [], []
    for done, k in enumerate(chosen, start=1):
        pair = gray_pair(frames[k], frames[k + 1])
        rgb_image, flow_image = stored_snippet(frames[k], flow_lib.tvl1(*pair), settings)
        rgb.append(rgb_image)
        flow.append(flow_image)
        if progress is not None:
            progress(done, len(chosen))
    return {"rgb": np.stack(rgb), "flow": np.stack(flow), "frame_indices": chosen,
            "num_frames": num_frames, "fps": fps}

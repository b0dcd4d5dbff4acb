"""Synthetic records whose pixel values encode video, position and pixel coordinates.

Written with the real writer (`data_prep.records.writing`), read back independently with the
`tf.train.SequenceExample` proto and OpenCV, so the tests can compute what the pipeline should give.

Encodings (r: row, c: column, p: stored position, v: video number), all within 0..255:
  RGB:    R = 20 + 20 p (constant per frame), G = 20 + 2 c, B = 20 + 3 r + 25 v
  flow x: 10 + 2 c + r + p
  flow y: 10 + 3 r + 25 v
RGB is JPEG (smooth values survive it); flow is PNG (exact) unless a test asks for JPEG.
"""

import os
from typing import NamedTuple

import cv2
import numpy as np
import tensorflow as tf

from data_prep.records.writing import encode_video_record, write_manifest, write_shard
from tan_keras import record_format as rf

HEIGHT, WIDTH = 48, 64
CLASSES = ["ClassA", "ClassB", "ClassC"]


class Video(NamedTuple):
    video_id: str
    number: int  # v in the encodings
    label: int
    num_positions: int
    side: str  # 'train' or 'test' in split 1


def frames(number: int, num_positions: int, height: int = HEIGHT, width: int = WIDTH):
    """-> rgb [P, H, W, 3] uint8, flow [P, H, W, 2] uint8, per the module's encodings."""
    p = np.arange(num_positions)[:, None, None]
    r = np.arange(height)[None, :, None]
    c = np.arange(width)[None, None, :]
    shape = (num_positions, height, width)
    rgb = np.stack([np.broadcast_to(20 + 20 * p, shape), np.broadcast_to(20 + 2 * c, shape),
                    np.broadcast_to(20 + 3 * r + 25 * number, shape)], axis=-1)
    flow = np.stack([np.broadcast_to(10 + 2 * c + r + p, shape),
                     np.broadcast_to(10 + 3 * r + 25 * number, shape)], axis=-1)
    if rgb.max() > 255 or flow.max() > 255:
        raise ValueError(f"Expected video number 0..3 and at most 11 positions. Received: "
                         f"number={number}, num_positions={num_positions}")
    return rgb.astype(np.uint8), flow.astype(np.uint8)


def position_of_red(red: float) -> int:
    """Inverts R = 20 + 20 p."""
    return int(round((red - 20) / 20))


def encode(video: Video, flow_format: str = "png", height: int = HEIGHT, width: int = WIDTH) -> bytes:
    rgb, flow = frames(video.number, video.num_positions, height, width)
    return encode_video_record(
        rgb, flow, np.arange(video.num_positions) * 3, label=video.label,
        label_text=CLASSES[video.label], filename=video.video_id,
        num_frames=3 * video.num_positions + 1, fps=25.0, positions_requested=video.num_positions,
        flow_format=flow_format, jpeg_quality=95)


def write_records(records_dir: str, videos: list, num_shards: int = 2, flow_format: str = "png",
                  height: int = HEIGHT, width: int = WIDTH) -> dict:
    """Writes videos round-robin into shards plus a manifest; returns {video_id: serialized}."""
    os.makedirs(records_dir, exist_ok=True)
    serialized = {v.video_id: encode(v, flow_format, height, width) for v in videos}
    shards = [rf.shard_filename("synthetic", i, num_shards) for i in range(num_shards)]
    for i, shard in enumerate(shards):
        write_shard(os.path.join(records_dir, shard),
                    [serialized[v.video_id] for v in videos[i::num_shards]])
    manifest = {
        "format_version": rf.FORMAT_VERSION, "name": "synthetic", "classes": CLASSES,
        "shards": shards,
        "counts": {"videos": len(videos), "failed": 0},
        "videos": {v.video_id: {"label": v.label, "shard": k % num_shards,
                                "num_positions": v.num_positions} for k, v in enumerate(videos)},
        "splits": {"1": {side: [v.video_id for v in videos if v.side == side]
                         for side in ("train", "test")}},
        "failures": [], "params": {"flow_format": flow_format},
    }
    write_manifest(records_dir, manifest)
    return serialized


def decoded_record(serialized: bytes):
    """Independent reader: -> rgb [P, H, W, 3] float32, flow [P, H, W, 2] float32 (OpenCV)."""
    example = tf.train.SequenceExample.FromString(serialized)
    lists = example.feature_lists.feature_list

    def images(key, flags):
        return [cv2.imdecode(np.frombuffer(f.bytes_list.value[0], np.uint8), flags)
                for f in lists[key].feature]

    rgb = np.stack([cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                    for bgr in images(rf.IMAGE_ENCODED, cv2.IMREAD_COLOR)])
    flow = np.stack([np.stack([x, y], axis=-1) for x, y in zip(
        images(rf.FLOW_X_ENCODED, cv2.IMREAD_GRAYSCALE),
        images(rf.FLOW_Y_ENCODED, cv2.IMREAD_GRAYSCALE))])
    return rgb.astype(np.float32), flow.astype(np.float32)


def reference_view(rgb, flow, window, flip: bool, image_size: int):
    """NumPy/OpenCV reference of one crop of one frame.

    rgb: [H, W, 3], flow: [H, W, 2] float32 0..255; window: (y, x, h, w).
    Returns rgb [S, S, 3], flow [S, S, 3] (x, y, sqrt((x^2 + y^2) / 2)) float32.
    """
    y, x, h, w = window
    size = (image_size, image_size)
    out_rgb = cv2.resize(rgb[y:y + h, x:x + w], size, interpolation=cv2.INTER_LINEAR)
    out_flow = cv2.resize(flow[y:y + h, x:x + w], size, interpolation=cv2.INTER_LINEAR)
    if flip:
        out_rgb = out_rgb[:, ::-1]
        out_flow = out_flow[:, ::-1].copy()
        out_flow[..., 0] = 255.0 - out_flow[..., 0]
    magnitude = np.sqrt((out_flow[..., 0] ** 2 + out_flow[..., 1] ** 2) / 2.0)
    return out_rgb, np.concatenate([out_flow, magnitude[..., None]], axis=-1)


# Split 1: three training videos (10, 7 and 3 stored positions: 3 < T = 5 exercises repetition)
# and two test videos.
VIDEOS = [
    Video("ClassA/v_a_g08.avi", 0, 0, 10, "train"),
    Video("ClassB/v_b_g08.avi", 1, 1, 7, "train"),
    Video("ClassC/v_c_g08.avi", 2, 2, 3, "train"),
    Video("ClassA/v_a_g01.avi", 3, 0, 8, "test"),
    Video("ClassC/v_c_g01.avi", 2, 2, 3, "test"),
]

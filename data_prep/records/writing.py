"""Writing the record format of `tan_keras.record_format`: one video -> one serialized record, shards, manifest.

`encode_video_record` turns the stored positions of one video (RGB frames, quantised flow, frame
indices) into a serialized `tf.train.SequenceExample`. `write_shard` writes records to a shard under
a temporary name and renames it when complete; `write_manifest` writes the manifest the same way.
The key names are the constants of `tan_keras.record_format`, shared with the reader.

Encoding needs no TensorFlow (see `proto_wire`), so worker processes start fast. Writing local
shards and the manifest needs none either (`tfrecord_wire`, `files`); gs:// and other remote
paths go through `tf.io.gfile`.
"""

import json
import os

import cv2
import numpy as np

from data_prep import files
from data_prep.records import proto_wire as pw
from data_prep.records import tfrecord_wire
from tan_keras import record_format as rf

FLOW_FORMATS = ("jpeg", "png")
DEFAULT_JPEG_QUALITY = 95  # OpenCV's imwrite default, the one the TSN/denseflow tools store with.


def encode_jpeg_rgb(frame: np.ndarray, quality: int) -> bytes:
    """frame: [H, W, 3] uint8 RGB -> JPEG bytes (decodes back to RGB with any JPEG decoder)."""
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError(f"OpenCV could not JPEG-encode a frame of shape {frame.shape}.")
    return buf.tobytes()


def encode_gray(image: np.ndarray, image_format: str, quality: int) -> bytes:
    """image: [H, W] uint8 -> single-channel JPEG or PNG bytes."""
    if image_format == "jpeg":
        ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    else:
        ok, buf = cv2.imencode(".png", image)
    if not ok:
        raise ValueError(f"OpenCV could not {image_format}-encode an image of shape {image.shape}.")
    return buf.tobytes()


def _check_arrays(rgb_frames, flow, frame_indices, filename):
    rgb_frames = np.asarray(rgb_frames)
    flow = np.asarray(flow)
    frame_indices = np.asarray(frame_indices)
    if rgb_frames.dtype != np.uint8 or rgb_frames.ndim != 4 or rgb_frames.shape[-1] != 3:
        raise ValueError(f"{filename}: expected rgb_frames of shape [P, H, W, 3] and dtype uint8. "
                         f"Received: rgb_frames.shape={rgb_frames.shape}, dtype={rgb_frames.dtype}")
    if flow.dtype != np.uint8 or flow.shape != rgb_frames.shape[:3] + (2,):
        raise ValueError(f"{filename}: expected flow of shape {rgb_frames.shape[:3] + (2,)} "
                         f"(P, H, W of rgb_frames, then x and y) and dtype uint8. "
                         f"Received: flow.shape={flow.shape}, dtype={flow.dtype}")
    if frame_indices.shape != (rgb_frames.shape[0],) or not np.issubdtype(frame_indices.dtype, np.integer):
        raise ValueError(f"{filename}: expected integer frame_indices of shape ({rgb_frames.shape[0]},). "
                         f"Received: frame_indices.shape={frame_indices.shape}, "
                         f"dtype={frame_indices.dtype}")
    if rgb_frames.shape[0] == 0:
        raise ValueError(f"{filename}: expected at least one position. Received: rgb_frames.shape="
                         f"{rgb_frames.shape}")
    if np.any(np.diff(frame_indices) <= 0) or frame_indices[0] < 0:
        raise ValueError(f"{filename}: expected increasing non-negative frame_indices. "
                         f"Received: frame_indices={frame_indices.tolist()}")
    return rgb_frames, flow, frame_indices


def encode_video_record(rgb_frames: np.ndarray, flow: np.ndarray, frame_indices, *, label: int,
                        label_text: str, filename: str, num_frames: int, fps: float,
                        positions_requested: int, flow_bound: float = 20.0,
                        flow_format: str = "jpeg",
                        jpeg_quality: int = DEFAULT_JPEG_QUALITY) -> bytes:
    """Serializes one video's stored positions as a `tf.train.SequenceExample`.

    Args:
      rgb_frames: [P, H, W, 3] uint8 RGB, the frames k_0 < ... < k_{P-1}.
      flow: [P, H, W, 2] uint8 quantised flow (x, y) from frame k_p to k_p + 1 (see `flow.quantize`).
      frame_indices: [P] ints, k_p, 0-based indices in the decoded video.
      label: 0-based class index.
      label_text: class name.
      filename: the video's id, its path relative to the video root with '/' separators.
      num_frames: frames decoded from the video.
      fps: the container's frames per second (0 when unknown).
      positions_requested: K, the positions asked for, or 0 for every frame.
      flow_bound: the bound the flow was clipped to before quantisation.
      flow_format: 'jpeg' or 'png' (lossless) for the two single-channel flow images.
      jpeg_quality: 1..100, for the RGB JPEGs and JPEG flow.

    Returns:
      The serialized record (deterministic bytes: the same input gives the same bytes).
    """
    if flow_format not in FLOW_FORMATS:
        raise ValueError(f"Expected flow_format in {FLOW_FORMATS}. Received: flow_format={flow_format!r}")
    if not 1 <= int(jpeg_quality) <= 100:
        raise ValueError(f"Expected jpeg_quality in 1..100. Received: jpeg_quality={jpeg_quality!r}")
    if not 0 <= int(label):
        raise ValueError(f"{filename}: expected a 0-based label >= 0. Received: label={label!r}")
    rgb_frames, flow, frame_indices = _check_arrays(rgb_frames, flow, frame_indices, filename)
    num_positions, height, width = rgb_frames.shape[:3]

    images = [encode_jpeg_rgb(frame, jpeg_quality) for frame in rgb_frames]
    flow_x = [encode_gray(np.ascontiguousarray(f[..., 0]), flow_format, jpeg_quality) for f in flow]
    flow_y = [encode_gray(np.ascontiguousarray(f[..., 1]), flow_format, jpeg_quality) for f in flow]

    context = {
        rf.LABEL_INDEX: pw.int64_feature([label]),
        rf.LABEL_TEXT: pw.bytes_feature([label_text.encode("utf-8")]),
        rf.VIDEO_FILENAME: pw.bytes_feature([filename.encode("utf-8")]),
        rf.NUM_FRAMES: pw.int64_feature([num_frames]),
        rf.FPS: pw.float_feature([fps]),
        rf.HEIGHT: pw.int64_feature([height]),
        rf.WIDTH: pw.int64_feature([width]),
        rf.NUM_POSITIONS: pw.int64_feature([num_positions]),
        rf.POSITIONS_REQUESTED: pw.int64_feature([positions_requested]),
        rf.FLOW_BOUND: pw.float_feature([flow_bound]),
        rf.FLOW_FORMAT: pw.bytes_feature([flow_format.encode("ascii")]),
    }
    feature_lists = {
        rf.IMAGE_ENCODED: [pw.bytes_feature([b]) for b in images],
        rf.FLOW_X_ENCODED: [pw.bytes_feature([b]) for b in flow_x],
        rf.FLOW_Y_ENCODED: [pw.bytes_feature([b]) for b in flow_y],
        rf.FRAME_INDEX: [pw.int64_feature([k]) for k in frame_indices],
    }
    # Equals tf.train.SequenceExample(...).SerializeToString(deterministic=True), without TF.
    return pw.sequence_example(context, feature_lists)


def write_shard(path: str, records) -> int:
    """Writes serialized records to a TFRecord file atomically: a temporary name, then a rename.

    The framing is written by `data_prep.records.tfrecord_wire` (bytes equal to tf.io.TFRecordWriter's),
    so a local build never loads TensorFlow; gs:// and other tf.io.gfile paths load it.

    Args:
      path: the shard's final path (local or any `tf.io.gfile` filesystem, e.g. gs://).
      records: an iterable of serialized records (bytes), written in the given order.

    Returns:
      The number of records written.
    """
    count = 0

    def frames():
        nonlocal count
        for record in records:
            count += 1
            yield tfrecord_wire.frame(record)

    files.write_atomically(path, frames())
    return count


def manifest_json(manifest: dict) -> str:
    """The manifest's canonical text: sorted keys, 1-space indent, trailing newline."""
    return json.dumps(manifest, indent=1, sort_keys=True) + "\n"


def write_manifest(output_dir: str, manifest: dict) -> str:
    """Writes `output_dir/manifest.json` atomically (temporary file, then rename); returns its path."""
    path = os.path.join(output_dir, rf.MANIFEST_FILENAME)
    files.write_atomically(path, [manifest_json(manifest)], mode="w")
    return path


read_manifest = rf.read_manifest  # one reader for writer and reader alike

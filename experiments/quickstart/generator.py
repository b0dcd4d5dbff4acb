"""A synthetic action dataset on which TAN's attention must find the action snippet to win.

Why this dataset
----------------
TAN's claim (ICME 2018, section 2.1) is that each stream should choose *which snippets* to read
using the other stream's evidence: alpha (over the RGB snippets) is computed with the flow
branch's state, beta (over the flow snippets) with the RGB branch's state. A two-stream baseline
that classifies each stream on its own and averages the two scores cannot combine the streams
*per snippet*. This dataset makes that difference the story.

The design (C = 5 classes, T = 5 segments)
------------------------------------------
There are C = 5 classes, one per "posture": a coloured outline shape (Ring, Square, Triangle,
Diamond, Bars) centred in a 64x64 frame. A video has T = 5 equal segments of
`frames_per_segment` frames, each showing one posture:

* one segment, at a uniformly random position, is the *action segment*: it shows the posture of
  the video's own class, and a small white disc (the "marker") orbits in the posture's hollow
  centre (about 3.9 px per frame, in every frame of the segment, random phase and direction);
* each of the other four segments shows a posture drawn uniformly at random from all C, repeats
  allowed and the video's own class possible, with the marker standing still at a random point
  of the same circle.

So motion says *which segment* is the action, and the posture at that segment says the class:

* Spatial stream alone: the class's posture is in the video at least once, but any other posture
  may be there as often. The best a classifier of the posture counts can do is to pick the most
  frequent posture (the likelihood of class c is proportional to how often posture c appears),
  which is right about 46% of the time (chance 20%); a single frame of an orbiting marker looks
  like a single frame of a still one (same circle, uniform angle). Neither "count the postures"
  nor "the posture missing from the others" identifies the class, as it did when every video
  showed each posture once.
* Temporal stream alone: the marker's motion is identical for every class (same orbit, same
  colour, on the same grey background inside the posture's hollow centre, so the flow never
  touches and never outlines the posture), and the action's position is uniform over the T
  segments for every class. Chance, 1/C.
* Average fusion of the two (the two-stream baseline): at most what the spatial stream alone
  reaches, about 46%.
* TAN: alpha over the RGB snippets is scored with the flow branch's state, which knows *when*
  the motion was, so the spatial branch can read the posture at the moving snippet: 100% in
  principle. Alpha's weight on the action snippet is the unique way there; beta has nothing to
  find (the flow holds no class information), so it is alpha whose mass the quickstart measures.

What the TSN sampling and crops do to the design
------------------------------------------------
* Training takes one random frame from each of T equal segments: the marker moves in *every*
  frame of the action segment, so any sampled frame shows motion.
* Corner and centre crops with scale jitter (width and height each 0.66 to 1 of the short side)
  always keep the central [22, 42) x [22, 42) square of a 64x64 frame: the marker's orbit
  (radius 5 plus the disc's radius 2.5 around (32, 32)) lies inside it, so no crop cuts the
  motion out. The postures
  are about 40 px wide, so every crop keeps most of the outline, and each has its own colour.
* Horizontal flips keep every posture recognisable (the shapes are left-right symmetric) and only
  mirror the orbit.
* Flow is taken from frame k to k + 1. At the last frame of a segment that pair crosses into the
  next segment (often another posture, and the marker jumps), which gives flow around the
  outlines. Every boundary does this, whatever the label, so it is noise, not a clue: it says
  nothing about which segment is the action. The stored positions avoid those frames anyway
  (the quickstart's `pipeline.stored_positions_aligned`).

Files written (a UCF101-style layout, so the ordinary UCF101 split parser reads it)
---------------------------------------------------------------------------------
  <root>/videos/<Class>/v_<Class>_g<GG>_c<CC>.avi  MJPG, 64x64, 25 fps, T * frames_per_segment
                                                   frames. Groups g01..g<test> are the test set.
  <root>/splits/classInd.txt, trainlist01.txt, testlist01.txt   official UCF101 format.
  <root>/actions.json   the sidecar: per video its label, posture order, action segment and split.

`generate_dataset` is the one entry point. The quickstart calls it; nothing here parses flags.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from tan_keras.presets import ARCHITECTURES

CLASS_NAMES = ("Ring", "Square", "Triangle", "Diamond", "Bars")
# T, the segments of a video (and the snippets the model reads): the "quickstart" preset's.
NUM_SEGMENTS = ARCHITECTURES["quickstart"].num_snippets
FRAME_SIZE = 64
FPS = 25.0
SIDECAR_FILENAME = "actions.json"
SPLITS_DIRNAME = "splits"
VIDEOS_DIRNAME = "videos"

BACKGROUND_RGB = (110, 110, 110)
MARKER_RGB = (255, 255, 255)
POSTURE_RGB = (
    (225, 45, 45),    # Ring: red
    (40, 200, 70),    # Square: green
    (60, 90, 235),    # Triangle: blue
    (235, 210, 40),   # Diamond: yellow
    (210, 60, 205),   # Bars: magenta
)
OUTLINE_THICKNESS = 4
MARKER_ORBIT_RADIUS = 5.0
MARKER_RADIUS = 2.5
MARKER_FRAMES_PER_TURN = 8  # 2 * pi * 5 / 8 = 3.9 px per frame.
_SUBPIXEL_SHIFT = 4  # cv2 drawing with 4 fractional bits.


@dataclass(frozen=True)
class VideoPlan:
    """What one synthetic video shows.

    Attributes:
      label: the class index c in [0, C).
      posture_order: [T] the posture index shown in each segment: `label` at the action segment,
        uniform over 0..C-1 (repeats allowed) elsewhere.
      action_segment: the segment with motion, uniform over 0..T-1; it shows posture `label`.
      marker_angles: [T] the marker's starting angle on its orbit in each segment (radians).
      marker_direction: +1 or -1, the orbit's direction in the action segment.
    """

    label: int
    posture_order: tuple[int, ...]
    action_segment: int
    marker_angles: tuple[float, ...]
    marker_direction: int


def plan_video(label: int, rng: np.random.Generator) -> VideoPlan:
    """Draws the action segment, the other segments' postures and the marker placement."""
    if not 0 <= label < len(CLASS_NAMES):
        raise ValueError(f"Expected label in [0, {len(CLASS_NAMES)}). Received: label={label}")
    action_segment = int(rng.integers(NUM_SEGMENTS))
    order = [int(p) for p in rng.integers(len(CLASS_NAMES), size=NUM_SEGMENTS)]
    order[action_segment] = label
    angles = tuple(float(a) for a in rng.uniform(0.0, 2.0 * math.pi, size=NUM_SEGMENTS))
    return VideoPlan(label=label, posture_order=tuple(order), action_segment=action_segment,
                     marker_angles=angles, marker_direction=int(rng.choice((-1, 1))))


def _regular_polygon(num_vertices: int, radius: float, first_angle: float) -> np.ndarray:
    """Vertices [V, 1, 2] int32 around the frame centre; angle 0 points right, y grows down."""
    centre = FRAME_SIZE / 2.0
    angles = first_angle + 2.0 * math.pi * np.arange(num_vertices) / num_vertices
    points = np.stack([centre + radius * np.cos(angles), centre + radius * np.sin(angles)], -1)
    return np.round(points).astype(np.int32).reshape(-1, 1, 2)


def draw_posture(frame: np.ndarray, posture: int) -> None:
    """Draws posture `posture` (an outline with a hollow centre) into `frame` [64, 64, 3] RGB."""
    color = POSTURE_RGB[posture]
    centre = FRAME_SIZE // 2
    name = CLASS_NAMES[posture]
    if name == "Ring":
        cv2.circle(frame, (centre, centre), 20, color, OUTLINE_THICKNESS, cv2.LINE_AA)
    elif name == "Square":
        cv2.rectangle(frame, (centre - 18, centre - 18), (centre + 18, centre + 18), color,
                      OUTLINE_THICKNESS, cv2.LINE_AA)
    elif name == "Triangle":  # Pointing up; inradius 15 keeps the hollow centre clear.
        cv2.polylines(frame, [_regular_polygon(3, 30.0, -math.pi / 2)], True, color,
                      OUTLINE_THICKNESS, cv2.LINE_AA)
    elif name == "Diamond":
        cv2.polylines(frame, [_regular_polygon(4, 24.0, -math.pi / 2)], True, color,
                      OUTLINE_THICKNESS, cv2.LINE_AA)
    else:  # Bars: two upright bars left and right of the centre.
        for x in (centre - 17, centre + 13):
            cv2.rectangle(frame, (x, centre - 20), (x + 4, centre + 20), color, -1)


def marker_centre(angle: float) -> tuple[float, float]:
    """The marker's (x, y) centre, in pixels, at `angle` on its orbit around the frame centre."""
    centre = FRAME_SIZE / 2.0
    return (centre + MARKER_ORBIT_RADIUS * math.cos(angle),
            centre + MARKER_ORBIT_RADIUS * math.sin(angle))


def _draw_marker(frame: np.ndarray, angle: float) -> None:
    x, y = marker_centre(angle)
    scale = 1 << _SUBPIXEL_SHIFT
    cv2.circle(frame, (int(round(x * scale)), int(round(y * scale))), int(MARKER_RADIUS * scale),
               MARKER_RGB, -1, cv2.LINE_AA, _SUBPIXEL_SHIFT)


def render_video(plan: VideoPlan, frames_per_segment: int) -> np.ndarray:
    """Renders a plan to frames [T * frames_per_segment, 64, 64, 3] uint8, RGB order."""
    if frames_per_segment < 2:
        raise ValueError("Expected frames_per_segment >= 2 (flow needs a frame pair). "
                         f"Received: frames_per_segment={frames_per_segment}")
    step = plan.marker_direction * 2.0 * math.pi / MARKER_FRAMES_PER_TURN
    frames = np.empty((NUM_SEGMENTS * frames_per_segment, FRAME_SIZE, FRAME_SIZE, 3), np.uint8)
    for segment, posture in enumerate(plan.posture_order):
        background = np.empty((FRAME_SIZE, FRAME_SIZE, 3), np.uint8)
        background[:] = BACKGROUND_RGB
        draw_posture(background, posture)
        moving = segment == plan.action_segment
        for k in range(frames_per_segment):
            frame = background.copy()
            _draw_marker(frame, plan.marker_angles[segment] + (k * step if moving else 0.0))
            frames[segment * frames_per_segment + k] = frame
    return frames


def write_video(path: Path, frames_rgb: np.ndarray, fps: float = FPS) -> None:
    """Writes frames [F, H, W, 3] uint8 RGB to an MJPG .avi file (OpenCV writes BGR)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    height, width = frames_rgb.shape[1:3]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    if not writer.isOpened():
        raise OSError(f"OpenCV could not open an MJPG writer for {path}.")
    try:
        for frame in frames_rgb:
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    finally:
        writer.release()


def video_relpath(class_name: str, group: int, clip: int) -> str:
    """The UCF101-style id, e.g. 'Ring/v_Ring_g03_c02.avi'."""
    return f"{class_name}/v_{class_name}_g{group:02d}_c{clip:02d}.avi"


def _write_split_files(splits_dir: Path, train: list[tuple[str, int]], test: list[str]) -> None:
    splits_dir.mkdir(parents=True, exist_ok=True)
    class_lines = [f"{i + 1} {name}" for i, name in enumerate(CLASS_NAMES)]
    (splits_dir / "classInd.txt").write_text("\n".join(class_lines) + "\n")
    (splits_dir / "trainlist01.txt").write_text(
        "".join(f"{video} {label + 1}\n" for video, label in train))
    (splits_dir / "testlist01.txt").write_text("".join(f"{video}\n" for video in test))


def generate_dataset(root: str | Path, train_videos_per_class: int = 24,
                     test_videos_per_class: int = 8, frames_per_segment: int = 10,
                     seed: int = 0, show_progress: bool = False) -> dict:
    """Writes the synthetic action dataset under `root` (see the module docstring).

    Videos are grouped like UCF101, one clip per group and class: groups 1..test_videos_per_class
    are the test set, the following groups the training set.

    Args:
      root: the dataset folder (created; existing files with the same names are overwritten).
      train_videos_per_class: training videos per class.
      test_videos_per_class: test videos per class.
      frames_per_segment: frames in each of the T segments (>= 2).
      seed: seed of the random posture orders and marker placements.
      show_progress: show a tqdm bar.

    Returns:
      The sidecar dict also written to `<root>/actions.json`: {"classes", "num_segments",
      "frames_per_segment", "frame_size", "seed", "videos_dir", "splits_dir",
      "videos": {"<Class>/<file>.avi": {"label", "posture_order", "action_segment", "split"}}}.
    """
    if train_videos_per_class < 1 or test_videos_per_class < 1:
        raise ValueError("Expected at least one training and one test video per class. Received: "
                         f"train_videos_per_class={train_videos_per_class}, "
                         f"test_videos_per_class={test_videos_per_class}")
    root = Path(root)
    rng = np.random.default_rng(seed)
    videos_dir = root / VIDEOS_DIRNAME
    jobs = []
    for group in range(1, test_videos_per_class + train_videos_per_class + 1):
        split = "test" if group <= test_videos_per_class else "train"
        for label, name in enumerate(CLASS_NAMES):
            jobs.append((video_relpath(name, group, 1), label, split))

    videos, train, test = {}, [], []
    for relpath, label, split in tqdm(jobs, desc="videos", unit="video", disable=not show_progress):
        plan = plan_video(label, rng)
        write_video(videos_dir / relpath, render_video(plan, frames_per_segment))
        videos[relpath] = {"label": label, "posture_order": list(plan.posture_order),
                           "action_segment": plan.action_segment, "split": split}
        if split == "train":
            train.append((relpath, label))
        else:
            test.append(relpath)

    _write_split_files(root / SPLITS_DIRNAME, train, test)
    sidecar = {"classes": list(CLASS_NAMES), "num_segments": NUM_SEGMENTS,
               "frames_per_segment": frames_per_segment, "frame_size": FRAME_SIZE, "seed": seed,
               "videos_dir": VIDEOS_DIRNAME, "splits_dir": SPLITS_DIRNAME, "videos": videos}
    (root / SIDECAR_FILENAME).write_text(json.dumps(sidecar, indent=1))
    return sidecar


def load_sidecar(root: str | Path) -> dict:
    """Reads `<root>/actions.json` written by `generate_dataset`."""
    path = Path(root) / SIDECAR_FILENAME
    if not path.is_file():
        raise FileNotFoundError(f"Expected the synthetic dataset's sidecar at {path}. "
                                "Run generate_dataset first.")
    sidecar = json.loads(path.read_text())
    for key in ("classes", "num_segments", "frames_per_segment", "videos"):
        if key not in sidecar:
            raise ValueError(f"Expected key {key!r} in {path}. Received keys: {sorted(sidecar)}")
    return sidecar


def segment_of_position(frame_index: int, num_frames: int, num_segments: int) -> int:
    """The segment (0..num_segments-1) that frame `frame_index` of a `num_frames` video lies in."""
    if not 0 <= frame_index < num_frames:
        raise ValueError(f"Expected 0 <= frame_index < num_frames={num_frames}. "
                         f"Received: frame_index={frame_index}")
    return min(frame_index * num_segments // num_frames, num_segments - 1)

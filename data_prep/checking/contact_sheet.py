"""A contact sheet: the picture a person looks at to trust a build.

For each of a few records (chosen at random with a seed, or named), a block of four rows under
a title with its class, label and video id: each shown position's RGB frame, its flow as colour
(hue: direction, brightness: magnitude, full at the record's largest or at 1 pixel, whichever
is more, so that a still record stays dark), and the stored flow-x
and flow-y images as grey, each column headed by the position's frame index k. Panels are drawn
at the stored size, pixel for pixel (no resampling: `Figure.figimage` at the figure's dpi), so
what the sheet shows is what the record holds.

  report = records.check_records("records/ucf101")
  layout = draw_contact_sheet(report, "sheet.png", count=4, seed=0, positions=8)

Drawn with matplotlib's `Figure` on an Agg canvas, as `tan_keras.evaluation.plots.new_figure`
does (not imported from there: `tan_keras.evaluation` loads TensorFlow and Keras, which a data
check does not need): no pyplot state, no display.
"""

import dataclasses
import os
import random

import cv2
import numpy as np

from data_prep.checking import record_wire
from data_prep.checking.records import RecordJob, RecordsReport, decode_image, read_contents
from data_prep.checking.videos import spread_indices
from data_prep.flow.tvl1 import dequantize
from tan_keras.errors import IncompatibleInputError

ROWS = ("rgb", "flow", "flow_x", "flow_y")
ROW_LABELS = {"rgb": "RGB", "flow": "flow", "flow_x": "flow x", "flow_y": "flow y"}
DPI = 100
MARGIN, LABEL_WIDTH, TITLE_HEIGHT, HEADER_HEIGHT, GAP = 10, 56, 22, 16, 4
MIN_WIDTH = 560  # room for a title line
MIN_FLOW_SCALE = 1.0  # pixels: the flow colour's full brightness is at least this motion


@dataclasses.dataclass(frozen=True)
class Panel:
    """One image on the sheet: `kind` (one of ROWS) of position `position` (frame `frame_index`)
    of `video_id`, at x, y (its top-left pixel, y from the top), width x height pixels."""
    video_id: str
    position: int
    frame_index: int
    kind: str
    x: int
    y: int
    width: int
    height: int


@dataclasses.dataclass
class SheetLayout:
    """The sheet: width x height pixels, its panels, and the videos drawn (in order)."""
    width: int
    height: int
    panels: list[Panel]
    videos: list[str]


@dataclasses.dataclass
class SheetRecord:
    """A record's images for the sheet: rgb [P, H, W, 3] uint8, flow_x and flow_y [P, H, W]
    uint8 (quantised), frame_indices [P], its class name and label."""
    video_id: str
    label: int
    label_text: str
    rgb: np.ndarray
    flow_x: np.ndarray
    flow_y: np.ndarray
    frame_indices: list


def load_record(job: RecordJob) -> SheetRecord:
    """Reads and decodes every image of one record (a sound one: `check_records` found it so)."""
    data, _ = record_wire.read_frame_data(job.path, job.frame)
    record = read_contents(data, job)
    return SheetRecord(video_id=record.video_id, label=record.label,
                       label_text=record.label_text,
                       rgb=np.stack([decode_image(b, 3) for b in record.rgb]),
                       flow_x=np.stack([decode_image(b, 1) for b in record.flow_x]),
                       flow_y=np.stack([decode_image(b, 1) for b in record.flow_y]),
                       frame_indices=list(record.frame_indices))


def choose_videos(available: list[str], count: int, seed: int,
                  named: list[str] | None = None) -> list[str]:
    """The videos to draw: `named` (in that order), or `count` of `available` drawn with `seed`
    (the same ones every time for the same set and seed), in id order.

    Raises:
      IncompatibleInputError: a named video without a sound record.
    """
    if named:
        unknown = [v for v in named if v not in available]
        if unknown:
            raise IncompatibleInputError(
                f"Expected videos with a sound record in the set. Received: sheet_videos="
                f"{','.join(unknown)} (e.g. {available[0] if available else 'none'!s} has one)")
        return list(named)
    return sorted(random.Random(seed).sample(sorted(available), min(count, len(available))))


def flow_colour(flow_x: np.ndarray, flow_y: np.ndarray, bound: float,
                scale: float | None = None) -> np.ndarray:
    """Quantised flow [H, W] uint8 x and y -> [H, W, 3] uint8 RGB: hue the direction (OpenCV's
    HSV, +x red, +y, downwards in the image, yellow-green at hue 45), full saturation, value the
    magnitude / `scale` (default: this image's largest magnitude, at least MIN_FLOW_SCALE)."""
    fx, fy = dequantize(flow_x, bound), dequantize(flow_y, bound)
    magnitude, angle = cv2.cartToPolar(fx.astype(np.float32), fy.astype(np.float32),
                                       angleInDegrees=True)
    scale = max(MIN_FLOW_SCALE, float(magnitude.max())) if scale is None else scale
    hsv = np.empty(flow_x.shape + (3,), np.uint8)
    hsv[..., 0] = np.round(angle / 2) % 180
    hsv[..., 1] = 255
    hsv[..., 2] = np.round(np.clip(magnitude / scale, 0, 1) * 255) if scale > 0 else 0
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)


def sheet_layout(records: list[SheetRecord], positions: int) -> SheetLayout:
    """Where each panel goes: a block per record, `positions` of its positions (0: all)."""
    height, width = records[0].rgb.shape[1:3]
    shown = [spread_indices(len(r.frame_indices), positions or len(r.frame_indices))
             for r in records]
    columns = max(len(s) for s in shown)
    sheet_width = max(MIN_WIDTH, 2 * MARGIN + LABEL_WIDTH + columns * (width + GAP) - GAP)
    block = TITLE_HEIGHT + HEADER_HEIGHT + len(ROWS) * (height + GAP) - GAP + MARGIN
    panels = []
    for number, (record, chosen) in enumerate(zip(records, shown)):
        top = MARGIN + number * block + TITLE_HEIGHT + HEADER_HEIGHT
        for column, position in enumerate(chosen):
            for row, kind in enumerate(ROWS):
                panels.append(Panel(record.video_id, position, record.frame_indices[position],
                                    kind, x=MARGIN + LABEL_WIDTH + column * (width + GAP),
                                    y=top + row * (height + GAP), width=width, height=height))
    return SheetLayout(width=sheet_width, height=MARGIN + len(records) * block, panels=panels,
                       videos=[r.video_id for r in records])


def _panel_image(record: SheetRecord, panel: Panel, bound: float, scale: float) -> np.ndarray:
    p = panel.position
    if panel.kind == "rgb":
        return record.rgb[p]
    if panel.kind == "flow":
        return flow_colour(record.flow_x[p], record.flow_y[p], bound, scale)
    grey = record.flow_x[p] if panel.kind == "flow_x" else record.flow_y[p]
    return np.repeat(grey[..., None], 3, axis=2)


def _new_figure(**kwargs):
    """A `matplotlib.figure.Figure(**kwargs)` on an Agg canvas, outside pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(**kwargs)
    FigureCanvasAgg(figure)
    return figure


def draw_contact_sheet(report: RecordsReport, path: str, count: int = 4, seed: int = 0,
                       positions: int = 8, videos: list[str] | None = None) -> SheetLayout:
    """Draws the sheet of `report`'s sound records to `path` (PNG); returns its layout.

    Args:
      report: `records.check_records`' report (its sound records are the candidates).
      count, seed: how many records to draw at random, and the seed.
      positions: positions shown a record, spread from its first to its last (0: all).
      videos: video ids to draw instead of a random choice.

    Raises:
      IncompatibleInputError: no sound record, or a named video without one.
    """
    if not report.jobs:
        raise IncompatibleInputError(f"{report.record_set.path}: no sound record to draw a "
                                     f"contact sheet of.")
    chosen = choose_videos(list(report.jobs), count, seed, videos)
    records = [load_record(report.jobs[video_id]) for video_id in chosen]
    layout = sheet_layout(records, positions)
    figure = _new_figure(figsize=(layout.width / DPI, layout.height / DPI), dpi=DPI,
                        facecolor="white")
    bound = report.record_set.flow_bound
    by_video = {r.video_id: r for r in records}
    scales = {}
    for record in records:  # flow colour: brightness relative to the record's largest motion
        fx, fy = dequantize(record.flow_x, bound), dequantize(record.flow_y, bound)
        scales[record.video_id] = max(MIN_FLOW_SCALE, float(np.sqrt(fx ** 2 + fy ** 2).max()))
    for panel in layout.panels:
        record = by_video[panel.video_id]
        image = _panel_image(record, panel, bound, scales[panel.video_id])
        figure.figimage(image, xo=panel.x, yo=layout.height - panel.y - panel.height,
                        origin="upper")
    _write_labels(figure, layout, records)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.savefig(path, dpi=DPI)
    return layout


def _write_labels(figure, layout: SheetLayout, records: list[SheetRecord]) -> None:
    """Titles, frame indices and row names, each in its own band (never over a panel)."""
    def text(x, y, words, **kwargs):
        figure.text(x / layout.width, 1 - y / layout.height, words, va="top", ha="left",
                    fontsize=8, family="monospace", **kwargs)

    by_video = {r.video_id: r for r in records}
    for video_id in layout.videos:
        panels = [p for p in layout.panels if p.video_id == video_id]
        top = min(p.y for p in panels)
        record = by_video[video_id]
        text(MARGIN, top - TITLE_HEIGHT - HEADER_HEIGHT + 3,
             f"{record.label_text} (label {record.label})   {video_id}", weight="bold")
        for panel in panels:
            if panel.kind == "rgb":
                text(panel.x, top - HEADER_HEIGHT + 2, f"k={panel.frame_index}")
            if panel.x == MARGIN + LABEL_WIDTH:
                text(MARGIN, panel.y + 2, ROW_LABELS[panel.kind])

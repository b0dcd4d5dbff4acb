"""What a long-video run writes, kept together: `WindowOutputs`.

The windows' rows are written as each window comes (JSON lines or CSV, flushed), the annotated
video frame by frame; the segments and the timeline figure when the run ends, however it ends
(the source's end, a dropped stream, Ctrl-C), from the windows it got.
"""

from pathlib import Path

from tan_keras.inference.annotated_video import AnnotatedVideoWriter
from tan_keras.inference.localisation import SEGMENT_COLUMNS, localise
from tan_keras.inference.timeline import plot_timeline
from tan_keras.inference.window_rows import RowWriter, window_row


def segments_path(windows_path) -> Path:
    """The segments' file beside the windows': <stem>_segments<suffix>."""
    windows_path = Path(windows_path)
    return windows_path.with_name(f"{windows_path.stem}_segments{windows_path.suffix}")


class WindowOutputs:
    """The files of one long-video run.

    Args:
      classes: the class names.
      windows_path: the .jsonl or .csv file of one row a window (`window_rows`).
      timeline_path: the timeline PNG, or None.
      video_path: the annotated .mp4 or .avi, or None.
      fps: the source's frame rate (for the annotated video).
      top: classes a stream in each row.
      localisation: keyword arguments of `localisation.localise` (the thresholds).
      title: the timeline's title.
    """

    def __init__(self, classes, windows_path, *, timeline_path=None, video_path=None,
                 fps: float = 25.0, top: int = 5, localisation: dict | None = None,
                 title: str = ""):
        self.classes = list(classes)
        self.top = top
        self.localisation = dict(localisation or {})
        self.title = title
        self.timeline_path = timeline_path
        self.row_format = "csv" if Path(windows_path).suffix == ".csv" else "jsonl"
        self.rows = RowWriter(windows_path, self.row_format)
        self.video = (AnnotatedVideoWriter(video_path, self.classes, fps)
                      if video_path is not None else None)
        self.results = []

    def on_frame(self, index, frame_bgr) -> None:
        """`predict_windows`' on_frame: the annotated video's next frame (nothing without one)."""
        if self.video is not None:
            self.video.on_frame(index, frame_bgr)

    def add(self, result) -> dict:
        """Writes the row of `result` (a `WindowResult`) and shows it in the video; its row."""
        self.results.append(result)
        row = window_row(result, self.classes, self.top)
        self.rows.write(row)
        if self.video is not None:
            self.video.update(result)
        return row

    def finish(self) -> dict:
        """Closes the files, writes the segments and the timeline of the windows so far.

        Returns:
          {'windows': path, 'segments': path, 'segment_list': [Segment], 'timeline': path or
           None, 'video': path or None}.
        """
        self.rows.close()
        if self.video is not None:
            self.video.close()
        segments = localise(self.results, self.classes, **self.localisation)
        with RowWriter(segments_path(self.rows.path), self.row_format,
                       columns=SEGMENT_COLUMNS) as writer:
            for segment in segments:
                writer.write(segment.row())
        timeline = None
        if self.timeline_path is not None and self.results:
            timeline = plot_timeline(self.results, self.classes, self.timeline_path,
                                     segments=segments, title=self.title)
        return {"windows": self.rows.path, "segments": segments_path(self.rows.path),
                "segment_list": segments, "timeline": timeline,
                "video": self.video.path if self.video is not None else None}

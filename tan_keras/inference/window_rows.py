"""The windows' results as rows a user reads and reuses: JSON lines or CSV, one row a window.

A row: window, start_s, end_s, start_frame, end_frame, snippet_frames, snippet_times, the top
classes of each stream ('fused_top': [[class, p], ...]), the fused score of every class
('fused': {class: p}), alpha and beta at each snippet, delay_s. In CSV the lists and dicts are
JSON strings in their cells, so both formats read back with `read_rows`.
"""

import csv
import json
from pathlib import Path

import numpy as np

from tan_keras.inference.predict import STREAMS

ROW_FORMATS = ("jsonl", "csv")
COLUMNS = ("window", "start_s", "end_s", "start_frame", "end_frame", "snippet_frames",
           "snippet_times", "spatial_top", "temporal_top", "fused_top", "fused", "alpha", "beta",
           "delay_s")


def _rounded(values, digits: int = 5):
    return None if values is None else [round(float(v), digits) for v in np.asarray(values)]


def window_row(result, classes, top: int = 5) -> dict:
    """One `WindowResult` as a row (JSON-able)."""
    row = {"window": result.index, "start_s": round(result.start_s, 4),
           "end_s": round(result.end_s, 4), "start_frame": result.start_frame,
           "end_frame": result.end_frame, "snippet_frames": list(result.snippet_frames),
           "snippet_times": _rounded(result.snippet_times, 4)}
    for stream in STREAMS:
        row[f"{stream}_top"] = [[name, round(p, 5)] for name, p in
                                result.top(classes, top, stream)]
    row["fused"] = dict(zip(map(str, classes), _rounded(result.fused)))
    row["alpha"], row["beta"] = _rounded(result.alpha), _rounded(result.beta)
    row["delay_s"] = round(result.delay_s, 4)
    return row


class RowWriter:
    """Writes rows to a .jsonl or .csv file as they come, flushed after each, so that what was
    written survives an interruption.

    Args:
      path: the file (its folder is made).
      row_format: 'jsonl' or 'csv'.
      columns: the CSV's columns (default: a window's, `COLUMNS`).
    """

    def __init__(self, path, row_format: str = "jsonl", columns=COLUMNS):
        if row_format not in ROW_FORMATS:
            raise ValueError(f"Expected a format in {ROW_FORMATS}. Received: {row_format!r}")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "w", newline="")
        self._csv = None
        if row_format == "csv":
            self._csv = csv.DictWriter(self._file, fieldnames=list(columns), extrasaction="ignore")
            self._csv.writeheader()
        self.rows = 0

    def write(self, row: dict) -> None:
        if self._csv is None:
            self._file.write(json.dumps(row) + "\n")
        else:
            self._csv.writerow({key: json.dumps(value) if isinstance(value, (list, dict))
                                else value for key, value in row.items()})
        self._file.flush()
        self.rows += 1

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def read_rows(path) -> list[dict]:
    """The rows of a .jsonl or .csv file `RowWriter` wrote (by its suffix)."""
    path = Path(path)
    if path.suffix != ".csv":
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    rows = []
    with open(path, newline="") as file:
        for row in csv.DictReader(file):
            rows.append({key: json.loads(value) if value != "" else None
                         for key, value in row.items()})
    return rows


def result_of_row(row: dict, classes):
    """A `windows.WindowResult` of a row (`window_row`'s, or `read_rows`'), to localise or plot
    windows written earlier. Only the top classes a row keeps of the spatial and temporal
    streams are known; the others read 0."""
    from tan_keras.inference.windows import WindowResult

    def scores(stream):
        if stream == "fused":
            return np.array([row["fused"][str(name)] for name in classes], np.float32)
        found = dict(row[f"{stream}_top"])
        return np.array([found.get(str(name), 0.0) for name in classes], np.float32)

    attention = {name: None if row[name] is None else np.asarray(row[name], np.float32)
                 for name in ("alpha", "beta")}
    return WindowResult(index=row["window"], start_s=row["start_s"], end_s=row["end_s"],
                        start_frame=row["start_frame"], end_frame=row["end_frame"],
                        snippet_frames=row["snippet_frames"], snippet_times=row["snippet_times"],
                        spatial=scores("spatial"), temporal=scores("temporal"),
                        fused=scores("fused"), **attention, delay_s=row["delay_s"])

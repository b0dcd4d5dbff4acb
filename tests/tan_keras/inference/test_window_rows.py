"""tan_keras.inference.window_rows: a window's row, written as JSON lines and as CSV, reads back
the same; the rows are on disk as soon as they are written."""

import json

import numpy as np
import pytest

from tan_keras.inference.window_rows import RowWriter, read_rows, result_of_row, window_row
from tests.tan_keras.inference.window_results import CLASSES, window


@pytest.mark.parametrize("suffix, row_format", [("jsonl", "jsonl"), ("csv", "csv")])
def test_rows_read_back_as_written(tmp_path, suffix, row_format):
    results = [window(0, 0.0, 4.0, [0.1, 0.7, 0.2], alpha=[0.1, 0.2, 0.3, 0.4],
                      beta=[0.4, 0.3, 0.2, 0.1]),
               window(1, 2.0, 6.0, [0.5, 0.25, 0.25])]
    rows = [window_row(result, CLASSES, top=2) for result in results]
    assert rows[0]["fused_top"] == [["run", 0.7], ["jump", 0.2]]
    assert rows[0]["fused"] == {"walk": 0.1, "run": 0.7, "jump": 0.2}
    assert rows[0]["snippet_times"] == [0.5, 1.5, 2.5, 3.5]
    assert rows[1]["alpha"] is None and rows[1]["delay_s"] == 0.25
    path = tmp_path / f"windows.{suffix}"
    writer = RowWriter(path, row_format)
    writer.write(rows[0])
    assert len(read_rows(path)) == 1  # flushed: readable while the run goes on
    writer.write(rows[1])
    writer.close()
    assert read_rows(path) == json.loads(json.dumps(rows))
    back = result_of_row(read_rows(path)[0], CLASSES)
    np.testing.assert_allclose(back.fused, results[0].fused)
    np.testing.assert_allclose(back.temporal, [0.0, 0.7, 0.2])  # the top 2 kept of 3
    assert (back.start_s, back.end_s, back.snippet_times) == (0.0, 4.0, [0.5, 1.5, 2.5, 3.5])

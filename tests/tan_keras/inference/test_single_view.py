"""tan_keras.inference.single_view: the centre view is the 10 test views' view 4 (the centre crop,
unmirrored), as `TestViews` makes it; an export without its Keras graph refuses one view."""

import numpy as np
import pytest

from tan_keras.errors import IncompatibleInputError
from tan_keras.inference.loading import VideoModel
from tan_keras.inference.single_view import CENTRE_VIEW, CentreView, with_views
from tan_keras.layers import TestViews
from tan_keras.layers.frame_preprocessing import without_xla


def test_the_centre_view_is_test_view_4():
    rng = np.random.default_rng(0)
    inputs = {"rgb": rng.integers(0, 256, (2, 3, 30, 40, 3), dtype=np.uint8),
              "flow": rng.integers(0, 256, (2, 3, 30, 40, 2), dtype=np.uint8)}
    with without_xla():  # the same ops, without the XLA compile a test does not need
        ten = TestViews(16, "tiny")(inputs)
        one = CentreView(16, "tiny")(inputs)
    assert CENTRE_VIEW == 4
    for stream in ("rgb", "flow"):
        expected = np.asarray(ten[stream]).reshape(2, 10, 3, 16, 16, 3)[:, CENTRE_VIEW]
        np.testing.assert_array_equal(np.asarray(one[stream]), expected)


def test_one_view_needs_the_keras_graph():
    export = VideoModel(predict=lambda inputs: {}, classes=["a"], frame_settings={})
    assert with_views(export, 10) is export.predict
    with pytest.raises(IncompatibleInputError, match="has its 10 views inside"):
        with_views(export, 1)
    with pytest.raises(IncompatibleInputError, match=r"views in \(1, 10\). Received: 5"):
        with_views(export, 5)

"""The TV-L1 estimate: OpenCV's pyramid, and the op count of a small frame by hand."""

from tan_keras.model_card import tvl1


def test_pyramid_is_opencvs():
    # As data_prep.flow.tvl1_jax and OpenCV make it (docs/data_prep.md): x 0.8, rounded, >= 16 px.
    assert tvl1.pyramid_sizes(256, 340) == [(256, 340), (205, 272), (164, 218), (131, 174),
                                            (105, 139)]
    assert tvl1.pyramid_sizes(20, 20) == [(20, 20), (16, 16)]
    assert tvl1.pyramid_sizes(17, 400) == [(17, 400)]


def test_ops_of_a_pair_by_hand():
    """20x20 frames: scales 20x20 and 16x16; 2 inner and 1 outer iteration a warp."""
    iterations = tvl1.Iterations(inner=2, outer=1, source="test")
    per_warp = (2 + 3 * 32 + 8) + 1 * (2 * 113 * 2) + 2 * 60
    per_pixel = 4 + 5 * per_warp  # the centred gradient, then 5 warps
    expected = (10 * 400                       # both frames to grayscale
                + 400 * (per_pixel + 14)       # the finer scale, and the flow brought up to it
                + 256 * (per_pixel + 12))      # the coarser scale, and its pyramid resize
    assert tvl1.pair_ops(20, 20, iterations) == expected


def test_video_cost_is_pairs_times_a_pair():
    cost = tvl1.tvl1_cost(20, 20, num_snippets=3, positions=None)
    assert list(cost["per_video"]) == ["test_snippets"]
    assert cost["per_video"]["test_snippets"]["max"] == 3 * cost["ops_per_pair"]["max"]
    assert cost["ops_per_pair"]["max"] == round(tvl1.pair_ops(20, 20, tvl1.ITERATION_CAPS))

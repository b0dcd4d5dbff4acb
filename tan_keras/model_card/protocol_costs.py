"""The cost of the test protocol around the model: making a video's views, averaging scores.

Under the 10-view protocol (`tan_keras.protocol`) a video costs 10 views through the model plus
what `tan_keras.models.preprocessed.evaluation_model` adds around it:

- `TestViews`, for each of the V views, T snippets and S x S output pixels:
    the bilinear crop-and-resize of 5 channels (RGB and flow x, y): 3 lerps of 3 FLOPs
    (subtract, multiply, add) a channel, 45; flow x mirrored (255 - x), 1; the flow image's third
    channel sqrt((x^2 + y^2) / 2), 4 and one sqrt; the normalisation of the 6 channels, 2 each
    for x / 127.5 - 1 (1 for the 'caffe' mean subtraction): 62 FLOPs and one transcendental a
    pixel. The gathers move data; the per-view sample positions (O(S)) are not counted.
- `ViewAveraging`: a softmax of the spatial and temporal logits of each view, and the mean over
  the V views of the 3 score vectors [C] and, for TAN, alpha and beta [T, T] (V FLOPs an output
  value: V - 1 adds and a divide).
"""

from tan_keras.backbones.preprocessing import PREPROCESSING_MODES
from tan_keras.model_card.counts import Count, softmax
from tan_keras.protocol import NUM_TEST_VIEWS

_BILINEAR_FLOPS = 9  # 3 lerps, each (b - a) * w + a
_CHANNELS = 5        # RGB 3, flow x and y


def normalisation_flops(backbone: str) -> int:
    """FLOPs a value of the backbone's input normalisation: 'tf' x / 127.5 - 1 is 2, 'caffe'
    (the mean subtraction after the channel swap) is 1."""
    return 2 if PREPROCESSING_MODES[backbone] == "tf" else 1


def test_views_count(num_snippets: int, image_size: int, backbone: str,
                     num_views: int = NUM_TEST_VIEWS) -> Count:
    """`TestViews` for one video: [T, H, W] uint8 frames -> V views [T, S, S, 3] per stream."""
    per_pixel = (_CHANNELS * _BILINEAR_FLOPS + 1 + 4 + 6 * normalisation_flops(backbone))
    pixels = num_views * num_snippets * image_size * image_size
    return Count(flops=pixels * per_pixel, transcendentals=pixels)


def view_averaging_count(num_classes: int, num_snippets: int, attention: bool,
                         num_views: int = NUM_TEST_VIEWS) -> Count:
    """`ViewAveraging` for one video: the V views' scores -> the video's."""
    averaged = 3 * num_classes + (2 * num_snippets * num_snippets if attention else 0)
    return 2 * num_views * softmax(1, num_classes) + Count(flops=num_views * averaged)

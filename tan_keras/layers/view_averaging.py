"""The test protocol's last step inside the model: a video's scores averaged over its views."""

import keras
from keras import ops

from tan_keras.protocol import NUM_TEST_VIEWS


@keras.saving.register_keras_serializable(package="tan_keras")
class ViewAveraging(keras.layers.Layer):
    """Averages the scores of each video's consecutive views, as the paper's protocol does.

    1. 'spatial' and 'temporal' logits [B * V, C] -> softmax -> mean over the V views [B, C];
    2. 'fused' probabilities [B * V, C] -> mean over the views [B, C];
    3. 'alpha' and 'beta' [B * V, T, T], when given -> mean over the views [B, T, T].

    It also carries, in its config, what a saved model needs to be used on a new video: the class
    names (index = label) and the settings of the frames it was trained on (`frame_settings`:
    frame size, flow bound and format, positions a video, ...). `tan-predict` and the exports
    read them from here. It is the protocol's one definition of the averaging: the in-model
    evaluation (`tan_keras.models.preprocessed.evaluation_model`) ends with it, and
    `tan_keras.evaluation.score_videos` calls it on a float model's outputs.

    Args:
      num_views: V, the views of a video (`tan_keras.protocol.NUM_TEST_VIEWS`, what
        `TestViews` makes).
      classes: the class names, index = label (may be empty).
      frame_settings: a JSON-ready dict describing the frames (may be empty).

    Call arguments:
      inputs: {'spatial', 'temporal', 'fused'} [B * V, C] and optionally 'alpha', 'beta'.

    Returns:
      The same keys: probabilities [B, C] (float32), and alpha, beta [B, T, T].
    """

    def __init__(self, num_views: int = NUM_TEST_VIEWS, classes=(), frame_settings=None,
                 **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if not isinstance(num_views, int) or num_views < 1:
            raise ValueError(f"Expected `num_views` to be a positive integer. "
                             f"Received: num_views={num_views!r}")
        self.num_views = num_views
        self.classes = [str(name) for name in classes]
        self.frame_settings = dict(frame_settings or {})

    def _mean_over_views(self, values):
        shape = (-1, self.num_views) + tuple(values.shape[1:])
        return ops.mean(ops.reshape(ops.cast(values, "float32"), shape), axis=1)

    def call(self, inputs):
        outputs = {name: self._mean_over_views(ops.softmax(ops.cast(inputs[name], "float32")))
                   for name in ("spatial", "temporal")}
        outputs["fused"] = self._mean_over_views(inputs["fused"])
        for name in ("alpha", "beta"):
            if name in inputs:
                outputs[name] = self._mean_over_views(inputs[name])
        return outputs

    def compute_output_shape(self, input_shape):
        def per_video(shape):
            batch = None if shape[0] is None else shape[0] // self.num_views
            return (batch,) + tuple(shape[1:])
        return {name: per_video(shape) for name, shape in input_shape.items()}

    def get_config(self):
        config = super().get_config()
        config.update({"num_views": self.num_views, "classes": list(self.classes),
                       "frame_settings": dict(self.frame_settings)})
        return config

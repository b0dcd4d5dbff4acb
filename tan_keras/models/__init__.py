"""TAN and the paper's baselines, as functional Keras models (any Keras backend).

Every model of `build_model` takes {'rgb': [B, T, S, S, 3], 'flow': [B, T, S, S, 3]} float
frames and returns {'spatial': logits [B, C], 'temporal': logits [B, C], 'fused': probabilities
[B, C]}. `training_model` and `evaluation_model` wrap one of them for uint8 frames, with the
crops, flips, flow image and normalisation (or the 10 test views) inside.
"""

from tan_keras.models.inspection import (attention_model, copy_weights_except_classifiers,
                                         stream_backbones)
from tan_keras.models.joint_fusion import build_branch_selection, build_bs_l2, build_fc_fusion
from tan_keras.models.preprocessed import evaluation_model, training_model
from tan_keras.models.registry import available_models, build_model
from tan_keras.models.soft_attention import build_soft_attention
from tan_keras.models.spatial_attention import build_spatial_attention
from tan_keras.models.tan import build_tan
from tan_keras.models.training import compile_for_training, has_learned_fusion, training_targets
from tan_keras.models.two_stream import build_two_stream

__all__ = [
    "build_tan", "build_two_stream", "build_fc_fusion", "build_branch_selection", "build_bs_l2",
    "build_spatial_attention", "build_soft_attention", "build_model", "available_models",
    "compile_for_training", "training_targets", "has_learned_fusion", "attention_model",
    "stream_backbones", "copy_weights_except_classifiers", "training_model", "evaluation_model",
]

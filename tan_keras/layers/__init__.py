"""Keras layers of TAN, written with `keras.ops` only (TensorFlow and JAX backends).

  TemporalAttention: equations 1-5 (cross-branch temporal attention, alpha and beta).
  RecurrentWithStates: LSTM/GRU returning outputs h and cell states s at every step.
  FoldSnippets / UnfoldSnippets: [B, T, ...] <-> [B * T, ...] around a per-frame CNN.
  LastSnippet: [B, T, ...] -> [B, ...], the step j = T.
  SpatialAttentionPooling: attention over feature-map locations (spatial-attention baseline).
  SoftAttentionLSTM: an LSTM over feature maps pooled by attention from h_{t-1} (soft attention).
  GatedFusion: per-clip gated mix of the branches' probabilities (branch-selection baselines).
  ClipPreprocessing: uint8 training clips -> cropped, resized, flipped, normalised streams,
    inside the model (one crop and flip per clip, drawn by the input pipeline).
  TestViews: uint8 videos -> the 10 test views of each, the same steps (`tan_keras.protocol`).
  ViewAveraging: a video's scores averaged over its views (and the class names it carries).
"""

from tan_keras.layers.clip_preprocessing import ClipPreprocessing
from tan_keras.layers.gated_fusion import GatedFusion
from tan_keras.layers.recurrent import RNN_TYPES, RecurrentWithStates
from tan_keras.layers.snippets import FoldSnippets, LastSnippet, UnfoldSnippets
from tan_keras.layers.soft_attention_lstm import SoftAttentionLSTM
from tan_keras.layers.spatial_attention_pooling import SpatialAttentionPooling
from tan_keras.layers.temporal_attention import TemporalAttention
from tan_keras.layers.test_views import TestViews
from tan_keras.layers.view_averaging import ViewAveraging

__all__ = ["TemporalAttention", "RecurrentWithStates", "RNN_TYPES", "FoldSnippets",
           "UnfoldSnippets", "LastSnippet", "SpatialAttentionPooling", "SoftAttentionLSTM",
           "GatedFusion", "ClipPreprocessing", "TestViews", "ViewAveraging"]

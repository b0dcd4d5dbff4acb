"""tan-keras: the Temporal Attentive Network (ICME 2018) in Keras 3.

Subpackages:
  layers: `TemporalAttention` (equations 1-5) and a recurrent layer that returns cell states.
  backbones: per-frame CNNs (GoogLeNet / Inception-v1, keras.applications, a tiny CNN).
  models: `build_tan` and the baselines of the paper's Table 3, Fig. 3 and Table 4.
  data: tf.data input over the records that `data_prep` writes.
"""

__version__ = "0.1.0"

"""tan-keras: the Temporal Attentive Network (ICME 2018) in Keras 3, on TensorFlow or JAX.

Subpackages:
  layers: `TemporalAttention` (equations 1-5) with its scoring hook, the recurrent layer that
    returns cell states, the in-model preprocessing (training crops, the 10 test views) and the
    small layers the baselines use. `keras.ops` only.
  backbones: per-frame CNNs (GoogLeNet / Inception-v1 with its TF-Slim checkpoint converter,
    keras.applications, a tiny CNN for tests) and their input normalisation.
  models: `build_tan`, the paper's baselines (Tables 3 and 4, Fig. 3), `build_model` by name,
    the training compile, and the uint8-frame wrappers `training_model` / `evaluation_model`.
  data: tf.data input over a records directory (data_prep's records or a TFDS build): TSN
    sampling and augmentation, the 10-view test protocol, corrupt-record handling, distribution.
  training: the stages as library functions (`pretrain_cnn`, `train_tan`), their settings,
    workspace layout, resumable epoch loop, optimizers, initialisation and placement on devices.
  evaluation: stage 3 (`evaluate`), the test protocol over a trained run, metrics, score files
    and late fusion.
  reproduction: the paper's Section 3, every table and figure (`reproduce`; 'all' also writes
    report.md), with the published numbers beside ours.
  inference: a trained run as one video-to-scores model: export, load, predict, the figure.
  model_card: parameters and FLOPs of a model part by part, per view and per 10-view video,
    the TV-L1 flow's cost, and XLA's own count beside ours (`model_card`, `run_model_card`).

Modules:
  errors: the exceptions for bad input a user can fix (`InputError` and its kinds).
  choices: the names the commands offer (backbones, models, ...), importable without Keras.
  presets: the model's sizes and the training presets as data ('paper', the defaults;
    'quickstart'; 'tiny'), the one place each is written (no Keras).
  protocol: the sampling and test protocol, defined once (no TensorFlow): segments, test
    positions, crop scales, locations and windows, the 10 test views.
  record_format: the on-disk record format shared by data_prep (the writer) and `data`, and the
    one manifest reader.
  frame_settings: `FrameSettings`, the stored frames' height, width, flow format, ... (no
    TensorFlow), what a new video must match.

The library knows nothing of the command line: it imports no absl and defines no flag, and its
messages name its arguments (`Received: batch_size=4`), never a command or a flag (the commands
in `experiments/` translate them, `experiments/cli.py`). Importing it leaves matplotlib's backend
alone: its figures are drawn on `matplotlib.figure.Figure` objects, without pyplot.
"""

__version__ = "0.1.0"

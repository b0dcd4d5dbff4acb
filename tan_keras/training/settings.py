"""What a training stage is run with, as data: `TrainingSettings`, `ModelOptions`, `RunOptions`.

The three are frozen dataclasses, validated when made, and importable without Keras or
TensorFlow: the commands take their flags' defaults and limits from these classes (through
`check_field`) and from the backbone table in `tan_keras.choices`, so each default and each limit
is written once. The defaults are the "paper" preset of `tan_keras.presets`, where every preset's
values are written; `TrainingSettings.preset(name)` and `ModelOptions.preset(name)` give any of
them.

- `TrainingSettings`: the hyperparameters settings.json records and a resumed run must match.
- `ModelOptions`: the model's sizes.
- `RunOptions`: how this run executes (devices, precision, XLA, progress), which a resumed run may
  change, except the precision that settings.json records.
"""

import dataclasses

from tan_keras import choices, presets
from tan_keras.errors import IncompatibleInputError


def _positive_int(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise IncompatibleInputError(f"Expected {name} to be a positive int. "
                                     f"Received: {name}={value!r}")


def _non_negative_int(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise IncompatibleInputError(f"Expected {name} to be an int >= 0. "
                                     f"Received: {name}={value!r}")


def _one_of(name: str, value, allowed) -> None:
    if value not in allowed:
        raise IncompatibleInputError(f"Expected {name} in {allowed}. Received: {name}={value!r}")


def _interval(name: str, value, low: float, high: float | None = None,
              low_open: bool = False, high_open: bool = True) -> None:
    above = value > low if low_open else value >= low
    below = high is None or (value < high if high_open else value <= high)
    if not (above and below):
        interval = (f"{'(' if low_open else '['}{low:g}, "
                    + (f"{high:g}{')' if high_open else ']'}" if high is not None else "inf)"))
        raise IncompatibleInputError(f"Expected {name} in {interval}. Received: {name}={value!r}")


class _Checked:
    """Validation by field, shared by the settings classes: `_CHECKS` maps a field to its rule."""

    _CHECKS: dict = {}

    @classmethod
    def check_field(cls, name: str, value) -> None:
        """Raises IncompatibleInputError when `value` is not a valid `name` on its own."""
        cls._CHECKS[name](name, value)

    def __post_init__(self):
        for field in dataclasses.fields(self):
            self.check_field(field.name, getattr(self, field.name))

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict):
        """The instance of the known keys of `values` (others, such as a newer field, ignored)."""
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})

    @classmethod
    def defaults(cls) -> dict:
        """{field: default}: what the commands' flags default to."""
        return {f.name: f.default for f in dataclasses.fields(cls)}


@dataclasses.dataclass(frozen=True)
class TrainingSettings(_Checked):
    """Hyperparameters of one training stage.

    Attributes:
      backbone: per-frame CNN, one of `tan_keras.choices.BACKBONES`.
      image_size: S, the side of the square crops fed to the CNN; at least the backbone's
        `choices.MIN_IMAGE_SIZE`.
      num_snippets: T, snippets per video.
      epochs: passes over the training videos.
      batch_size: videos per step, over all replicas (pretrain_cnn too; each video gives T
        frames).
      learning_rate: base learning rate; see `optimizers.learning_rate_at`.
      momentum: SGD momentum.
      weight_decay: decoupled weight decay (0 disables it).
      seed: seeds the data order, augmentation and initialisation.
      imagenet_weights: where ImageNet weights come from for init='imagenet' and pretrain_cnn:
        None = the backbone's default ('imagenet' for the Keras applications); googlenet needs
        a path (the TF-Slim inception_v1.ckpt, or a .weights.h5).
      optimizer: 'sgd' (SGD with `momentum`) or 'adam' (`optimizers.make_optimizer`).
      lr_schedule: 'step' (x0.1 at 50% and 75% of the epochs) or 'constant'
        (`optimizers.learning_rate_at`).

    Example:

    >>> settings = TrainingSettings.preset("paper", epochs=2)
    >>> settings.backbone, settings.num_snippets, settings.optimizer, settings.epochs
    ('googlenet', 5, 'sgd', 2)
    """

    backbone: str = presets.PAPER.backbone
    image_size: int = presets.PAPER.image_size
    num_snippets: int = presets.PAPER.num_snippets
    epochs: int = presets.PAPER_OPTIMISATION.epochs
    batch_size: int = presets.PAPER_OPTIMISATION.batch_size
    learning_rate: float = presets.PAPER_OPTIMISATION.learning_rate
    momentum: float = presets.PAPER_OPTIMISATION.momentum
    weight_decay: float = presets.PAPER_OPTIMISATION.weight_decay
    seed: int = presets.PAPER_OPTIMISATION.seed
    imagenet_weights: str | None = presets.PAPER_OPTIMISATION.imagenet_weights
    optimizer: str = presets.PAPER_OPTIMISATION.optimizer
    lr_schedule: str = presets.PAPER_OPTIMISATION.lr_schedule

    _CHECKS = {
        "backbone": lambda n, v: _one_of(n, v, choices.BACKBONES),
        "image_size": _positive_int, "num_snippets": _positive_int, "epochs": _positive_int,
        "batch_size": _positive_int,
        "learning_rate": lambda n, v: _interval(n, v, 0, low_open=True),
        "momentum": lambda n, v: _interval(n, v, 0, 1),
        "weight_decay": lambda n, v: _interval(n, v, 0),
        "seed": _non_negative_int,
        "imagenet_weights": lambda n, v: None,
        "optimizer": lambda n, v: _one_of(n, v, choices.OPTIMIZERS),
        "lr_schedule": lambda n, v: _one_of(n, v, choices.LR_SCHEDULES),
    }

    def __post_init__(self):
        super().__post_init__()
        check_image_size(self.backbone, self.image_size)

    @classmethod
    def preset(cls, name: str, **overrides) -> "TrainingSettings":
        """The settings of preset `name` (`tan_keras.presets.PRESET_NAMES`), with `overrides` on
        top."""
        _check_preset(name)
        return cls(**{**PRESETS[name], **overrides})

    @classmethod
    def from_dict(cls, values: dict) -> "TrainingSettings":
        """The settings a settings.json's "training" holds (optimizer and lr_schedule, which
        runs before them kept beside it, default to 'sgd' and 'step', the values of those runs'
        defaults; `stage_files.upgrade_settings` moves them in)."""
        return super().from_dict(values)


def check_image_size(backbone: str, image_size: int) -> None:
    """Raises unless `image_size` is at least the smallest input `backbone` takes."""
    smallest = choices.MIN_IMAGE_SIZE[backbone]
    if image_size < smallest:
        raise IncompatibleInputError(
            f"Expected image_size >= {smallest} for backbone={backbone!r}. "
            f"Received: image_size={image_size}")


def _check_preset(name: str) -> None:
    _one_of("preset", name, presets.PRESET_NAMES)


_TRAINING_FIELDS = ("backbone", "image_size", "num_snippets")
# {preset: the `TrainingSettings` fields it sets}, read from `tan_keras.presets` (where each
# preset and the reading behind it are written): the architecture's backbone, S and T, and the
# optimisation. The "paper" preset is the defaults.
PRESETS = {name: {**{field: getattr(presets.ARCHITECTURES[name], field)
                     for field in _TRAINING_FIELDS},
                  **presets.OPTIMISATIONS[name].to_dict()}
           for name in presets.PRESET_NAMES}


@dataclasses.dataclass(frozen=True)
class ModelOptions(_Checked):
    """The model's sizes (the paper gives none of them; the defaults are the "paper" preset's of
    `tan_keras.presets`, our reading).

    Attributes:
      rnn: 'lstm' (s = the cell state, the reading of equations 1-2) or 'gru' (s = h).
      rnn_units: U, the recurrent state size of each branch.
      attention_units: size of TAN's global states m and n.
      dropout: rate before the recurrent layers and before the classifiers.

    Example:

    >>> ModelOptions(rnn="gru", rnn_units=16).to_dict()["rnn_units"]
    16
    """

    rnn: str = presets.PAPER.rnn
    rnn_units: int = presets.PAPER.rnn_units
    attention_units: int = presets.PAPER.attention_units
    dropout: float = presets.PAPER.dropout

    _CHECKS = {
        "rnn": lambda n, v: _one_of(n, v, choices.RNN_TYPES),
        "rnn_units": _positive_int, "attention_units": _positive_int,
        "dropout": lambda n, v: _interval(n, v, 0, 1),
    }

    @classmethod
    def preset(cls, name: str, **overrides) -> "ModelOptions":
        """The sizes of preset `name` (`tan_keras.presets.PRESET_NAMES`), with `overrides` on
        top."""
        _check_preset(name)
        architecture = presets.ARCHITECTURES[name]
        sizes = {f.name: getattr(architecture, f.name) for f in dataclasses.fields(cls)}
        return cls(**{**sizes, **overrides})


@dataclasses.dataclass(frozen=True)
class RunOptions(_Checked):
    """How a stage runs: devices, precision, XLA and progress output.

    Attributes:
      strategy: 'default' (one device), 'mirrored' (this machine's devices) or 'multi_worker'
        (several processes; `distribution.join_cluster()` first, and only the chief writes);
        see `distribution.place`. The global batch, `TrainingSettings.batch_size`, divides by
        the replicas.
      mixed_precision: mixed_float16 on GPU, mixed_bfloat16 on CPU. settings.json records it: a
        resumed run keeps it.
      jit_compile: TensorFlow: compile the train step with XLA (on JAX it always is,
        `runtime.compile_options`).
      verbose: Keras progress (1: a bar, 2: one line per epoch, 0: none).
      run_eagerly: Keras' `run_eagerly`: the train step runs op by op, untraced. For debugging a
        step, and for tiny runs, where tracing the step takes longer than the steps (the
        project's tests of the commands use it). Not with `jit_compile`; on JAX every op
        compiles on its own, which is slow.

    Example:

    >>> RunOptions(strategy="mirrored", verbose=2).jit_compile
    False
    """

    strategy: str = "default"
    mixed_precision: bool = False
    jit_compile: bool = False
    verbose: int = 1
    run_eagerly: bool = False

    _CHECKS = {
        "strategy": lambda n, v: _one_of(n, v, choices.STRATEGIES),
        "mixed_precision": lambda n, v: _one_of(n, v, (False, True)),
        "jit_compile": lambda n, v: _one_of(n, v, (False, True)),
        "verbose": lambda n, v: _one_of(n, v, (0, 1, 2)),
        "run_eagerly": lambda n, v: _one_of(n, v, (False, True)),
    }

    def __post_init__(self):
        super().__post_init__()
        if self.run_eagerly and self.jit_compile:
            raise IncompatibleInputError("Expected at most one of run_eagerly and jit_compile. "
                                         "Received: run_eagerly=True, jit_compile=True")

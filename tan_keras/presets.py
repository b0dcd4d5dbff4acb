"""The model's sizes and the training presets, as data: the one place each value is written.

An architecture is what fixes a model's shapes: the backbone, T, S, the recurrent layer and its
sizes, the dropout. A training preset is an architecture plus the optimisation settings. Every
reader takes its values from here:

- the builders' defaults (`tan_keras.models.build_tan` and the baselines) are `PAPER`'s fields;
- `TrainingSettings` and `ModelOptions` default to the "paper" preset, and
  `TrainingSettings.preset(name)` / `ModelOptions.preset(name)` give any other;
- the commands' flags default to the dataclasses' defaults, and `--preset` starts from a preset.

So the defaults *are* the "paper" preset; `--preset=paper` only says so explicitly (on top of a
flag file that says otherwise, say). Nothing here imports Keras or TensorFlow.

Presets:
  paper       GoogLeNet, T = 5, 224 x 224 crops, LSTM of 512 units, attention states of 256,
              dropout 0.5; SGD (momentum 0.9, weight decay 5e-4) from 1e-3, x0.1 at 50% and 75%
              of 20 epochs, batches of 8. The paper gives the backbone, T, S and the recurrent
              layer; the other sizes and the schedule are our reading (docs/paper_readings.md).
  quickstart  the quickstart's tiny CNN at 32 px, T = 5, LSTM 64, attention 32, dropout 0.2;
              Adam at a constant 3e-3 for 25 epochs, batches of 16 (docs/quickstart.md).
  tiny        the tiny CNN at 32 px, T = 3, LSTM 16, attention 8, dropout 0.5; SGD as the paper's
              for one epoch of batches of 3 at 1e-2: the smallest model that runs every stage,
              for tests and CPU smoke runs.
"""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Architecture:
    """The sizes that fix a model's shapes.

    Attributes:
      backbone: per-frame CNN, one of `tan_keras.choices.BACKBONES`.
      num_snippets: T, snippets per clip.
      image_size: S, the side of the square crops fed to the CNN.
      rnn: 'lstm' (s = the cell state, the reading of equations 1-2) or 'gru' (s = h).
      rnn_units: U, the recurrent state size of each branch.
      attention_units: size of TAN's global states m and n (and of the attention baselines'
        hidden layer).
      dropout: rate before the recurrent layers and before the classifiers.

    Example:

    >>> ARCHITECTURES["paper"].backbone, ARCHITECTURES["paper"].num_snippets
    ('googlenet', 5)
    """

    backbone: str
    num_snippets: int
    image_size: int
    rnn: str
    rnn_units: int
    attention_units: int
    dropout: float

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Optimisation:
    """How a preset trains (the fields of `TrainingSettings` that are not the architecture's).

    Attributes: as `tan_keras.training.TrainingSettings`.
    """

    epochs: int
    batch_size: int
    learning_rate: float
    momentum: float
    weight_decay: float
    optimizer: str
    lr_schedule: str
    seed: int = 0
    imagenet_weights: str | None = None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


ARCHITECTURES = {
    "paper": Architecture(backbone="googlenet", num_snippets=5, image_size=224, rnn="lstm",
                          rnn_units=512, attention_units=256, dropout=0.5),
    "quickstart": Architecture(backbone="tiny", num_snippets=5, image_size=32, rnn="lstm",
                               rnn_units=64, attention_units=32, dropout=0.2),
    "tiny": Architecture(backbone="tiny", num_snippets=3, image_size=32, rnn="lstm",
                         rnn_units=16, attention_units=8, dropout=0.5),
}
OPTIMISATIONS = {
    "paper": Optimisation(epochs=20, batch_size=8, learning_rate=0.001, momentum=0.9,
                          weight_decay=0.0005, optimizer="sgd", lr_schedule="step"),
    "quickstart": Optimisation(epochs=25, batch_size=16, learning_rate=0.003, momentum=0.9,
                               weight_decay=0.0, optimizer="adam", lr_schedule="constant"),
    "tiny": Optimisation(epochs=1, batch_size=3, learning_rate=0.01, momentum=0.9,
                         weight_decay=0.0005, optimizer="sgd", lr_schedule="step"),
}
PRESET_NAMES = tuple(ARCHITECTURES)
# The defaults of every builder, settings class and flag.
PAPER = ARCHITECTURES["paper"]
PAPER_OPTIMISATION = OPTIMISATIONS["paper"]

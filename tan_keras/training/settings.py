"""Training hyperparameters shared by the stages."""

import dataclasses

from tan_keras import choices


@dataclasses.dataclass(frozen=True)
class TrainingSettings:
    """Hyperparameters of one training stage.

    Attributes:
      backbone: per-frame CNN, one of `tan_keras.choices.BACKBONES`.
      image_size: S, the side of the square crops fed to the CNN.
      num_snippets: T, snippets per video.
      epochs: passes over the training videos.
      batch_size: videos per step (pretrain_cnn: videos per step too; each gives T frames).
      learning_rate: base learning rate; see `optimizers.learning_rate_at`.
      momentum: SGD momentum.
      weight_decay: decoupled weight decay (0 disables it).
      seed: seeds the data order, augmentation and initialisation.
      imagenet_weights: where ImageNet weights come from for --init=imagenet and pretrain_cnn:
        None = the backbone's default ('imagenet' for the Keras applications); googlenet needs
        a path (the TF-Slim inception_v1.ckpt, or a .weights.h5).
    """

    backbone: str = "googlenet"
    image_size: int = 224
    num_snippets: int = 5
    epochs: int = 20
    batch_size: int = 8
    learning_rate: float = 0.001
    momentum: float = 0.9
    weight_decay: float = 0.0005
    seed: int = 0
    imagenet_weights: str | None = None

    def __post_init__(self):
        if self.backbone not in choices.BACKBONES:
            raise ValueError(f"Expected backbone in {choices.BACKBONES}. "
                             f"Received: backbone={self.backbone!r}")
        for field in ("image_size", "num_snippets", "epochs", "batch_size"):
            value = getattr(self, field)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"Expected {field} to be a positive int. Received: {field}={value!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"Expected learning_rate > 0. Received: learning_rate={self.learning_rate}")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"Expected 0 <= momentum < 1. Received: momentum={self.momentum}")
        if self.weight_decay < 0:
            raise ValueError(f"Expected weight_decay >= 0. Received: weight_decay={self.weight_decay}")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "TrainingSettings":
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


@dataclasses.dataclass(frozen=True)
class ModelOptions:
    """The model's sizes (the paper gives none of them; these defaults are ours).

    Attributes:
      rnn: 'lstm' (s = the cell state, the reading of equations 1-2) or 'gru' (s = h).
      rnn_units: U, the recurrent state size of each branch.
      attention_units: size of TAN's global states m and n.
      dropout: rate before the recurrent layers and before the classifiers.
    """

    rnn: str = "lstm"
    rnn_units: int = 512
    attention_units: int = 256
    dropout: float = 0.5

    def __post_init__(self):
        if self.rnn not in choices.RNN_TYPES:
            raise ValueError(f"Expected rnn in {choices.RNN_TYPES}. Received: rnn={self.rnn!r}")
        for field in ("rnn_units", "attention_units"):
            value = getattr(self, field)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"Expected {field} to be a positive int. Received: {field}={value!r}")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"Expected 0 <= dropout < 1. Received: dropout={self.dropout}")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

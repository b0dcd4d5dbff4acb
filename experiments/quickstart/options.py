"""The sizes of a quickstart run, validated before anything is generated or computed."""

import dataclasses

from tan_keras import choices
from tan_keras.presets import ARCHITECTURES, OPTIMISATIONS

_MODEL = ARCHITECTURES["quickstart"]
_TRAINING = OPTIMISATIONS["quickstart"]


@dataclasses.dataclass(frozen=True)
class QuickstartOptions:
    """Sizes of a quickstart run. The model's sizes and the training are the "quickstart" preset
    of `tan_keras.presets`.

    Attributes:
      train_videos_per_class, test_videos_per_class: videos generated per class.
      frames_per_segment: frames in each of the T = 5 segments.
      positions_per_segment: data_prep stores K = 5 x this evenly spaced positions. With 10
        frames and 3 positions per segment, each segment holds exactly 3 stored positions and
        none is a segment's last frame (whose flow crosses into the next segment), so every
        snippet the reader samples lies in one segment (`pipeline.stored_positions_aligned`).
      image_size: S, the crops fed to the tiny CNN.
      epochs, batch_size, learning_rate, weight_decay: training of each model.
      optimizer, lr_schedule, momentum: train_tan's --optimizer ('adam' or 'sgd'; momentum is
        SGD's only) and --lr_schedule ('constant' or 'step'). Adam at a constant rate is the
        default here: small models trained from scratch leave the plateau of uniform attention
        faster with Adam's per-weight steps, and a rate cut halfway can land before the jump
        (docs/quickstart.md). With 25 epochs, TAN's training accuracy reaches 1.0 at epoch 11 to
        13 on seeds 0, 1 and 2.
      rnn_units, attention_units, dropout: model sizes.
      seed: seeds the dataset and the training.
      num_workers: data_prep processes.
    """

    train_videos_per_class: int = 60
    test_videos_per_class: int = 12
    frames_per_segment: int = 10
    positions_per_segment: int = 3
    image_size: int = _MODEL.image_size
    epochs: int = _TRAINING.epochs
    batch_size: int = _TRAINING.batch_size
    learning_rate: float = _TRAINING.learning_rate
    optimizer: str = _TRAINING.optimizer
    lr_schedule: str = _TRAINING.lr_schedule
    momentum: float = _TRAINING.momentum
    weight_decay: float = _TRAINING.weight_decay
    rnn_units: int = _MODEL.rnn_units
    attention_units: int = _MODEL.attention_units
    dropout: float = _MODEL.dropout
    seed: int = _TRAINING.seed
    num_workers: int = 2

    def __post_init__(self):
        for field in ("train_videos_per_class", "test_videos_per_class", "frames_per_segment",
                      "positions_per_segment", "epochs", "batch_size", "rnn_units",
                      "attention_units", "num_workers"):
            value = getattr(self, field)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"Expected {field} to be a positive int. Received: {field}={value!r}")
        if self.image_size < choices.MIN_IMAGE_SIZE["tiny"]:
            raise ValueError(f"Expected image_size >= {choices.MIN_IMAGE_SIZE['tiny']} (the tiny "
                             f"CNN). Received: image_size={self.image_size}")
        if self.positions_per_segment > self.frames_per_segment:
            raise ValueError("Expected positions_per_segment <= frames_per_segment. Received: "
                             f"{self.positions_per_segment} > {self.frames_per_segment}")
        if not self.learning_rate > 0 or self.weight_decay < 0 or not 0 <= self.dropout < 1:
            raise ValueError("Expected learning_rate > 0, weight_decay >= 0 and 0 <= dropout < 1. "
                             f"Received: {self.learning_rate}, {self.weight_decay}, {self.dropout}")
        if self.optimizer not in choices.OPTIMIZERS or self.lr_schedule not in choices.LR_SCHEDULES:
            raise ValueError(f"Expected optimizer in {choices.OPTIMIZERS} and lr_schedule in "
                             f"{choices.LR_SCHEDULES}. Received: {self.optimizer!r}, "
                             f"{self.lr_schedule!r}")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


SMOKE_OPTIONS = QuickstartOptions(train_videos_per_class=4, test_videos_per_class=2, epochs=1,
                                  batch_size=8)

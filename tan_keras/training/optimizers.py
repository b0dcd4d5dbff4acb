"""The optimizers and learning-rate schedules of the training stages.

The paper names neither. SGD with momentum is the two-stream convention and the default. The
default schedule is a step decay, the usual choice for two-stream training (TSN): the base rate
for the first half of the epochs, a tenth of it until three quarters, a hundredth after. It
depends only on the epoch index, so a resumed run gets the same rates. Adam at a constant rate
is offered for small models trained from scratch (the quickstart; docs/quickstart.md says why).
"""

import keras

from tan_keras.choices import LR_SCHEDULES, OPTIMIZERS


def step_decay_learning_rate(epoch: int, base_learning_rate: float, epochs: int,
                             decay_at: tuple[float, ...] = (0.5, 0.75),
                             factor: float = 0.1) -> float:
    """The learning rate of 0-based `epoch` out of `epochs`.

    lr = base_learning_rate * factor ** (number of boundaries round(f * epochs) <= epoch),
    counting only boundaries > 0, so a 1-epoch run trains at the base rate.
    """
    if epochs < 1 or not 0 <= epoch < epochs:
        raise ValueError(f"Expected 0 <= epoch < epochs. Received: epoch={epoch}, epochs={epochs}")
    boundaries = [int(round(fraction * epochs)) for fraction in decay_at]
    passed = sum(1 for boundary in boundaries if 0 < boundary <= epoch)
    return float(base_learning_rate * factor ** passed)


def learning_rate_at(epoch: int, base_learning_rate: float, epochs: int,
                     lr_schedule: str = "step") -> float:
    """The rate of 0-based `epoch`: 'step' (`step_decay_learning_rate`) or 'constant'."""
    if lr_schedule not in LR_SCHEDULES:
        raise ValueError(f"Expected lr_schedule in {LR_SCHEDULES}. "
                         f"Received: lr_schedule={lr_schedule!r}")
    if lr_schedule == "constant":
        return float(base_learning_rate)
    return step_decay_learning_rate(epoch, base_learning_rate, epochs)


def make_optimizer(settings) -> keras.optimizers.Optimizer:
    """The optimizer of a stage, from a `TrainingSettings`: `settings.optimizer`.

    'sgd': SGD with `settings.momentum` and decoupled weight decay `settings.weight_decay` (0
    disables it). 'adam': Keras' Adam (its default betas and epsilon) with the same weight decay;
    `settings.momentum` is not used. Both start at `settings.learning_rate`; the schedule
    (`learning_rate_at` with `settings.lr_schedule`) sets the rate every epoch.
    """
    if settings.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=settings.learning_rate,
                                    momentum=settings.momentum,
                                    weight_decay=settings.weight_decay or None)
    if settings.optimizer == "adam":
        return keras.optimizers.Adam(learning_rate=settings.learning_rate,
                                     weight_decay=settings.weight_decay or None)
    raise ValueError(f"Expected optimizer in {OPTIMIZERS}. "
                     f"Received: optimizer={settings.optimizer!r}")

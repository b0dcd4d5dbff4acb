"""The learning-rate schedule of every training stage.

The paper gives none. We use a step decay, the usual choice for two-stream training (TSN):
the base rate for the first half of the epochs, a tenth of it until three quarters, a hundredth
after. It depends only on the epoch index, so a resumed run gets the same rates.
"""


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

"""The tiny settings every training test shares: a tiny CNN, 32 px, 3 snippets, one epoch.

`tiny_settings(**overrides)` and `TINY_MODEL` for the library; `tiny_flags(**overrides)` and
`TINY_MODEL_FLAGS` are the same values as a command's flags, so a test of a command and a test of
the library train the same run.
"""

from tan_keras.training.settings import PRESETS, ModelOptions, RunOptions, TrainingSettings

# The "tiny" preset (tan_keras.presets) with seed 3: the fields that differ from the defaults,
# which the commands' tests pass as flags.
TINY_TRAINING = {**{name: PRESETS["tiny"][name] for name in (
    "backbone", "image_size", "num_snippets", "epochs", "batch_size", "learning_rate")}, "seed": 3}
TINY_MODEL = ModelOptions.preset("tiny")
QUIET = RunOptions(verbose=0)
QUIET_EAGER = RunOptions(verbose=0, run_eagerly=True)  # untraced tiny steps: see commands.EAGER


def tiny_settings(**overrides) -> TrainingSettings:
    """`TrainingSettings` of `TINY_TRAINING`, with `overrides` on top."""
    return TrainingSettings(**{**TINY_TRAINING, **overrides})


def tiny_flags(**overrides) -> list[str]:
    """`tiny_settings(**overrides)` as a training command's flags, quiet (--verbose=0)."""
    values = {**TINY_TRAINING, **overrides}
    return [f"--{name}={value}" for name, value in values.items()] + ["--verbose=0"]


TINY_MODEL_FLAGS = [f"--rnn_units={TINY_MODEL.rnn_units}",
                    f"--attention_units={TINY_MODEL.attention_units}"]

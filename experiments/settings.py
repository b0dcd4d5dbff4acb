"""Training hyperparameters shared by the stages, and the settings file stored beside checkpoints.

Every stage directory holds `settings.json`: what the stage was run with (dataset, classes,
backbone, image size, ...). A stage that loads another stage's weights compares the two and says
what differs, instead of failing deep inside Keras or, worse, loading silently.
"""

import dataclasses
import json
from pathlib import Path

SETTINGS_FILENAME = "settings.json"


@dataclasses.dataclass(frozen=True)
class TrainingSettings:
    """Hyperparameters of one training stage.

    Attributes:
      backbone: per-frame CNN, one of `tan_keras.backbones.available_backbones()`.
      image_size: S, the side of the square crops fed to the CNN.
      num_snippets: T, snippets per video.
      epochs: passes over the training videos.
      batch_size: videos per step (pretrain_cnn: videos per step too; each gives T frames).
      learning_rate: base learning rate of SGD; see `schedule.step_decay_learning_rate`.
      momentum: SGD momentum.
      weight_decay: decoupled weight decay of SGD (0 disables it).
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
        for field in ("image_size", "num_snippets", "epochs", "batch_size"):
            value = getattr(self, field)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"Expected {field} to be a positive int. Received: {field}={value!r}")
        if self.learning_rate <= 0:
            raise ValueError(f"Expected learning_rate > 0. Received: learning_rate={self.learning_rate}")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "TrainingSettings":
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


def write_settings(stage_dir: Path, settings: dict) -> Path:
    """Writes `settings` (JSON-serialisable) to `<stage_dir>/settings.json`."""
    stage_dir = Path(stage_dir)
    stage_dir.mkdir(parents=True, exist_ok=True)
    path = stage_dir / SETTINGS_FILENAME
    path.write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n")
    return path


def read_settings(stage_dir: Path) -> dict:
    """Reads `<stage_dir>/settings.json`; the error names the file when it is missing or broken."""
    path = Path(stage_dir) / SETTINGS_FILENAME
    if not path.is_file():
        raise FileNotFoundError(f"Expected a stage settings file at {path}. It is missing: "
                                f"{stage_dir} is not a stage directory made by experiments/.")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ValueError(f"Expected JSON in {path}. Received unreadable content: {error}") from None


def settings_differences(expected: dict, found: dict, keys) -> list[str]:
    """Lists `key: <found> there, <expected> here` for every key in `keys` whose values differ."""
    differences = []
    for key in keys:
        if expected.get(key) != found.get(key):
            differences.append(f"{key} is {found.get(key)!r} there but {expected.get(key)!r} here")
    return differences


def check_compatible(expected: dict, found: dict, keys, source: Path, purpose: str) -> None:
    """Raises a ValueError naming every differing key when `found` (stored at `source`) does not match.

    Args:
      expected: the settings of the stage that wants to load weights.
      found: the settings stored beside the weights.
      keys: the keys that must agree, e.g. ("backbone", "image_size", "num_classes").
      source: where `found` comes from, for the message.
      purpose: what the weights are for, e.g. "--init=cnn".
    """
    differences = settings_differences(expected, found, keys)
    if differences:
        raise ValueError(f"Incompatible checkpoint for {purpose}: {source} was trained with other "
                         f"settings: " + "; ".join(differences) + ".")


def open_stage(stage_dir: Path, settings: dict) -> None:
    """Records `settings` for a new stage dir, or checks that an existing one was run with them.

    A rerun with other settings would mix two runs' checkpoints; the error lists what differs
    and how to proceed.
    """
    stage_dir = Path(stage_dir)
    if not (stage_dir / SETTINGS_FILENAME).is_file():
        write_settings(stage_dir, settings)
        return
    found = read_settings(stage_dir)
    comparable = json.loads(json.dumps(settings))  # tuples -> lists, like the stored copy
    keys = sorted(set(found) | set(comparable))
    differences = settings_differences(comparable, found, keys)
    if differences:
        raise ValueError(f"{stage_dir} holds a run with other settings: " + "; ".join(differences)
                         + ". Delete that directory to start over, or choose another "
                         "--workspace (or --run_name for train_tan).")

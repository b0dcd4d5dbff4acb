"""The two bookkeeping files of every stage folder: settings.json (first) and done.json (last).

settings.json records what the stage was run with (dataset, classes, backbone, image size, ...).
A stage that loads another stage's weights compares the two and says what differs, instead of
failing deep inside Keras or, worse, loading silently. done.json marks a finished stage, which a
rerun skips.
"""

import json
import os
import shutil
import time
from pathlib import Path

from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.frame_settings import FrameSettings
from tan_keras.training import checkpoints

SETTINGS_FILENAME = "settings.json"
DONE_FILENAME = "done.json"
LOG_DIR = "logs"


def write_settings(stage_dir: Path, settings: dict) -> Path:
    """Writes `settings` (JSON-serialisable) to `<stage_dir>/settings.json`."""
    stage_dir = Path(stage_dir)
    stage_dir.mkdir(parents=True, exist_ok=True)
    path = stage_dir / SETTINGS_FILENAME
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n")
    os.replace(temporary, path)  # other processes of a run read it: never half written
    return path


def read_settings(stage_dir: Path) -> dict:
    """Reads `<stage_dir>/settings.json`; the error names the file when it is missing or broken."""
    path = Path(stage_dir) / SETTINGS_FILENAME
    if not path.is_file():
        raise MissingInputError(f"Expected a stage settings file at {path}. It is missing: "
                                f"{stage_dir} is not a stage folder made by tan_keras.training.")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise IncompatibleInputError(f"Expected JSON in {path}. Received unreadable content: "
                                     f"{error}") from None


def _flatten(values: dict, prefix: str = "") -> dict:
    """{'training': {'seed': 0}} -> {'training.seed': 0}: nested settings compared key by key."""
    flat = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def settings_differences(expected: dict, found: dict, keys=None) -> list[str]:
    """Lists `key is <found> there but <expected> here` for each differing key.

    Nested dicts are compared key by key (`training.seed`), so a message names only what
    differs. `keys` limits the comparison to those top-level keys (default: all of both).
    """
    expected = json.loads(json.dumps(expected))  # tuples -> lists, like a stored copy
    if keys is not None:
        expected = {k: expected.get(k) for k in keys}
        found = {k: found.get(k) for k in keys}
    flat_expected, flat_found = _flatten(expected), _flatten(found)
    differences = []
    for key in sorted(set(flat_expected) | set(flat_found)):
        there, here = flat_found.get(key), flat_expected.get(key)
        if there != here:
            if isinstance(there, list) and isinstance(here, list) and max(len(there), len(here)) > 8:
                differences.append(f"{key} differ ({len(there)} there, {len(here)} here)")
            else:
                differences.append(f"{key} is {there!r} there but {here!r} here")
    return differences


def check_compatible(expected: dict, found: dict, keys, source: Path, purpose: str) -> None:
    """Raises IncompatibleInputError naming every differing key when `found` does not match.

    Args:
      expected: the settings of the stage that wants to load weights.
      found: the settings stored beside the weights.
      keys: the keys that must agree, e.g. ("backbone", "image_size", "num_classes").
      source: where `found` comes from, for the message.
      purpose: what the weights are for, e.g. "init='cnn'".
    """
    differences = settings_differences(expected, found, keys)
    if differences:
        raise IncompatibleInputError(
            f"Incompatible checkpoint for {purpose}: {source} was trained with other settings: "
            + "; ".join(differences) + ".")


def upgrade_settings(found: dict) -> dict:
    """A settings.json of an earlier version in today's layout.

    Runs made before the optimizer and the schedule joined `TrainingSettings` kept them beside
    "training", at the top level; pretrain_cnn stages recorded no "mixed_precision" (they
    always ran in float32); train_tan stages recorded "frames" as {"frame_size": [width,
    height], ..., "num_snippets"} (now `FrameSettings.to_dict()`, T being recorded beside it).
    Such a file compares equal to today's settings of the same run.
    """
    found = dict(found)
    if isinstance(found.get("frames"), dict) and "frame_size" in found["frames"]:
        found["frames"] = FrameSettings.from_dict(found["frames"]).to_dict()
    if isinstance(found.get("training"), dict):
        training = dict(found["training"])
        for key in ("optimizer", "lr_schedule"):
            if key in found and key not in training:
                training[key] = found.pop(key)
        found["training"] = training
    if found.get("stage") == "pretrain_cnn":
        found.setdefault("mixed_precision", False)
    return found


def open_stage(stage_dir: Path, settings: dict, run_name_argument: str | None = "run_name",
               write: bool = True) -> bool:
    """Records `settings` for a new stage folder, or checks an existing one against them.

    Call it once the stage's inputs are validated: it is what first writes into the folder.

    - A new folder gets settings.json.
    - A folder with the same settings is resumed by the caller, or skipped when it is done. A
      settings.json of an earlier version is read in today's layout (`upgrade_settings`).
    - A folder whose earlier start finished no epoch is restarted with the new settings; one line
      says so and names what changed.
    - A folder with finished epochs and other settings is refused: mixing two runs' checkpoints
      would be silent corruption. The error names only the differing keys and how to start over.

    Args:
      stage_dir: the stage folder.
      settings: what settings.json records (JSON-serialisable).
      run_name_argument: the argument that names this stage's folder, for the message (None:
        only `workspace` does).
      write: False in the other processes of a multi-process run: they check the folder as the
        chief does, and leave the writing (settings.json, the restart's clean-up) to it.

    Returns:
      True when the stage is already finished with these settings (the caller skips it).
    """
    stage_dir = Path(stage_dir)
    if not (stage_dir / SETTINGS_FILENAME).is_file():
        if write:
            write_settings(stage_dir, settings)
        return False
    differences = settings_differences(settings, upgrade_settings(read_settings(stage_dir)))
    if not differences:
        return is_done(stage_dir)
    finished = checkpoints.completed_epochs(stage_dir)
    if finished or is_done(stage_dir):
        work = "a finished run" if is_done(stage_dir) else f"{len(finished)} finished epoch(s)"
        raise IncompatibleInputError(
            f"{stage_dir} holds {work} with other settings: " + "; ".join(differences)
            + f". To start over, delete {stage_dir}; to keep it, choose another "
            + (f"`{run_name_argument}` or `workspace`." if run_name_argument
               else "`workspace`."))
    if not write:
        return False
    print(f"note: {stage_dir} was started with other settings but finished no epoch; "
          f"restarting it with these ({'; '.join(differences)}).", flush=True)
    shutil.rmtree(stage_dir / LOG_DIR, ignore_errors=True)
    shutil.rmtree(stage_dir / checkpoints.CHECKPOINT_DIR, ignore_errors=True)
    write_settings(stage_dir, settings)
    return False


def is_done(stage_dir: Path) -> bool:
    return (Path(stage_dir) / DONE_FILENAME).is_file()


def mark_done(stage_dir: Path, summary: dict) -> Path:
    """Writes done.json (the stage's last file) with `summary` and the finishing time."""
    path = Path(stage_dir) / DONE_FILENAME
    payload = dict(summary, finished=time.strftime("%Y-%m-%d %H:%M:%S"))
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    return path

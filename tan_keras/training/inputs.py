"""The stages' view of a records directory: its manifest, training batches per epoch, test videos.

Kept in one place so the stages do not depend on the reader's keyword spelling.
"""

from pathlib import Path

from tan_keras import record_format
from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.training.settings import TrainingSettings

BUILD_RECORDS_COMMAND = ("python -m data_prep.build_records --dataset=ucf101|hmdb51|folder "
                         "--video_dir=<videos> --splits_dir=<split files> --output_dir={records_dir}")


def read_manifest(records_dir: Path) -> dict:
    """The manifest of `records_dir`; a missing one names the command that builds it.

    A prepared TFDS build (`tan_keras.data.tfds_source`) gives the same keys from its
    metadata.json: name, classes, splits (the one split it holds).
    """
    from tan_keras.data.sources import read_records_manifest

    path = Path(records_dir) / record_format.MANIFEST_FILENAME
    try:
        manifest = (read_records_manifest(str(records_dir))
                    or record_format.read_manifest(str(records_dir)))
    except FileNotFoundError:
        raise MissingInputError(
            f"No records at {records_dir}: {path.name} is missing (data_prep writes it last). "
            f"Build them with: {BUILD_RECORDS_COMMAND.format(records_dir=records_dir)}") from None
    except ValueError as error:
        raise IncompatibleInputError(str(error)) from None
    for key in ("name", "classes", "splits"):
        if key not in manifest:
            raise IncompatibleInputError(f"Expected key {key!r} in {path}. "
                                         f"Received: keys={sorted(manifest)}")
    return manifest


def split_videos(manifest: dict, split: int, subset: str, records_dir) -> list[str]:
    """Video ids of `subset` ('train' or 'test') in `split`; names the split when absent."""
    key = record_format.split_key(split)
    if key not in manifest["splits"]:
        raise IncompatibleInputError(f"Expected split {key} in the manifest of {records_dir}. "
                                     f"Received: splits={sorted(manifest['splits'])}")
    videos = manifest["splits"][key].get(subset, [])
    if not videos:
        raise IncompatibleInputError(f"Expected {subset} videos in split {key} of {records_dir}. "
                                     f"Received: none")
    return videos


def epoch_seed(seed: int, epoch: int) -> int:
    """The data seed of 0-based `epoch`: a function of the run's seed and the epoch only."""
    return int(seed) * 100_003 + int(epoch)


def frame_size(records_dir: Path, split: int) -> tuple[int, int] | None:
    """(height, width) of the stored frames of `records_dir` (one size per build)."""
    from tan_keras.data.parsing import frame_size_of
    from tan_keras.data.sources import select_side

    selection = select_side(str(records_dir), split, "train")
    return frame_size_of(selection.paths, selection.parse)


def frame_settings(manifest: dict, records_dir: Path, split: int, num_snippets: int) -> dict:
    """What the records' frames are, for a model that must see new videos the same way
    (`data_prep.model_input.FrameSettings`): frame size (width, height), positions a video,
    flow bound and format, JPEG quality, T."""
    params = manifest.get("params", {})
    height, width = frame_size(records_dir, split)
    return {"frame_size": [width, height], "positions": int(params.get("positions", 25)),
            "flow_bound": float(params.get("flow_bound", 20.0)),
            "flow_format": str(params.get("flow_format", "jpeg")),
            "jpeg_quality": int(params.get("jpeg_quality", 95)),
            "num_snippets": int(num_snippets)}


def train_batches(records_dir: Path, split: int, settings: TrainingSettings, epoch: int,
                  drop_remainder: bool = False, streams=("rgb", "flow"), input_context=None):
    """One epoch of uint8 training clips for a model with `ClipPreprocessing` in front:
    ({'rgb' [B, T, H, W, 3], 'flow_x', 'flow_y' [B, T, H, W], 'crop' [B, 4], 'flip' [B]},
    labels [B] int32), the streams asked for (`tan_keras.data.train_frames`).

    The dataset knows its length, so Keras shows it in the progress bar. A corrupt record stops
    the epoch with an error naming its shard.

    drop_remainder: drop a last, smaller batch (multi-replica runs: every replica gets B / R).
    input_context: a `tf.distribute.InputContext` in a multi-process run: this process's input
      pipeline reads its own share of the shards (`data.shard_reading.read_side`) in batches of
      B / (replicas in sync). An epoch is then (training videos // B) steps on every process,
      each pipeline starting its share over when it runs out, so that every process takes the
      same number of steps.
    """
    import tensorflow as tf

    from tan_keras import data
    from tan_keras.data.sources import select_side

    videos = len(select_side(str(records_dir), split, "train").video_ids)
    pipelines = input_context.num_input_pipelines if input_context else 1
    dataset = data.train_frames(str(records_dir), split=split, batch_size=settings.batch_size,
                                num_snippets=settings.num_snippets,
                                seed=epoch_seed(settings.seed, epoch), deterministic=True,
                                drop_remainder=drop_remainder or pipelines > 1, streams=streams,
                                input_context=input_context)
    if pipelines == 1:
        batches = (videos // settings.batch_size if drop_remainder
                   else -(-videos // settings.batch_size))
    else:
        steps = videos // settings.batch_size
        if steps == 0:
            raise IncompatibleInputError(
                f"Expected at least batch_size={settings.batch_size} training videos in split "
                f"{split} of {records_dir} for a multi-process epoch. Received: {videos}")
        batches = steps * (input_context.num_replicas_in_sync // pipelines)
        dataset = dataset.repeat().take(batches)
    return dataset.apply(tf.data.experimental.assert_cardinality(batches))


def test_batches(records_dir: Path, split: int, settings: TrainingSettings,
                 videos_per_batch: int = 4):
    """The test videos as uint8 frames of T evenly spaced positions, `videos_per_batch` at a
    time: ({'rgb', 'flow_x', 'flow_y'}, labels [B], video_ids [B]) (`data.eval_frames`)."""
    from tan_keras import data

    return data.eval_frames(str(records_dir), split=split, num_snippets=settings.num_snippets,
                            batch_size=videos_per_batch)

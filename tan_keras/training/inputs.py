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


def train_batches(records_dir: Path, split: int, settings: TrainingSettings, epoch: int,
                  drop_remainder: bool = False):
    """One epoch of ({'rgb', 'flow'}: [B, T, S, S, 3] float32, labels [B] int) batches.

    The dataset knows its length (the manifest's count of training videos), so Keras shows it
    in the progress bar. A corrupt record stops the epoch with an error naming its shard.

    drop_remainder: drop a last, smaller batch (multi-replica runs: every replica gets B / R).
    """
    import tensorflow as tf

    from tan_keras import data
    from tan_keras.data.sources import select_side

    videos = len(select_side(str(records_dir), split, "train").video_ids)
    batches = videos // settings.batch_size if drop_remainder else -(-videos // settings.batch_size)
    dataset = data.train_dataset(str(records_dir), split=split, batch_size=settings.batch_size,
                                 num_snippets=settings.num_snippets,
                                 image_size=settings.image_size, normalize=True,
                                 backbone=settings.backbone,
                                 seed=epoch_seed(settings.seed, epoch), deterministic=True,
                                 drop_remainder=drop_remainder)
    return dataset.apply(tf.data.experimental.assert_cardinality(batches))


def test_videos(records_dir: Path, split: int, settings: TrainingSettings):
    """One element per test video: ({'rgb', 'flow'}: [10, T, S, S, 3] float32, label, video_id)."""
    from tan_keras import data

    return data.eval_dataset(str(records_dir), split=split, num_snippets=settings.num_snippets,
                             image_size=settings.image_size, normalize=True,
                             backbone=settings.backbone)

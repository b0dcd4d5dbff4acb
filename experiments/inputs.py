"""The stages' view of `tan_keras.data`: training batches per epoch and test videos.

Kept in one place so the stages do not depend on the reader's keyword spelling.
"""

from pathlib import Path

from experiments.settings import TrainingSettings


def epoch_seed(seed: int, epoch: int) -> int:
    """The data seed of 0-based `epoch`: a function of the run's seed and the epoch only."""
    return int(seed) * 100_003 + int(epoch)


def train_batches(records_dir: Path, split: int, settings: TrainingSettings, epoch: int,
                  drop_remainder: bool = False):
    """One epoch of ({'rgb', 'flow'}: [B, T, S, S, 3] float32, labels [B] int) batches.

    drop_remainder: drop a last, smaller batch (multi-replica runs: every replica gets B / R).
    """
    from tan_keras import data

    return data.train_dataset(str(records_dir), split=split, batch_size=settings.batch_size,
                              num_snippets=settings.num_snippets,
                              image_size=settings.image_size, normalize=True,
                              backbone=settings.backbone, seed=epoch_seed(settings.seed, epoch),
                              deterministic=True, drop_remainder=drop_remainder)


def test_videos(records_dir: Path, split: int, settings: TrainingSettings):
    """One element per test video: ({'rgb', 'flow'}: [10, T, S, S, 3] float32, label, video_id)."""
    from tan_keras import data

    return data.eval_dataset(str(records_dir), split=split, num_snippets=settings.num_snippets,
                             image_size=settings.image_size, normalize=True,
                             backbone=settings.backbone)

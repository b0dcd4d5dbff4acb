"""The stages' view of a records source: training batches per epoch, test videos.

The stages open their records once (`tan_keras.data.RecordsSource.open`) and pass the source
here; its name, classes, split sides and frames are its attributes. Kept in one place so the
stages do not depend on the reader's keyword spelling.
"""

from tan_keras.errors import IncompatibleInputError
from tan_keras.training.settings import TrainingSettings


def epoch_seed(seed: int, epoch: int) -> int:
    """The data seed of 0-based `epoch`: a function of the run's seed and the epoch only."""
    return int(seed) * 100_003 + int(epoch)


def train_batches(source, split: int, settings: TrainingSettings, epoch: int,
                  drop_remainder: bool = False, streams=("rgb", "flow"), input_context=None):
    """One epoch of uint8 training clips for a model with `ClipPreprocessing` in front:
    ({'rgb' [B, T, H, W, 3], 'flow_x', 'flow_y' [B, T, H, W], 'crop' [B, 4], 'flip' [B]},
    labels [B] int32), the streams asked for (`tan_keras.data.train_frames`).

    source: a `tan_keras.data.RecordsSource` (or a records directory, opened here).

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

    source = data.RecordsSource.open(source)
    videos = len(source.selection(split, "train").video_ids)
    pipelines = input_context.num_input_pipelines if input_context else 1
    dataset = data.train_frames(source, split=split, batch_size=settings.batch_size,
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
                f"{split} of {source.path} for a multi-process epoch. Received: {videos}")
        batches = steps * (input_context.num_replicas_in_sync // pipelines)
        dataset = dataset.repeat().take(batches)
    return dataset.apply(tf.data.experimental.assert_cardinality(batches))


def test_batches(source, split: int, settings: TrainingSettings, videos_per_batch: int = 4):
    """The test videos as uint8 frames of T evenly spaced positions, `videos_per_batch` at a
    time: ({'rgb', 'flow_x', 'flow_y'}, labels [B], video_ids [B]) (`data.eval_frames`).
    source: a `RecordsSource` (or a records directory)."""
    from tan_keras import data

    return data.eval_frames(source, split=split, num_snippets=settings.num_snippets,
                            batch_size=videos_per_batch)

"""What a records directory is, and what to read from it: data_prep's records or a TFDS build.

Two kinds of folder read the same way (`tan_keras.record_format.is_records_dir` accepts both):
  data_prep's output: manifest.json and shards of tf.train.SequenceExample (`manifest`).
  a prepared TFDS build of `data_prep.tfds_builder.TanVideoFlow`, its version folder
    (dataset_info.json, metadata.json and shards of tf.train.Example; `tfds_source`).
A folder with a manifest.json is read as data_prep's, whatever else it holds.
"""

from tan_keras.data import tfds_source
from tan_keras.data.manifest import ShardSelection, load_manifest, select_shards


def select_side(records_dir: str, split: int | str, side: str) -> ShardSelection:
    """The shards, videos and parse function of `side` ('train' or 'test') of `split`.

    Raises what `manifest.load_manifest`/`select_shards` raise for data_prep's records, and what
    `tfds_source.load_tfds_build`/`select_tfds_side` raise for a TFDS build (there, a `split`
    other than the one the build holds is a ValueError naming the folder and its split).
    """
    if tfds_source.is_tfds_build(records_dir):
        return tfds_source.select_tfds_side(tfds_source.load_tfds_build(records_dir), split, side)
    return select_shards(records_dir, load_manifest(records_dir), split, side)


def read_records_manifest(records_dir: str) -> dict | None:
    """A TFDS build's manifest-like dict (`tfds_source.tfds_manifest`), or None for a folder
    that is not one (read its manifest.json with `record_format.read_manifest`)."""
    if not tfds_source.is_tfds_build(records_dir):
        return None
    return tfds_source.tfds_manifest(tfds_source.load_tfds_build(records_dir))

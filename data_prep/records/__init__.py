"""The record format written: records, shards and manifest, encoded without TensorFlow."""

"""A digest of a model's weights, which every process of a run prints to show they agree."""

import hashlib

import keras


def report_weights(placement, model) -> None:
    """In a multi-process run, prints this process's `weights_digest`: every process of a run
    prints the same one, which is how to check that they trained in sync.

    Args:
      placement: the stage's `placement.Placement`.
      model: the trained model.
    """
    if placement.process.count > 1:
        print(f"process {placement.process.index} of {placement.process.count}: weights sha256 "
              f"{weights_digest(model)}", flush=True)


def weights_digest(model) -> str:
    """SHA-256 of every variable's values, in order: equal digests, equal weights."""
    import numpy as np

    digest = hashlib.sha256()
    for variable in model.variables:
        digest.update(np.ascontiguousarray(keras.ops.convert_to_numpy(variable.value)).tobytes())
    return digest.hexdigest()

"""Where a stage's starting weights come from: ImageNet, this workspace's CNNs, or another TAN.

The `init` forms are parsed by `tan_keras.choices.parse_init`. Each source is found and checked
(`imagenet_weights`, `pretrained_cnn_weights`, `tan_source`) before a stage writes anything, and
loaded into the built model afterwards (`load_pretrained_cnns`, `transfer_tan`).
"""

from pathlib import Path

from tan_keras import choices
from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.training import stage_files
from tan_keras.training.workspace import BACKBONE_WEIGHTS, FINAL_WEIGHTS, Workspace

TRANSFER_SKIPS = ("spatial_classifier", "temporal_classifier", "fused_classifier")


def imagenet_weights(backbone: str, source: str | None = None, instead: str | None = None):
    """The `weights` argument of build_backbone for ImageNet initialisation.

    Returns `source` when given; else 'imagenet', or None for backbones without ImageNet weights
    (with a printed note). googlenet without a `source` is an error that says where its
    checkpoint comes from, and names `instead` (the caller's other start, e.g. "init='cnn'").
    """
    if backbone in choices.NO_IMAGENET:
        print(f"note: backbone {backbone!r} has no ImageNet weights; starting from random init.")
        return None
    problem = choices.imagenet_weights_problem(backbone, source, instead)
    if problem:
        raise MissingInputError(problem + ".")
    return source or "imagenet"


def pretrain_arguments(records_dir, workspace, split, stream, settings) -> str:
    """The arguments of the `pretrain_cnn` stage that makes what init='cnn' needs, as
    `name=value` (a command shows them as its flags)."""
    return (f"records_dir={records_dir}, workspace={workspace}, stream={stream!r}, "
            f"split={split}, backbone={settings.backbone!r}, image_size={settings.image_size}")


def pretrained_cnn_weights(workspace, dataset: str, split: int, settings,
                           records_hint: str) -> dict[str, Path]:
    """{stream: backbone.weights.h5} of the finished pretrain_cnn stages init='cnn' needs.

    Args:
      records_hint: the records dir of `dataset`, for the arguments in the error message.

    Raises:
      MissingInputError: a stage is not finished (the message gives the stage's arguments).
      IncompatibleInputError: a stage used another backbone or image size.
    """
    expected = {"backbone": settings.backbone, "image_size": settings.image_size}
    files = {}
    for stream in choices.STREAMS:
        stage_dir = Workspace(workspace).pretrain_dir(dataset, split, stream)
        weights = stage_dir / BACKBONE_WEIGHTS
        if not (stage_files.is_done(stage_dir) and weights.is_file()):
            raise MissingInputError(
                f"Expected a finished pretrain_cnn stage ({dataset}, split {split}, stream "
                f"{stream}) for init='cnn'. Received: no {weights}. Run the pretrain_cnn stage "
                f"first (`tan_keras.training.pretrain_cnn`, docs/training.md) with "
                + pretrain_arguments(records_hint, workspace, split, stream, settings) + ".")
        found = stage_files.read_settings(stage_dir)
        stage_files.check_compatible(expected, {**found, **found.get("training", {})},
                                     ("backbone", "image_size"), weights, "init='cnn'")
        files[stream] = weights
    return files


def load_pretrained_cnns(model, weights: dict[str, Path]) -> None:
    """Loads `pretrained_cnn_weights`' files into the model's 'rgb' and 'flow' backbones."""
    from tan_keras.models import stream_backbones

    for stream, cnn in stream_backbones(model).items():
        cnn.load_weights(weights[stream])


def stage_dir_of(checkpoint: Path) -> tuple[Path, Path]:
    """A train_tan stage folder or a weights file in one -> (stage folder, weights file)."""
    checkpoint = Path(checkpoint)
    if checkpoint.is_dir():
        return checkpoint, checkpoint / FINAL_WEIGHTS
    parent = checkpoint.parent
    return (parent.parent if parent.name == "checkpoints" else parent), checkpoint


def tan_source(checkpoint: Path, model_name: str, model_options: dict, settings) -> tuple[Path, int]:
    """The weights file and class count of init='tan:<checkpoint>', checked against this run.

    Raises:
      MissingInputError: no finished train_tan weights there.
      IncompatibleInputError: the source used another backbone, size, T, model or options.
    """
    stage_dir, weights = stage_dir_of(checkpoint)
    if not weights.is_file():
        raise MissingInputError(
            f"Expected a finished train_tan stage (its folder, or a weights file in it) for "
            f"init='tan:<checkpoint>'. Received: no {weights}. Train the source first "
            f"(`tan_keras.training.train_tan`, docs/training.md) on its records, with "
            f"model={model_name!r}.")
    found = stage_files.read_settings(stage_dir)
    flat_found = {**found, **found.get("training", {})}
    expected = {"backbone": settings.backbone, "image_size": settings.image_size,
                "num_snippets": settings.num_snippets, "model": model_name,
                "model_options": model_options}
    stage_files.check_compatible(expected, flat_found, tuple(expected), weights, "init='tan'")
    if "num_classes" not in found:
        raise IncompatibleInputError(f"Expected num_classes in {stage_dir / 'settings.json'}.")
    return weights, int(found["num_classes"])


def transfer_tan(model, weights: Path, source) -> list[str]:
    """Copies a trained model's weights, all but its classifiers, into `model`.

    Args:
      weights: the source's weights file (`tan_source`).
      source: the source architecture, built with its own class count.

    Returns:
      The names of the copied layers.
    """
    from tan_keras.models import copy_weights_except_classifiers

    source.load_weights(weights)
    return copy_weights_except_classifiers(source, model, skip=TRANSFER_SKIPS)

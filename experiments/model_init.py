"""Where a stage's starting weights come from: ImageNet, this workspace's CNNs, or another TAN.

init strings (train_tan --init):
  imagenet           both CNNs from ImageNet (the tiny backbone has none: random init).
  cnn                both CNNs from this workspace's pretrain_cnn stage on the same dataset/split.
  cnn:<dataset>      both CNNs from pretrain_cnn on another dataset (Table 1: CNN on UCF101).
  tan:<checkpoint>   a whole trained model (a train_tan stage dir or a .weights.h5 in one), with
                     new classifiers for this dataset's classes (Table 1: TAN on UCF101).
"""

from pathlib import Path

from experiments import settings as stage_settings
from experiments.workspace import BACKBONE_WEIGHTS, FINAL_WEIGHTS, Workspace, is_done

NO_IMAGENET = ("tiny",)
TRANSFER_SKIPS = ("spatial_classifier", "temporal_classifier", "fused_classifier")


NEEDS_WEIGHTS_PATH = ("googlenet",)


def imagenet_weights(backbone: str, source: str | None = None):
    """The `weights` argument of build_backbone for ImageNet initialisation.

    Returns `source` when given; else 'imagenet', or None for backbones without ImageNet weights
    (with a printed note).
    """
    if backbone in NO_IMAGENET:
        print(f"note: backbone {backbone!r} has no ImageNet weights; starting from random init.")
        return None
    if source:
        return source
    if backbone in NEEDS_WEIGHTS_PATH:
        raise ValueError(f"Expected --imagenet_weights=<path> for backbone={backbone!r}: Keras "
                         f"has no ImageNet file for it (use the TF-Slim inception_v1.ckpt). "
                         f"Received: imagenet_weights=None")
    return "imagenet"


def parse_init(init: str) -> tuple[str, str | None]:
    """'imagenet' -> ('imagenet', None); 'cnn:ucf101' -> ('cnn', 'ucf101'); 'tan:x' -> ('tan', 'x')."""
    kind, _, argument = init.partition(":")
    if kind not in ("imagenet", "cnn", "tan") or (kind == "imagenet" and argument) or (
            kind == "tan" and not argument):
        raise ValueError("Expected init 'imagenet', 'cnn', 'cnn:<dataset>' or 'tan:<checkpoint>'. "
                         f"Received: init={init!r}")
    return kind, argument or None


def pretrain_command(records_dir, workspace, split, stream, settings) -> str:
    return (f"python -m experiments.pretrain_cnn --records_dir={records_dir} "
            f"--workspace={workspace} --split={split} --stream={stream} "
            f"--backbone={settings.backbone} --image_size={settings.image_size}")


def load_pretrained_cnns(model, workspace: Path, dataset: str, split: int, settings,
                         records_hint: str) -> None:
    """Loads pretrain_cnn's backbone weights for both streams into `model`'s backbones.

    Args:
      records_hint: the records dir of `dataset`, for the command in the error message.
    """
    from tan_keras.models import stream_backbones

    expected = {"backbone": settings.backbone, "image_size": settings.image_size}
    for stream, cnn in stream_backbones(model).items():
        stage_dir = Workspace(workspace).pretrain_dir(dataset, split, stream)
        weights = stage_dir / BACKBONE_WEIGHTS
        if not (is_done(stage_dir) and weights.is_file()):
            raise FileNotFoundError(
                f"Missing {weights}: --init=cnn needs the pretrain_cnn stage ({dataset}, split "
                f"{split}, stream {stream}). Make it with: "
                + pretrain_command(records_hint, workspace, split, stream, settings))
        found = stage_settings.read_settings(stage_dir)
        stage_settings.check_compatible(expected, {**found, **found.get("training", {})},
                                        ("backbone", "image_size"), weights, "--init=cnn")
        cnn.load_weights(weights)


def stage_dir_of(checkpoint: Path) -> tuple[Path, Path]:
    """A train_tan stage dir or a weights file in one -> (stage dir, weights file)."""
    checkpoint = Path(checkpoint)
    if checkpoint.is_dir():
        return checkpoint, checkpoint / FINAL_WEIGHTS
    parent = checkpoint.parent
    return (parent.parent if parent.name == "checkpoints" else parent), checkpoint


def transfer_tan(model, checkpoint: Path, model_name: str, model_options: dict, settings,
                 build_source) -> list[str]:
    """Copies a trained model's weights, all but its classifiers, into `model`.

    Args:
      build_source: `num_classes -> keras.Model` building the source architecture.

    Returns:
      The names of the copied layers.
    """
    from tan_keras.models import copy_weights_except_classifiers

    stage_dir, weights = stage_dir_of(checkpoint)
    if not weights.is_file():
        raise FileNotFoundError(
            f"Missing {weights}: --init=tan:<checkpoint> needs a finished train_tan stage. Make "
            f"it with: python -m experiments.train_tan --records_dir=<source records> "
            f"--workspace=<workspace> --model={model_name}")
    found = stage_settings.read_settings(stage_dir)
    flat_found = {**found, **found.get("training", {})}
    expected = {"backbone": settings.backbone, "image_size": settings.image_size,
                "num_snippets": settings.num_snippets, "model": model_name,
                "model_options": model_options}
    stage_settings.check_compatible(expected, flat_found,
                                    ("backbone", "image_size", "num_snippets", "model",
                                     "model_options"), weights,
                                    "--init=tan")
    source = build_source(int(found["num_classes"]))
    source.load_weights(weights)
    return copy_weights_except_classifiers(source, model, skip=TRANSFER_SKIPS)

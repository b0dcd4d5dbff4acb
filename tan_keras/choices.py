"""The names the commands offer as choices, importable without Keras or TensorFlow.

The commands in `experiments/` define their flags from these tuples, so `--help` and a bad flag
value are answered before any heavy import. Each tuple equals what the library itself accepts
(tests compare them with `available_backbones()`, `available_models()` and the rest).
"""

import os

BACKBONES = ("googlenet", "inception_v3", "mobilenet_v2", "resnet50", "tiny")
MODELS = ("tan", "two_stream", "fc_fusion", "branch_selection", "bs_l2", "spatial_attention")
RNN_TYPES = ("lstm", "gru")
STREAMS = ("rgb", "flow")
OPTIMIZERS = ("sgd", "adam")
LR_SCHEDULES = ("step", "constant")
STRATEGIES = ("default", "mirrored", "multi_worker")
INIT_KINDS = ("imagenet", "cnn", "tan")
TABLES = ("1", "2", "3", "fig3")
EXPORT_FORMATS = ("keras", "saved_model", "tflite")

# The smallest square input S each backbone takes.
MIN_IMAGE_SIZE = {"googlenet": 1, "inception_v3": 75, "mobilenet_v2": 32, "resnet50": 32,
                  "tiny": 16}
# Backbones whose ImageNet weights are a file the user passes (Keras ships none for them).
NEEDS_IMAGENET_PATH = ("googlenet",)
# Backbones with no ImageNet weights at all: ImageNet initialisation means random weights.
NO_IMAGENET = ("tiny",)

GOOGLENET_CHECKPOINT_URL = "http://download.tensorflow.org/models/inception_v1_2016_08_28.tar.gz"


def parse_init(init: str) -> tuple[str, str | None]:
    """'imagenet' -> ('imagenet', None); 'cnn:ucf101' -> ('cnn', 'ucf101'); 'tan:x' -> ('tan', 'x').

    The four forms of train_tan's --init:
      imagenet           both CNNs from ImageNet (the tiny backbone has none: random init).
      cnn                both CNNs from this workspace's pretrain_cnn stage, same dataset/split.
      cnn:<dataset>      both CNNs from pretrain_cnn on another dataset (Table 1: CNN on UCF101).
      tan:<checkpoint>   a whole trained model (a train_tan stage folder or a .weights.h5 in
                         one), with new classifiers (Table 1: TAN on UCF101).
    """
    kind, _, argument = str(init).partition(":")
    if kind not in INIT_KINDS or (kind == "imagenet" and argument) or (
            kind == "tan" and not argument):
        raise ValueError("Expected init 'imagenet', 'cnn', 'cnn:<dataset>' or 'tan:<checkpoint>'. "
                         f"Received: init={init!r}")
    return kind, argument or None


def imagenet_weights_problem(backbone: str, imagenet_weights: str | None) -> str | None:
    """Why ImageNet initialisation of `backbone` from `imagenet_weights` cannot start, or None.

    googlenet needs the TF-Slim checkpoint as a path (Keras has no ImageNet file for it); a path
    must exist (a V1 checkpoint file, a V2 checkpoint's `.index`, or a weights file).
    """
    if backbone in NEEDS_IMAGENET_PATH and not imagenet_weights:
        return (f"--backbone={backbone} starts from ImageNet weights here, which need "
                f"--imagenet_weights=<path to inception_v1.ckpt> (from {GOOGLENET_CHECKPOINT_URL}; "
                f"see docs/backbones.md). Pass it, or start elsewhere (train_tan --init=cnn, "
                f"pretrain_cnn --noimagenet) or use another --backbone")
    if imagenet_weights and imagenet_weights != "imagenet" and not (
            os.path.exists(imagenet_weights) or os.path.exists(imagenet_weights + ".index")):
        return (f"--imagenet_weights={imagenet_weights}: no such file. Give the path of the "
                f"TF-Slim inception_v1.ckpt or of a .weights.h5")
    return None

"""The names the commands offer as choices, importable without Keras or TensorFlow.

The commands in `experiments/` define their flags from these tuples, so `--help` and a bad flag
value are answered before any heavy import. Each tuple equals what the library itself accepts
(tests compare them with `available_backbones()`, `available_models()` and the rest).
"""

import os

# What the library needs to know of each backbone before building it (tan_keras.backbones reads
# this table too): the smallest square input S it takes, and where its ImageNet weights come
# from: 'keras' (Keras' own download), 'path' (a file the user passes: googlenet's TF-Slim
# checkpoint), or None (no ImageNet weights: ImageNet initialisation means random weights).
BACKBONE_SPECS = {
    "googlenet": {"min_image_size": 1, "imagenet": "path"},
    "inception_v3": {"min_image_size": 75, "imagenet": "keras"},
    "mobilenet_v2": {"min_image_size": 32, "imagenet": "keras"},
    "resnet50": {"min_image_size": 32, "imagenet": "keras"},
    "tiny": {"min_image_size": 16, "imagenet": None},
}
BACKBONES = tuple(BACKBONE_SPECS)
MODELS = ("tan", "two_stream", "fc_fusion", "branch_selection", "bs_l2", "spatial_attention",
          "soft_attention")
RNN_TYPES = ("lstm", "gru")
STREAMS = ("rgb", "flow")
OPTIMIZERS = ("sgd", "adam")
LR_SCHEDULES = ("step", "constant")
STRATEGIES = ("default", "mirrored", "multi_worker")
INIT_KINDS = ("imagenet", "cnn", "tan")
TABLES = ("1", "2", "3", "4", "5", "fig3", "fig4", "claims", "all")
EXPORT_FORMATS = ("keras", "saved_model", "tflite", "onnx")

# The smallest square input S each backbone takes.
MIN_IMAGE_SIZE = {name: spec["min_image_size"] for name, spec in BACKBONE_SPECS.items()}
# Backbones whose ImageNet weights are a file the user passes (Keras ships none for them).
NEEDS_IMAGENET_PATH = tuple(n for n, spec in BACKBONE_SPECS.items() if spec["imagenet"] == "path")
# Backbones with no ImageNet weights at all: ImageNet initialisation means random weights.
NO_IMAGENET = tuple(n for n, spec in BACKBONE_SPECS.items() if spec["imagenet"] is None)

GOOGLENET_CHECKPOINT_URL = "http://download.tensorflow.org/models/inception_v1_2016_08_28.tar.gz"


def parse_init(init: str) -> tuple[str, str | None]:
    """'imagenet' -> ('imagenet', None); 'cnn:ucf101' -> ('cnn', 'ucf101'); 'tan:x' -> ('tan', 'x').

    The four forms of train_tan's `init`:
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


def imagenet_weights_problem(backbone: str, imagenet_weights: str | None,
                             instead: str | None = None) -> str | None:
    """Why ImageNet initialisation of `backbone` from `imagenet_weights` cannot start, or None.

    googlenet needs the TF-Slim checkpoint as a path (Keras has no ImageNet file for it); a path
    must exist (a V1 checkpoint file, a V2 checkpoint's `.index`, or a weights file). The message
    names arguments as `name=value`, as every library message does (a command shows its flags).

    Args:
      instead: another start the caller offers, e.g. "init='cnn'", named in the message.
    """
    if backbone in NEEDS_IMAGENET_PATH and not imagenet_weights:
        other = f"start from other weights ({instead}) " if instead else ""
        return (f"Expected imagenet_weights=<path to inception_v1.ckpt> for backbone={backbone!r} "
                f"from ImageNet: Keras has no ImageNet file for it (download "
                f"{GOOGLENET_CHECKPOINT_URL}; see docs/backbones.md). Received: "
                f"imagenet_weights={imagenet_weights!r}. Pass it, {other}or use another "
                f"`backbone`")
    if imagenet_weights and imagenet_weights != "imagenet" and not (
            os.path.exists(imagenet_weights) or os.path.exists(imagenet_weights + ".index")):
        return (f"Expected imagenet_weights to be the path of the TF-Slim inception_v1.ckpt or of "
                f"a .weights.h5. Received: imagenet_weights={imagenet_weights!r} (no such file)")
    return None

"""The flags several commands share, with their parse-time checks. Not a command.

A command calls the `define_*` functions it needs at module level, then
`flags.adopt_module_key_flags(shared_flags)`, so that its `--help` lists them. Importing this
module defines nothing, and nothing here imports Keras or TensorFlow: `--help` and a bad flag
value are answered at once, before anything is written.
"""

import os

from absl import flags

from tan_keras import choices, cli, record_format

FLAGS = flags.FLAGS
TRAINING_DEFAULTS = {"backbone": "googlenet", "image_size": 224, "num_snippets": 5, "epochs": 20,
                     "batch_size": 8, "learning_rate": 0.001, "momentum": 0.9,
                     "weight_decay": 0.0005, "seed": 0}
MODEL_DEFAULTS = {"rnn": "lstm", "rnn_units": 512, "attention_units": 256, "dropout": 0.5}


def _records_dir_exists(path) -> bool:
    if path is None or "://" in path:
        return True
    if not os.path.isdir(path):
        raise flags.ValidationError(f"--records_dir={path} is not a folder. Build records with "
                                    f"python -m data_prep.build_records --output_dir={path} ...")
    if not record_format.is_records_dir(path):
        raise flags.ValidationError(
            f"--records_dir={path} holds no {record_format.MANIFEST_FILENAME} (nor a TFDS "
            f"dataset_info.json): it is not a finished records build. Build it with python -m "
            f"data_prep.build_records --output_dir={path} ...")
    return True


def define_records_dir(required: bool = True, help_text: str = "Records directory "
                       "(data_prep's output, with manifest.json).") -> None:
    flags.DEFINE_string("records_dir", None, help_text, required=required)
    flags.register_validator("records_dir", _records_dir_exists)


def define_workspace(help_text: str = "Workspace folder; everything is written inside "
                     "(WORKSPACE.md).", required: bool = True) -> None:
    flags.DEFINE_string("workspace", None, help_text, required=required)


def define_split(default: int | None = 1,
                 help_text: str = "Official split number (1, 2 or 3).") -> None:
    flags.DEFINE_integer("split", default, help_text, lower_bound=1)


def _image_size_fits_backbone(values) -> bool:
    smallest = choices.MIN_IMAGE_SIZE[values["backbone"]]
    if values["image_size"] < smallest:
        raise flags.ValidationError(f"--backbone={values['backbone']} needs --image_size >= "
                                    f"{smallest}. Received: --image_size={values['image_size']}")
    return True


def define_training_flags() -> None:
    """The hyperparameters of `TrainingSettings`, and the stages' optimizer and schedule."""
    d = TRAINING_DEFAULTS
    flags.DEFINE_enum("backbone", d["backbone"], list(choices.BACKBONES), "Per-frame CNN.")
    flags.DEFINE_integer("image_size", d["image_size"], "S, the side of the square crops.",
                         lower_bound=1)
    flags.DEFINE_integer("num_snippets", d["num_snippets"], "T, snippets per video.",
                         lower_bound=1)
    flags.DEFINE_integer("epochs", d["epochs"], "Training epochs.", lower_bound=1)
    flags.DEFINE_integer("batch_size", d["batch_size"], "Videos per step.", lower_bound=1)
    flags.DEFINE_float("learning_rate", d["learning_rate"], "Base learning rate (see "
                       "--lr_schedule).")
    flags.DEFINE_float("momentum", d["momentum"], "SGD momentum (--optimizer=sgd).")
    flags.DEFINE_float("weight_decay", d["weight_decay"], "Decoupled weight decay (0: none).",
                       lower_bound=0)
    flags.DEFINE_integer("seed", d["seed"], "Seed of data order, augmentation and init.")
    flags.DEFINE_enum("optimizer", "sgd", list(choices.OPTIMIZERS),
                      "sgd: SGD with --momentum (the paper-reproduction default). adam: Adam, "
                      "for small models from scratch such as the quickstart's.")
    flags.DEFINE_enum("lr_schedule", "step", list(choices.LR_SCHEDULES),
                      "step: --learning_rate x0.1 at 50% and 75% of the epochs. constant: "
                      "--learning_rate throughout.")
    flags.DEFINE_string("imagenet_weights", None, "ImageNet weights: a file (googlenet needs "
                        "the TF-Slim inception_v1.ckpt, docs/backbones.md), or none for the "
                        "Keras applications' own download.")
    flags.DEFINE_integer("verbose", 1, "Keras progress: 1 bar, 2 one line per epoch, 0 none.",
                         lower_bound=0, upper_bound=2)
    flags.DEFINE_bool("jit_compile", False, "TensorFlow: compile the train step with XLA. "
                      "On JAX the train step is always compiled with XLA.")
    flags.register_validator("learning_rate", cli.positive)
    flags.register_validator("momentum", cli.in_range(0, 1, high_open=True))
    flags.register_multi_flags_validator(["backbone", "image_size"], _image_size_fits_backbone)


def _init_form(init) -> bool:
    if init is None:
        return True
    try:
        kind, argument = choices.parse_init(init)
    except ValueError as error:
        raise flags.ValidationError(f"--init: {error}") from None
    if kind == "tan" and not os.path.exists(argument):
        raise flags.ValidationError(f"--init={init}: {argument} does not exist. Give a finished "
                                    f"train_tan stage folder or a .weights.h5 file in one.")
    return True


INIT_HELP = ("Starting weights: imagenet | cnn (this workspace's pretrain_cnn) | cnn:<dataset> | "
             "tan:<train_tan stage folder or .weights.h5>.")


def define_init(default: str | None = "imagenet", help_text: str = INIT_HELP) -> None:
    flags.DEFINE_string("init", default, help_text)
    flags.register_validator("init", _init_form)


def imagenet_weights_validator(uses_imagenet):
    """A multi-flag check that googlenet gets --imagenet_weights when it starts from ImageNet.

    Args:
      uses_imagenet: flag values dict -> whether this command starts from ImageNet weights.
    """
    def check(values) -> bool:
        if uses_imagenet(values):
            problem = choices.imagenet_weights_problem(values["backbone"],
                                                       values["imagenet_weights"])
            if problem:
                raise flags.ValidationError(problem + ".")
        return True
    return check


def define_model_flags(with_model: bool = True) -> None:
    """The model (unless `with_model` is False) and its sizes (`ModelOptions`)."""
    d = MODEL_DEFAULTS
    if with_model:
        flags.DEFINE_enum("model", "tan", list(choices.MODELS), "Which model to train.")
    flags.DEFINE_enum("rnn", d["rnn"], list(choices.RNN_TYPES), "Recurrent layer of each branch "
                      "(gru: the paper's 'GRU as our LSTM', s = h).")
    flags.DEFINE_integer("rnn_units", d["rnn_units"], "Recurrent units U.", lower_bound=1)
    flags.DEFINE_integer("attention_units", d["attention_units"],
                         "Size of TAN's attention states m and n.", lower_bound=1)
    flags.DEFINE_float("dropout", d["dropout"], "Dropout rate.")
    flags.register_validator("dropout", cli.in_range(0, 1, high_open=True))


CLUSTER_FLAGS = ("coordinator_address", "num_processes", "process_id")


def _cluster_flags_fit(values) -> bool:
    given = [name for name in CLUSTER_FLAGS if values[name] is not None]
    if given and values["strategy"] != "multi_worker":
        raise flags.ValidationError(f"--{given[0]} is for --strategy=multi_worker. Received: "
                                    f"--strategy={values['strategy']}")
    if given and len(given) < len(CLUSTER_FLAGS):
        missing = [f"--{name}" for name in CLUSTER_FLAGS if name not in given]
        raise flags.ValidationError(f"--{given[0]} needs {' and '.join(missing)} too (or none "
                                    f"of the three, on a cluster JAX finds by itself)")
    if given and values["process_id"] >= values["num_processes"]:
        raise flags.ValidationError(f"Expected --process_id in 0..{values['num_processes'] - 1}. "
                                    f"Received: --process_id={values['process_id']}")
    return True


def define_distribution_flags() -> None:
    """Where training runs: --strategy, --num_cpu_devices, and the JAX cluster flags."""
    flags.DEFINE_enum("strategy", "default", list(choices.STRATEGIES),
                      "default: one device. mirrored: data parallel over this machine's GPUs (or "
                      "logical CPUs). multi_worker: data parallel over several processes, the "
                      "same command in each (docs/training.md#multi-process-training).")
    flags.DEFINE_integer("num_cpu_devices", 1, "Split the CPU into this many logical devices (to "
                         "run --strategy=mirrored without GPUs).", lower_bound=1)
    flags.DEFINE_string("coordinator_address", None, "JAX, --strategy=multi_worker: HOST:PORT "
                        "where process 0 listens. On TensorFlow, set TF_CONFIG instead.")
    flags.DEFINE_integer("num_processes", None, "JAX, --strategy=multi_worker: how many "
                         "processes.", lower_bound=1)
    flags.DEFINE_integer("process_id", None, "JAX, --strategy=multi_worker: this process's id, "
                         "0 (the chief) to --num_processes - 1.", lower_bound=0)
    flags.register_multi_flags_validator(["strategy", *CLUSTER_FLAGS], _cluster_flags_fit)


def start_distribution() -> None:
    """Sets up the devices and joins the cluster, as the distribution flags say; a command's
    `main` calls it first, before anything else starts TensorFlow or JAX."""
    from tan_keras.training import distribution, runtime

    if FLAGS.num_cpu_devices > 1:
        runtime.split_cpu(FLAGS.num_cpu_devices)
    if FLAGS.strategy == "multi_worker":
        distribution.join_cluster(FLAGS.coordinator_address, FLAGS.num_processes,
                                  FLAGS.process_id)


def training_settings():
    """The `TrainingSettings` of the training flags (imports the training library)."""
    from tan_keras.training import TrainingSettings

    return TrainingSettings(
        backbone=FLAGS.backbone, image_size=FLAGS.image_size, num_snippets=FLAGS.num_snippets,
        epochs=FLAGS.epochs, batch_size=FLAGS.batch_size, learning_rate=FLAGS.learning_rate,
        momentum=FLAGS.momentum, weight_decay=FLAGS.weight_decay, seed=FLAGS.seed,
        imagenet_weights=FLAGS.imagenet_weights)


def model_options():
    """The `ModelOptions` of the model flags."""
    from tan_keras.training import ModelOptions

    return ModelOptions(rnn=FLAGS.rnn, rnn_units=FLAGS.rnn_units,
                        attention_units=FLAGS.attention_units, dropout=FLAGS.dropout)

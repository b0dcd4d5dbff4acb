"""The flags several commands share, with their parse-time checks. Not a command.

A command calls the `define_*` functions it needs at module level, then
`flags.adopt_module_key_flags(shared_flags)`, so that its `--help` lists them. Importing this
module defines nothing, and nothing here imports Keras or TensorFlow: `--help` and a bad flag
value are answered at once, before anything is written.

The training and model flags are the fields of `TrainingSettings` and `ModelOptions`, with the
dataclasses' defaults and validation (`check_field`); the backbone's smallest image size comes
from `tan_keras.choices.BACKBONE_SPECS`. Only the help lines are written here.
"""

import dataclasses
import os
import re

from absl import flags

from experiments import cli
from tan_keras import choices, record_format
from tan_keras.training.settings import (PRESETS, ModelOptions, RunOptions, TrainingSettings,
                                         check_image_size)

FLAGS = flags.FLAGS


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


def _checked_by(settings_class, name: str):
    """A validator of flag `name` by `settings_class.check_field`: the dataclass's own rule, its
    message in flag names."""
    def check(value) -> bool:
        try:
            settings_class.check_field(name, value)
        except ValueError as error:
            raise flags.ValidationError(cli.flag_terms(str(error))) from None
        return True
    return check


def _image_size_fits_backbone(values) -> bool:
    try:
        check_image_size(values["backbone"], values["image_size"])
    except ValueError as error:
        raise flags.ValidationError(cli.flag_terms(str(error))) from None
    return True


# The help line of each `TrainingSettings` field's flag. The defaults and the limits are the
# dataclass's (`TrainingSettings.defaults()`, `check_field`); the choices are `tan_keras.choices`.
TRAINING_HELP = {
    "backbone": "Per-frame CNN.",
    "image_size": "S, the side of the square crops (at least the backbone's smallest input).",
    "num_snippets": "T, snippets per video.",
    "epochs": "Training epochs.",
    "batch_size": "Videos per step, over all replicas.",
    "learning_rate": "Base learning rate (see --lr_schedule).",
    "momentum": "SGD momentum (--optimizer=sgd).",
    "weight_decay": "Decoupled weight decay (0: none).",
    "seed": "Seed of data order, augmentation and init.",
    "imagenet_weights": "ImageNet weights: a file (googlenet needs the TF-Slim inception_v1.ckpt, "
                        "docs/backbones.md), or none for the Keras applications' own download.",
    "optimizer": "sgd: SGD with --momentum (the paper-reproduction default). adam: Adam, for small "
                 "models from scratch such as the quickstart's.",
    "lr_schedule": "step: --learning_rate x0.1 at 50% and 75% of the epochs. constant: "
                   "--learning_rate throughout.",
}
MODEL_HELP = {
    "rnn": "Recurrent layer of each branch (gru: the paper's 'GRU as our LSTM', s = h).",
    "rnn_units": "Recurrent units U.",
    "attention_units": "Size of TAN's attention states m and n.",
    "dropout": "Dropout rate.",
}
_ENUMS = {"backbone": choices.BACKBONES, "optimizer": choices.OPTIMIZERS,
          "lr_schedule": choices.LR_SCHEDULES, "rnn": choices.RNN_TYPES}


def _define_fields(settings_class, help_texts: dict) -> None:
    """One flag per field of `settings_class`, with its default and its validation."""
    for field in dataclasses.fields(settings_class):
        name, default, text = field.name, field.default, help_texts[field.name]
        if name in _ENUMS:
            flags.DEFINE_enum(name, default, list(_ENUMS[name]), text)
            continue
        if isinstance(default, bool):
            flags.DEFINE_bool(name, default, text)
        elif isinstance(default, int):
            flags.DEFINE_integer(name, default, text)
        elif isinstance(default, float):
            flags.DEFINE_float(name, default, text)
        else:
            flags.DEFINE_string(name, default, text)
        flags.register_validator(name, _checked_by(settings_class, name))


def define_training_flags() -> None:
    """One flag per `TrainingSettings` field (the optimizer and schedule too), and --preset."""
    _define_fields(TrainingSettings, TRAINING_HELP)
    flags.DEFINE_enum("preset", None, list(PRESETS), "Start from a preset's settings and model "
                      "sizes (paper: the paper's, which are the defaults; quickstart; tiny: the "
                      "smallest model, for smoke runs; docs/training.md#presets); flags given "
                      "explicitly override it.")
    flags.register_multi_flags_validator(["backbone", "image_size"], _image_size_fits_backbone)


RUN_HELP = {
    "mixed_precision": "mixed_float16 on GPU, mixed_bfloat16 on CPU.",
    "jit_compile": "TensorFlow: compile the train step with XLA. On JAX the train step is always "
                   "compiled with XLA.",
    "verbose": "Keras progress: 1 bar, 2 one line per epoch, 0 none.",
    "run_eagerly": "Run the train step op by op, untraced (Keras' run_eagerly): for debugging, "
                   "and for tiny runs, where tracing takes longer than the steps.",
}


def define_run_flags() -> None:
    """How the stages run (`RunOptions`) but where: --mixed_precision, --jit_compile, --verbose,
    --run_eagerly (--strategy is among the distribution flags)."""
    defaults = RunOptions.defaults()
    flags.DEFINE_bool("mixed_precision", defaults["mixed_precision"], RUN_HELP["mixed_precision"])
    flags.DEFINE_bool("jit_compile", defaults["jit_compile"], RUN_HELP["jit_compile"])
    flags.DEFINE_integer("verbose", defaults["verbose"], RUN_HELP["verbose"])
    flags.register_validator("verbose", _checked_by(RunOptions, "verbose"))
    flags.DEFINE_bool("run_eagerly", defaults["run_eagerly"], RUN_HELP["run_eagerly"])
    flags.register_multi_flags_validator(["run_eagerly", "jit_compile"], _eager_or_jit)


def _eager_or_jit(values) -> bool:
    if values["run_eagerly"] and values["jit_compile"]:
        raise flags.ValidationError("--run_eagerly and --jit_compile exclude each other: the "
                                    "eager step is not compiled.")
    return True


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


def imagenet_weights_validator(uses_imagenet, instead: str | None = None):
    """A multi-flag check that googlenet gets --imagenet_weights when it starts from ImageNet.

    Args:
      uses_imagenet: flag values dict -> whether this command starts from ImageNet weights.
      instead: the command's other start, as the library names it (e.g. "init='cnn'").
    """
    def check(values) -> bool:
        if uses_imagenet(values):
            problem = choices.imagenet_weights_problem(values["backbone"],
                                                       values["imagenet_weights"], instead)
            if problem:
                raise flags.ValidationError(cli.flag_terms(problem + "."))
        return True
    return check


def define_model_flags(with_model: bool = True) -> None:
    """The model (unless `with_model` is False) and its sizes (`ModelOptions`)."""
    if with_model:
        flags.DEFINE_enum("model", "tan", list(choices.MODELS), "Which model to train.")
    _define_fields(ModelOptions, MODEL_HELP)


ATTENTION_LAYER_FORM = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def _attention_layer_form(path) -> bool:
    if path is not None and not ATTENTION_LAYER_FORM.match(path):
        raise flags.ValidationError("Expected package.module:ClassName, a TemporalAttention "
                                    f"subclass importable here. Received: {path}")
    return True


def define_attention_layer(help_text: str) -> None:
    """--attention_layer=package.module:ClassName: a `TemporalAttention` subclass for TAN. Its
    form is checked at parse time; the module is imported when the command runs."""
    flags.DEFINE_string("attention_layer", None, help_text)
    flags.register_validator("attention_layer", _attention_layer_form)


ATTENTION_LAYER_HELP = {
    "train": "TAN's attention layer: package.module:ClassName of a TemporalAttention subclass "
             "(registered with keras.saving.register_keras_serializable), importable here "
             "(installed or on PYTHONPATH); the run records it, and evaluate, export and predict "
             "import it from there (docs/model.md#a-subclass-from-the-commands).",
    "load": "TAN's attention layer, package.module:ClassName, in place of the one the run (or "
            ".keras file) records; by default that one is imported from its recorded path.",
}


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


def _values_of(settings_class, base: dict | None = None) -> dict:
    """The flag value of each field of `settings_class`; with `base`, only the flags given on
    the command line replace its values."""
    names = [field.name for field in dataclasses.fields(settings_class)]
    if base is None:
        return {name: FLAGS[name].value for name in names}
    return {**base, **{name: FLAGS[name].value for name in names if FLAGS[name].present}}


def training_settings() -> TrainingSettings:
    """The `TrainingSettings` of the training flags: --preset's, with the flags given on top, or
    every flag's value without --preset."""
    if FLAGS.preset:
        return TrainingSettings(**_values_of(TrainingSettings, PRESETS[FLAGS.preset]))
    return TrainingSettings(**_values_of(TrainingSettings))


def model_options() -> ModelOptions:
    """The `ModelOptions` of the model flags: --preset's sizes (where the command has --preset and
    it is given), with the flags given on top, or every flag's value."""
    if "preset" in FLAGS and FLAGS.preset:
        return ModelOptions(**_values_of(ModelOptions,
                                         ModelOptions.preset(FLAGS.preset).to_dict()))
    return ModelOptions(**_values_of(ModelOptions))


def run_options() -> RunOptions:
    """The `RunOptions` of the run flags (and of --strategy where the command defines it)."""
    values = {name: FLAGS[name].value for name in RunOptions.defaults() if name in FLAGS}
    return RunOptions(**values)

"""The synthetic batches and the compiled models that `experiments.benchmarks.model` trains.

Nothing here imports TensorFlow: the benchmark runs where only JAX and Keras are installed.
"""

from tan_keras import protocol

STORED_FRAME_HW = (256, 340)  # (height, width) of the records' frames at S = 224


# Inputs.

def normalised_clips(batch_size: int, num_snippets: int, image_size: int, seed: int = 0) -> dict:
    """Random normalised clips {'rgb', 'flow': [B, T, S, S, 3] float32} in [-1, 1]."""
    import numpy as np

    rng = np.random.default_rng(seed)
    shape = (batch_size, num_snippets, image_size, image_size, 3)
    return {stream: rng.uniform(-1.0, 1.0, size=shape).astype("float32")
            for stream in ("rgb", "flow")}


def stored_frame_hw(image_size: int) -> tuple[int, int]:
    """(height, width) of stored frames for crops of side S: 256 x 340 scaled by S / 224."""
    return tuple(max(1, round(side * image_size / 224)) for side in STORED_FRAME_HW)


def uint8_frames(batch_size: int, num_snippets: int, frame_hw: tuple[int, int],
                 seed: int = 0, with_augmentation: bool = True) -> dict:
    """Random uint8 frames as `tan_keras.data.train_frames` hands them over.

    Returns {'rgb': [B, T, H, W, 3], 'flow_x', 'flow_y': [B, T, H, W] uint8} and, with
    `with_augmentation`, 'crop': [B, 4] int32 (y, x, h, w), a square of the test crop's side
    (`protocol.test_crop_side`) at a random place, and 'flip': [B] int32 (1: mirror).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    height, width = frame_hw
    frames = {"rgb": rng.integers(0, 256, (batch_size, num_snippets, height, width, 3)),
              "flow_x": rng.integers(0, 256, (batch_size, num_snippets, height, width)),
              "flow_y": rng.integers(0, 256, (batch_size, num_snippets, height, width))}
    frames = {name: values.astype("uint8") for name, values in frames.items()}
    if with_augmentation:
        side = max(1, protocol.test_crop_side(min(height, width)))
        y = rng.integers(0, height - side + 1, batch_size)
        x = rng.integers(0, width - side + 1, batch_size)
        frames["crop"] = np.stack([y, x, np.full_like(y, side), np.full_like(y, side)],
                                  axis=1).astype("int32")
        frames["flip"] = rng.integers(0, 2, batch_size).astype("int32")
    return frames


def random_labels(batch_size: int, num_classes: int, seed: int = 0):
    """[B] int32 labels."""
    import numpy as np

    return np.random.default_rng(seed).integers(0, num_classes, batch_size).astype("int32")


def on_device(structure):
    """A dict of NumPy arrays -> the same dict of backend tensors on the default device."""
    import keras

    return {name: keras.ops.convert_to_tensor(value) for name, value in structure.items()}


# The models.

def build_models(settings: dict):
    """The compiled model to train and the model to time evaluation with.

    Returns (train_model, eval_model): with frames 'float' both are the float model (inputs
    {'rgb', 'flow'} [B, T, S, S, 3]); with 'uint8', `preprocessed.training_model` and
    `preprocessed.evaluation_model` around it, on frames of `stored_frame_hw(S)`.
    """
    import keras

    from tan_keras.models import build_model, compile_for_training

    keras.mixed_precision.set_global_policy(
        "mixed_bfloat16" if settings["mixed_precision"] else "float32")
    network = build_model(settings["model"], settings["num_classes"],
                          backbone=settings["backbone"], num_snippets=settings["num_snippets"],
                          image_size=settings["image_size"], rnn_units=settings["rnn_units"],
                          attention_units=settings["attention_units"], drop_unused=True)
    train_model = eval_model = network
    if settings["frames"] == "uint8":
        from tan_keras.models import preprocessed

        height, width = stored_frame_hw(settings["image_size"])
        train_model = preprocessed.training_model(network, settings["backbone"],
                                                  frame_height=height, frame_width=width)
        eval_model = preprocessed.evaluation_model(network, settings["backbone"],
                                                   frame_height=height, frame_width=width,
                                                   flow_planes=True)
    compile_for_training(train_model, keras.optimizers.SGD(0.001, momentum=0.9),
                         jit_compile=settings["jit_compile"],
                         steps_per_execution=settings["steps_per_execution"])
    return train_model, eval_model


def training_batch(settings: dict):
    """(inputs, targets) of one training batch, on the device."""
    from tan_keras.models import training_targets

    batch_size, num_snippets = settings["batch_size"], settings["num_snippets"]
    if settings["frames"] == "uint8":
        inputs = uint8_frames(batch_size, num_snippets, stored_frame_hw(settings["image_size"]))
    else:
        inputs = normalised_clips(batch_size, num_snippets, settings["image_size"])
    targets = training_targets(random_labels(batch_size, settings["num_classes"]))
    return on_device(inputs), on_device(targets)


def evaluation_batch(settings: dict) -> dict:
    """One test video: float views [V, T, S, S, 3], or uint8 frames [1, T, H, W(, 3)]."""
    if settings["frames"] == "uint8":
        return on_device(uint8_frames(1, settings["num_snippets"],
                                      stored_frame_hw(settings["image_size"]), seed=1,
                                      with_augmentation=False))
    return on_device(normalised_clips(settings["eval_views"], settings["num_snippets"],
                                      settings["image_size"], seed=1))

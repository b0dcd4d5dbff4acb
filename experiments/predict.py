r"""Classify one video with a trained run or an exported model (installed as `tan-predict`).

    tan-predict --video=clip.mp4 --workspace=ws --run_name=ucf101_split1_tan_cnn
    tan-predict --video=clip.avi --model=exports/ucf101_tan.keras --figure=clip_tan.png

The model is loaded by `tan_keras.inference.load_video_model`, from a run or from an export.

The video goes through what a records build does to it, with the settings the model was trained
on (frame size, TV-L1 flow bound and format, JPEG quality, positions a video), for the T test
positions only (`data_prep.decoding.model_input.video_clip`); the model makes the 10 views and averages
their scores. Prints the top classes of the spatial, temporal and fused scores and writes a
figure of the sampled frames and flow with alpha and beta under them.
"""

import os

from absl import flags

from experiments import cli, shared_flags

FLAGS = flags.FLAGS
shared_flags.define_attention_layer(shared_flags.ATTENTION_LAYER_HELP["load"])
flags.adopt_module_key_flags(shared_flags)
flags.DEFINE_string("video", None, "The video file (.avi, .mp4 with H.264, ...).", required=True)
flags.DEFINE_string("workspace", None, "Workspace of the train_tan run (with --run_name).")
flags.DEFINE_string("run_name", None, "The finished train_tan run (with --workspace).")
flags.DEFINE_string("model", None, "The model as one path instead: an exported .keras file, "
                    "SavedModel folder, .tflite or .onnx file (python -m experiments.export), or a "
                    "train_tan stage folder <workspace>/train_tan/<run_name>.")
flags.DEFINE_integer("top", 5, "Classes printed per stream.", lower_bound=1)
flags.DEFINE_string("figure", None, "The figure to write (default: <video name>_tan.png in the "
                    "current folder).")
flags.DEFINE_bool("progress", True, "Show progress while the flow is computed.")


def _one_model_source(values) -> bool:
    by_run = values["workspace"] is not None or values["run_name"] is not None
    if by_run == (values["model"] is not None):
        raise flags.ValidationError("Give the model either as --workspace and --run_name, or as "
                                    "--model=<exported .keras file, SavedModel folder, "
                                    ".tflite or .onnx file, or a train_tan stage folder>.")
    if by_run and not (values["workspace"] and values["run_name"]):
        raise flags.ValidationError("--workspace and --run_name go together.")
    return True


def _video_exists(path) -> bool:
    if path is not None and not os.path.isfile(path):
        raise flags.ValidationError(f"{path}: no such file.")
    return True


flags.register_multi_flags_validator(["workspace", "run_name", "model"], _one_model_source)
flags.register_validator("video", _video_exists)


def main(argv):
    del argv
    from tqdm import tqdm

    from data_prep.decoding.model_input import video_clip
    from data_prep.decoding.video import VideoDecodeError
    from tan_keras.errors import IncompatibleInputError
    from tan_keras.frame_settings import FrameSettings
    from tan_keras.inference import load_video_model, plot_prediction, predict_video, top_classes

    video_model = load_video_model(FLAGS.model or FLAGS.workspace, FLAGS.run_name,
                                   FLAGS.attention_layer)
    frames = FrameSettings.from_dict(video_model.frame_settings)
    num_snippets = int(video_model.frame_settings["num_snippets"])  # T: the model's, beside them
    bars = []

    def progress(done, total):  # the bar starts once the video has decoded
        if not bars:
            bars.append(tqdm(total=total, unit="pair", desc="TV-L1 flow",
                             disable=not FLAGS.progress))
        bars[0].update(1)

    try:
        clip = video_clip(FLAGS.video, frames, num_snippets, progress)
    except VideoDecodeError as error:
        raise IncompatibleInputError(str(error)) from None
    finally:
        for bar in bars:
            bar.close()
    outputs = predict_video(video_model, clip)
    print(f"{FLAGS.video}: {clip['num_frames']} frames; snippets at frames "
          f"{', '.join(map(str, clip['frame_indices']))}")
    for stream in ("spatial", "temporal", "fused"):
        ranked = top_classes(outputs[stream], video_model.classes, FLAGS.top)
        print(f"{stream:9s} " + "  ".join(f"{name} {100 * p:.1f}%" for name, p in ranked))
    figure = FLAGS.figure or f"{os.path.splitext(os.path.basename(FLAGS.video))[0]}_tan.png"
    title = os.path.basename(FLAGS.video)
    print(f"wrote {plot_prediction(clip, outputs, video_model.classes, figure, title)}")


def run_main():
    """The `tan-predict` console script."""
    cli.run(main)


if __name__ == "__main__":
    run_main()

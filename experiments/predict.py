r"""Classify a video with a trained run or an exported model (installed as `tan-predict`).

    tan-predict --video=clip.mp4 --workspace=ws --run_name=ucf101_split1_tan_cnn
    tan-predict --video=clip.avi --model=exports/ucf101_tan.keras --figure=clip_tan.png
    tan-predict --video=long.mp4 --model=exports/ucf101_tan.keras --window=4 --stride=2 \
        --output_video=long_tan.mp4
    tan-predict --video=0 --model=exports/ucf101_tan.keras --window=2 --views=1

Without --window the whole file is one clip (below). With --window, a long video, a camera index
or a stream URL is read window by window (`tan_keras.inference.predict_windows`): one line a
window as it completes, one row a window in --windows (JSON lines or CSV), the segments of
`tan_keras.inference.localise` beside it, the attention timeline (--timeline) and, with
--output_video, the video with the current label drawn on it. Ctrl-C stops it, keeping all that.

The model is loaded by `tan_keras.inference.load_video_model`, from a run or from an export.

The video goes through what a records build does to it, with the settings the model was trained
on (frame size, TV-L1 flow bound and format, JPEG quality, positions a video), for the T test
positions only (`data_prep.decoding.model_input.video_clip`); the model makes the 10 views and
averages their scores. Prints the top classes of the spatial, temporal and fused scores and writes a
figure of the sampled frames and flow with alpha and beta under them.
"""

import os

from absl import flags

from experiments import cli, shared_flags

FLAGS = flags.FLAGS
shared_flags.define_attention_layer(shared_flags.ATTENTION_LAYER_HELP["load"])
flags.adopt_module_key_flags(shared_flags)
flags.DEFINE_string("video", None, "The video file (.avi, .mp4 with H.264, ...); with --window "
                    "also a camera index (0) or a stream URL OpenCV opens (rtsp://...).",
                    required=True)
flags.DEFINE_string("workspace", None, "Workspace of the train_tan run (with --run_name).")
flags.DEFINE_string("run_name", None, "The finished train_tan run (with --workspace).")
flags.DEFINE_string("model", None, "The model as one path instead: an exported .keras file, "
                    "SavedModel folder, .tflite or .onnx file (python -m experiments.export), or a "
                    "train_tan stage folder <workspace>/train_tan/<run_name>.")
flags.DEFINE_integer("top", 5, "Classes printed per stream.", lower_bound=1)
flags.DEFINE_string("figure", None, "The figure to write (default: <video name>_tan.png in the "
                    "current folder).")
flags.DEFINE_bool("progress", True, "Show progress while the flow is computed.")
flags.DEFINE_float("window", None, "Seconds a window: read the video window by window (a long "
                   "video, a camera, a stream). Unset: the whole file is one clip.")
flags.DEFINE_float("stride", None, "Seconds from one window's start to the next (default: half "
                   "the window).")
flags.DEFINE_enum("views", "10", ["1", "10"], "With --window: 10, the model's test views, or 1, "
                  "the centre crop only (faster; a run or a .keras file).")
flags.DEFINE_enum("flow_engine", "opencv", ["opencv", "jax"], "With --window: TV-L1 with OpenCV, "
                  "or with JAX, a window's pairs in one batched call.")
flags.DEFINE_float("fps", None, "With --window: the source's frames per second, where its "
                   "capture reports none (a camera: 25 by default).")
flags.DEFINE_enum("windows_format", "jsonl", ["jsonl", "csv"], "With --window: JSON lines or "
                  "CSV for the windows and the segments (a --windows path ending in .csv is "
                  "CSV, any other JSON lines).")
flags.DEFINE_string("windows", None, "With --window: one row a window (default: <video "
                    "name>_windows.jsonl or .csv in the current folder); the segments go beside "
                    "it, <name>_segments.jsonl or .csv.")
flags.DEFINE_string("timeline", None, "With --window: the attention timeline figure (default: "
                    "<video name>_timeline.png).")
flags.DEFINE_string("output_video", None, "With --window: write the video with the current "
                    "label, its score and an attention bar (.mp4 or .avi).")
flags.DEFINE_float("score_threshold", 0.5, "Segments: a window's fused score for a class at "
                   "least this votes for it.", lower_bound=0, upper_bound=1)
flags.DEFINE_float("attention_threshold", 1.0, "Segments: a snippet of a voting window counts "
                   "where its attention is at least this times the uniform 1 / T.",
                   lower_bound=0)
flags.DEFINE_float("max_gap", 0.0, "Segments: join a class's pieces less than this many "
                   "seconds apart.", lower_bound=0)
flags.DEFINE_float("min_segment", 0.0, "Segments: drop those shorter than this many seconds.",
                   lower_bound=0)


def _one_model_source(values) -> bool:
    by_run = values["workspace"] is not None or values["run_name"] is not None
    if by_run == (values["model"] is not None):
        raise flags.ValidationError("Give the model either as --workspace and --run_name, or as "
                                    "--model=<exported .keras file, SavedModel folder, "
                                    ".tflite or .onnx file, or a train_tan stage folder>.")
    if by_run and not (values["workspace"] and values["run_name"]):
        raise flags.ValidationError("--workspace and --run_name go together.")
    return True


def _is_live(video) -> bool:
    return video is not None and (video.isdigit() or "://" in video)


def _video_exists(values) -> bool:
    video = values["video"]
    if _is_live(video):
        if values["window"] is None:
            raise flags.ValidationError(f"--video={video} is a camera or a stream: give "
                                        "--window (seconds a window).")
    elif video is not None and not os.path.isfile(video):
        raise flags.ValidationError(f"{video}: no such file.")
    return True


def _window_positive(values) -> bool:
    for name in ("window", "stride"):
        if values[name] is not None and values[name] <= 0:
            raise flags.ValidationError(f"--{name} is in seconds and must be > 0.")
    if values["stride"] is not None and values["window"] is None:
        raise flags.ValidationError("--stride goes with --window.")
    return True


flags.register_multi_flags_validator(["workspace", "run_name", "model"], _one_model_source)
flags.register_multi_flags_validator(["video", "window"], _video_exists)
flags.register_multi_flags_validator(["window", "stride"], _window_positive)
flags.register_validator("output_video", lambda path: path is None or path.lower().endswith(
    (".mp4", ".avi")), "--output_video must end in .mp4 or .avi.")


def _source_name(video: str) -> str:
    return "camera" + video if video.isdigit() else os.path.splitext(os.path.basename(
        video.rstrip("/")))[0] or "stream"


def _print_window(result, classes) -> None:
    fused = ", ".join(f"{name} {100 * p:.1f}%" for name, p in result.top(classes, FLAGS.top))
    spatial, temporal = (result.top(classes, 1, stream)[0] for stream in ("spatial", "temporal"))
    print(f"window {result.index} {result.start_s:7.2f}-{result.end_s:7.2f} s  fused {fused}  "
          f"| spatial {spatial[0]} {100 * spatial[1]:.1f}%  temporal {temporal[0]} "
          f"{100 * temporal[1]:.1f}%  | result {result.delay_s:.2f} s after the window's end",
          flush=True)


def predict_long_video(video_model) -> None:
    """--window: the windows of the video, a camera or a stream, as they come; then the
    segments and the timeline of the windows it got (also after Ctrl-C or a dropped stream)."""
    import sys

    from data_prep.decoding.stream import source_fps
    from data_prep.decoding.video import VideoDecodeError
    from tan_keras.errors import IncompatibleInputError
    from tan_keras.inference import predict_windows
    from tan_keras.inference.window_outputs import WindowOutputs

    name = _source_name(FLAGS.video)
    # FFmpeg's own lines when OpenCV tries an encoder it lacks (H.264 first, for an .mp4): off
    # before OpenCV's FFmpeg backend starts; our own lines say what went wrong.
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    try:
        fps = FLAGS.fps or source_fps(FLAGS.video)
    except VideoDecodeError as error:
        raise IncompatibleInputError(str(error)) from None
    outputs = WindowOutputs(
        video_model.classes, FLAGS.windows or f"{name}_windows.{FLAGS.windows_format}",
        timeline_path=FLAGS.timeline or f"{name}_timeline.png", video_path=FLAGS.output_video,
        fps=fps, top=FLAGS.top, title=FLAGS.video,
        localisation={"score_threshold": FLAGS.score_threshold,
                      "attention_threshold": FLAGS.attention_threshold,
                      "max_gap_s": FLAGS.max_gap, "min_length_s": FLAGS.min_segment})
    problems = []
    try:
        for result in predict_windows(video_model, FLAGS.video, window_s=FLAGS.window,
                                      stride_s=FLAGS.stride, views=int(FLAGS.views),
                                      flow_engine=FLAGS.flow_engine, fps=fps,
                                      on_frame=outputs.on_frame, problems=problems):
            outputs.add(result)
            _print_window(result, video_model.classes)
    except KeyboardInterrupt:
        problems.append(f"{FLAGS.video}: interrupted (Ctrl-C) after {len(outputs.results)} "
                        "window(s); those are kept")
    except (ValueError, VideoDecodeError) as error:  # a window under 2 frames; no source
        raise IncompatibleInputError(str(error)) from None
    finally:
        written = outputs.finish()
    for line in problems:
        print(f"warning: {line}", file=sys.stderr, flush=True)
    if not outputs.results:
        raise IncompatibleInputError(f"{FLAGS.video}: no whole window was read; nothing scored")
    print(f"{len(outputs.results)} windows; {len(written['segment_list'])} segments")
    for path in (written["windows"], written["segments"], written["timeline"], written["video"]):
        if path is not None:
            print(f"wrote {path}")


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
    if FLAGS.window is not None:
        return predict_long_video(video_model)
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

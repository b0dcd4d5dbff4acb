"""A trained model on new videos: the whole test-view model with its preprocessing, exported or
run on a video file.

  load_video_model(path, run_name=None): a train_tan run, or an exported .keras / SavedModel /
    .tflite / .onnx model, as a `VideoModel` (predict, classes, frame settings, the Keras model).
  export_model(model, format, output): .keras, a TF SavedModel, a TFLite or an ONNX file.
  evaluation_model_of_run(workspace, run_name): the run's model as one uint8-in, scores-out model.
  predict_video(model, clip): the scores of one video's clip
    (`data_prep.decoding.model_input.video_clip`).
  plot_prediction(...): the sampled frames and flow with alpha and beta under them (Fig. 1).
  predict_windows(model, source, window_s=...): the results of a long video, a camera or a
    stream, window by window, as `WindowResult`s (scores, attention, times).
  localise(results, classes): segments (start, end, class, score) from the scores and attention.
  plot_timeline(results, classes, path): the attention timeline figure.
  AnnotatedVideoWriter: the video with the current label and an attention bar drawn on it.
  RowWriter, window_row, read_rows: the windows as JSON lines or CSV.

The modules: loading (`load_video_model`), export (writing the exports), predict, figure,
windows (`predict_windows`), single_view, localisation, timeline, annotated_video, window_rows.
"""

from tan_keras.inference.export import EXPORT_FORMATS, evaluation_model_of_run, export_model
from tan_keras.inference.figure import plot_prediction
from tan_keras.inference.loading import VideoModel, load_video_model
from tan_keras.inference.annotated_video import AnnotatedVideoWriter
from tan_keras.inference.localisation import Segment, localise
from tan_keras.inference.predict import predict_video, top_classes
from tan_keras.inference.timeline import plot_timeline
from tan_keras.inference.window_rows import RowWriter, read_rows, window_row
from tan_keras.inference.windows import WindowResult, predict_windows

__all__ = ["EXPORT_FORMATS", "AnnotatedVideoWriter", "RowWriter", "Segment", "VideoModel",
           "WindowResult", "evaluation_model_of_run", "export_model", "load_video_model",
           "localise", "plot_prediction", "plot_timeline", "predict_video", "predict_windows",
           "read_rows", "top_classes", "window_row"]

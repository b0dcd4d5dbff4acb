"""A trained model on new videos: the whole test-view model with its preprocessing, exported or
run on a video file.

  load_video_model(path, run_name=None): a train_tan run, or an exported .keras / SavedModel /
    .tflite / .onnx model, as a `VideoModel` (predict, classes, frame settings, the Keras model).
  export_model(model, format, output): .keras, a TF SavedModel, a TFLite or an ONNX file.
  evaluation_model_of_run(workspace, run_name): the run's model as one uint8-in, scores-out model.
  predict_video(model, clip): the scores of one video's clip (`data_prep.decoding.model_input.video_clip`).
  plot_prediction(...): the sampled frames and flow with alpha and beta under them (Fig. 1).

The modules: loading (`load_video_model`), export (writing the exports), predict, figure.
"""

from tan_keras.inference.export import EXPORT_FORMATS, evaluation_model_of_run, export_model
from tan_keras.inference.figure import plot_prediction
from tan_keras.inference.loading import VideoModel, load_video_model
from tan_keras.inference.predict import predict_video, top_classes

__all__ = ["EXPORT_FORMATS", "VideoModel", "evaluation_model_of_run", "export_model",
           "load_video_model", "plot_prediction", "predict_video", "top_classes"]

"""A trained model on new videos: the whole test-view model with its preprocessing, exported or
run on a video file.

  evaluation_model_of_run(workspace, run_name): the run's model as one uint8-in, scores-out model.
  export_model(model, format, output): .keras, a TF SavedModel, or a TFLite file.
  load_model_for_videos(path): an exported .keras or SavedModel, with its classes and settings.
  predict_video(model, clip): the scores of one video's clip (`data_prep.model_input.video_clip`).
  plot_prediction(...): the sampled frames and flow with alpha and beta under them (Fig. 1).
"""

from tan_keras.inference.export import (EXPORT_FORMATS, export_model, load_model_for_videos,
                                        evaluation_model_of_run)
from tan_keras.inference.figure import plot_prediction
from tan_keras.inference.predict import predict_video, top_classes

__all__ = ["EXPORT_FORMATS", "export_model", "load_model_for_videos", "plot_prediction",
           "predict_video", "evaluation_model_of_run", "top_classes"]

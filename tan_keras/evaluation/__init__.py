"""The paper's evaluation: the 5-snippet x 10-view protocol, metrics, score files, late fusion.

  evaluate(records_dir, workspace, run_name=None, ..., progress=True): stage 3, writes
    evaluate/<run_name>/, with a progress bar over the test videos.
  score_frame_batches(view_model, batches, ..., progress=False): the protocol in the graph, on
    uint8 videos.
  score_videos(model, videos): the protocol on a float model and `tan_keras.data.eval_dataset`.
  fuse(score_specs, weights): late fusion of score files (TAN+), and write_fusion.
  save_scores / load_scores: the per-video score file.
  metrics.summarize(scores, labels): top-1, top-5, class-mean, per-class, confusion.
"""

from tan_keras.evaluation import metrics
from tan_keras.evaluation.evaluate_stage import evaluate
from tan_keras.evaluation.fusion import fuse, parse_score_spec, write_fusion
from tan_keras.evaluation.protocol import load_trained_model, score_frame_batches, score_videos
from tan_keras.evaluation.scores import load_scores, save_scores

__all__ = ["evaluate", "fuse", "load_scores", "load_trained_model", "metrics",
           "parse_score_spec", "save_scores", "score_frame_batches", "score_videos",
           "write_fusion"]

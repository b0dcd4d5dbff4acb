"""The paper's test protocol: T evenly spaced snippets x 10 views a video, scores averaged.

Views 0-4 are the four corner crops and the centre crop, views 5-9 their mirrors (flow x ->
255 - x). Each view is one T-snippet sequence; the model's softmax outputs are averaged over the
10 views. Two ways to run it:

- `score_frame_batches`: a `tan_keras.models.preprocessed.evaluation_model` makes the views and
  averages the scores in its graph, fed uint8 videos (`tan_keras.data.eval_frames`); the stages
  and the exports use this.
- `score_videos`: a float model fed the 10 float views of each video
  (`tan_keras.data.eval_dataset`), for pipelines that prepare their own input; the scores are
  averaged by the same `tan_keras.layers.ViewAveraging` layer that ends the in-graph path.
"""

import dataclasses

import numpy as np

from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.training import stage_files
from tan_keras.training.settings import ModelOptions, TrainingSettings
from tan_keras.training.tan_stage import build_stage_model
from tan_keras.training.workspace import FINAL_WEIGHTS, Workspace

STREAMS = ("spatial", "temporal", "fused")
FILE_REFRESH_S = 30.0  # the progress bar's redraw interval when stderr is not a terminal


def load_trained_model(workspace, run_name: str, records_dir=None, attention_layer=None,
                       num_snippets: int | None = None):
    """Builds the run's float model with its final weights; checks the records' classes.

    Args:
      records_dir: the records to evaluate on (a path or a `tan_keras.data.RecordsSource`), whose
        dataset and classes must be the run's (None: no check).
      attention_layer: TAN's attention class (a `TemporalAttention` subclass or its import path
        'package.module:ClassName'); None: the one settings.json records, imported from its
        path (`tan_keras.layers.attention_path`), or `TemporalAttention`.
      num_snippets: build the model for this many snippets T instead of the run's (no weight
        of a model depends on T: the CNNs read each frame, the recurrent layers and the
        attention each step); the returned settings carry it. None: the run's T.

    Returns:
      (model, the run's settings.json dict, its TrainingSettings).
    """
    stage_dir = Workspace(workspace).train_dir(run_name)
    if not (stage_files.is_done(stage_dir) and (stage_dir / FINAL_WEIGHTS).is_file()):
        raise MissingInputError(
            f"Expected a finished train_tan stage at {stage_dir} ({FINAL_WEIGHTS} and done.json). "
            f"Received: run_name={run_name!r}, workspace={workspace}. Train it first "
            f"(`tan_keras.training.train_tan`, docs/training.md) with that `run_name`, or pass "
            f"the `run_name` of a finished run.")
    found = stage_files.read_settings(stage_dir)
    if records_dir is not None:
        from tan_keras.data import RecordsSource

        source = RecordsSource.open(records_dir)
        differences = stage_files.settings_differences(
            {"dataset": source.name, "classes": source.classes}, found,
            ("dataset", "classes"))
        if differences:
            raise IncompatibleInputError(
                f"Incompatible checkpoint for the records at {source.path}: "
                f"{stage_dir / FINAL_WEIGHTS} was trained on other data: "
                + "; ".join(differences) + ". Pass the records it was trained on, or another "
                "`run_name`.")
    settings = TrainingSettings.from_dict(found["training"])
    if num_snippets is not None:
        settings = dataclasses.replace(settings, num_snippets=int(num_snippets))
    model = build_stage_model(found["model"], found["num_classes"], settings,
                              ModelOptions(**found["model_options"]),
                              attention_layer=_attention_layer(found, stage_dir,
                                                               attention_layer))
    model.load_weights(stage_dir / FINAL_WEIGHTS)
    return model, found, settings


def _attention_layer(found: dict, stage_dir, attention_layer=None):
    """The custom attention class to build the run with: `attention_layer` (a class or an import
    path) where given, else the one its settings.json records (imported from its path), or
    None."""
    recorded = found.get("attention_layer")
    if attention_layer is None and not recorded:
        return None
    from tan_keras.layers.attention_path import attention_class

    if attention_layer is not None:
        return attention_class(attention_layer)
    return attention_class(recorded, where=str(stage_dir / "settings.json"))


def score_frame_batches(view_model, batches, max_videos: int | None = None,
                        progress: bool = False, description: str = "evaluate",
                        num_videos: int | None = None) -> dict:
    """Runs a test-view model (`evaluation_model`) on batches of uint8 videos.

    Args:
      view_model: inputs the frames of N videos; outputs {'spatial', 'temporal', 'fused'}
        [N, C] view-averaged probabilities and, for TAN, {'alpha', 'beta'} [N, T, T].
      batches: iterable of (frames dict, labels [N], video_ids [N]) (`data.eval_frames`).
      max_videos: stop after this many videos (None: all).
      progress: show a tqdm bar of the scored videos on stderr, updated per batch, with the
        elapsed time and tqdm's estimate of the time left (`progress_bar`).
      description: the bar's label (evaluate passes "evaluate <run_name>").
      num_videos: how many videos `batches` holds; the bar's total is the smaller of it and
        `max_videos` (None for both: the bar counts without a total or an estimate).

    Returns:
      As `score_videos`.
    """
    columns = {name: [] for name in ("video_ids", "labels", *STREAMS, "alpha", "beta")}
    totals = [n for n in (num_videos, max_videos) if n is not None]
    bar = progress_bar(min(totals) if totals else None, description, progress)
    try:
        count = _score_into(columns, view_model, batches, max_videos, bar)
    finally:
        bar.close()
    if not count:
        raise IncompatibleInputError("Expected at least one test video. Received: none")
    result = {"video_ids": np.array(columns["video_ids"]),
              "labels": np.concatenate(columns["labels"]).astype(np.int64)}
    for name in STREAMS + ("alpha", "beta"):
        if columns[name]:
            result[name] = np.concatenate(columns[name]).astype(np.float32)
    return result


def progress_bar(total: int | None, description: str, enabled: bool):
    """A tqdm bar of test videos on stderr (a disabled one when not `enabled`).

    It shows whenever `enabled`, also when stderr is a file rather than a terminal (tqdm's
    `disable=None` would hide it there): the logs of long runs on a cluster are files, and their
    readers want the estimate too. In a file it redraws at most every `FILE_REFRESH_S` seconds
    (about 120 redraws an hour), so the log stays small; on a terminal, at tqdm's usual rate.
    """
    import sys

    from tqdm import tqdm

    terminal = getattr(sys.stderr, "isatty", lambda: False)()
    interval = 0.1 if terminal else FILE_REFRESH_S
    return tqdm(total=total, desc=description, unit="video", disable=not enabled,
                mininterval=interval, dynamic_ncols=True, file=sys.stderr)


def _score_into(columns: dict, view_model, batches, max_videos: int | None, bar) -> int:
    """score_frame_batches' loop: appends each batch's outputs to `columns`; returns the count."""
    count = 0
    for inputs, labels, video_ids in batches:
        if max_videos is not None and count >= max_videos:
            break
        inputs = {name: np.asarray(value) for name, value in inputs.items()}
        outputs = view_model.predict_on_batch(inputs)
        keep = len(labels) if max_videos is None else min(len(labels), max_videos - count)
        for name in STREAMS + ("alpha", "beta"):
            if name in outputs:
                columns[name].append(np.asarray(outputs[name], np.float64)[:keep])
        columns["labels"].append(np.asarray(labels)[:keep])
        columns["video_ids"] += [v.decode() if isinstance(v, bytes) else str(v)
                                 for v in np.asarray(video_ids)[:keep]]
        count += keep
        bar.update(keep)
    return count


def score_videos(model, videos, max_videos: int | None = None) -> dict:
    """Runs the 10-view protocol on each video.

    The model scores a video's V views as one batch; `tan_keras.layers.ViewAveraging`, the
    protocol's one definition of the averaging, averages them (softmax of the logits, then the
    mean over the views; alpha and beta too).

    Args:
      model: a model from `tan_keras.models` (outputs 'spatial', 'temporal' logits, 'fused').
      videos: iterable of ({'rgb', 'flow'}: [V, T, S, S, 3], label, video_id).
      max_videos: stop after this many videos (None: all).

    Returns:
      {'video_ids' [N], 'labels' [N], 'spatial'/'temporal'/'fused' [N, C] view-averaged
       probabilities, 'alpha'/'beta' [N, T, T] view-averaged (only for models with attention)}.
    """
    import keras

    from tan_keras.layers import ViewAveraging
    from tan_keras.models import attention_model

    try:
        attention = attention_model(model)
    except ValueError:
        attention = None
    columns = {name: [] for name in ("video_ids", "labels", *STREAMS, "alpha", "beta")}
    averaging = {}  # V -> ViewAveraging(V)
    for index, (inputs, label, video_id) in enumerate(videos):
        if max_videos is not None and index >= max_videos:
            break
        inputs = {name: np.asarray(value) for name, value in inputs.items()}
        outputs = dict(model.predict_on_batch(inputs))
        if attention is not None:
            weights = attention.predict_on_batch(inputs)
            outputs.update(alpha=weights["alpha"], beta=weights["beta"])
        num_views = len(next(iter(inputs.values())))
        if num_views not in averaging:
            averaging[num_views] = ViewAveraging(num_views)
        for name, value in averaging[num_views](outputs).items():
            columns[name].append(keras.ops.convert_to_numpy(value)[0])
        columns["labels"].append(int(np.asarray(label)))
        video_id = np.asarray(video_id).item()
        columns["video_ids"].append(video_id.decode() if isinstance(video_id, bytes) else video_id)
    if not columns["labels"]:
        raise IncompatibleInputError("Expected at least one test video. Received: none")
    result = {"video_ids": np.array(columns["video_ids"]),
              "labels": np.array(columns["labels"], np.int64)}
    result.update({name: np.stack(columns[name]).astype(np.float32) for name in STREAMS})
    if columns["alpha"]:
        result["alpha"] = np.stack(columns["alpha"]).astype(np.float32)
        result["beta"] = np.stack(columns["beta"]).astype(np.float32)
    return result

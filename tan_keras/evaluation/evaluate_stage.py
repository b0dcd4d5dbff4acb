"""Stage 3: the paper's test protocol on a trained model, and the files it writes.

Writes <workspace>/evaluate/<run_name>/ (<run_name>_test<T>/ for another number of test snippets
T, `eval_name`):
  results.json    spatial, temporal and fused top-1/top-5, class-mean and per-class accuracy
                  (fractions in [0, 1]), the confusion matrix, and the run's settings
  scores.npz      per-video scores (format: `tan_keras.evaluation.scores`)
  attention.npz   TAN only: video_ids [N], alpha and beta [N, T, T] averaged over the views
  plots/per_class_accuracy.png, plots/confusion_fused.png, plots/attention.png (TAN only)
  done.json
"""

import json
from pathlib import Path

import numpy as np

from tan_keras.evaluation import metrics, plots
from tan_keras.evaluation.protocol import STREAMS, load_trained_model, score_frame_batches
from tan_keras.evaluation.scores import save_scores
from tan_keras.training import stage_files
from tan_keras.training.inputs import test_batches
from tan_keras.training.workspace import (RESULTS_FILENAME, SCORES_FILENAME, Workspace,
                                          find_train_run)

ATTENTION_FILENAME = "attention.npz"


def eval_name(run_name: str, num_snippets: int | None) -> str:
    """The evaluate folder of `run_name` tested at `num_snippets` snippets: '<run_name>' for the
    run's own T (None), '<run_name>_test25' for 25."""
    return run_name if num_snippets is None else f"{run_name}_test{int(num_snippets)}"


def write_outputs(out_dir: Path, scored: dict, classes, run_settings: dict,
                  num_attention_videos: int = 4) -> dict:
    """Computes the figures and writes results.json, scores.npz, attention.npz and plots/."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {name: metrics.summarize(scored[name], scored["labels"]) for name in STREAMS}
    save_scores(out_dir / SCORES_FILENAME, scored["video_ids"], scored["labels"], classes,
                **{name: scored[name] for name in STREAMS})
    plot_paths = [
        plots.plot_per_class_accuracy({n: figures[n]["per_class"] for n in STREAMS}, classes,
                                      out_dir / "plots" / "per_class_accuracy.png"),
        plots.plot_confusion_matrix(np.array(figures["fused"]["confusion"]), classes,
                                    out_dir / "plots" / "confusion_fused.png"),
    ]
    if "alpha" in scored:
        np.savez(out_dir / ATTENTION_FILENAME, video_ids=scored["video_ids"],
                 alpha=scored["alpha"], beta=scored["beta"])
        shown = min(num_attention_videos, len(scored["video_ids"]))
        plot_paths.append(plots.plot_attention(
            scored["alpha"][:shown, :, -1], scored["beta"][:shown, :, -1],
            list(scored["video_ids"][:shown]), out_dir / "plots" / "attention.png"))
    results = {
        "run": run_settings, "classes": list(classes), "num_videos": len(scored["labels"]),
        "protocol": "T snippets evenly spaced x 10 views (4 corners + centre, flipped), "
                    "softmax averaged over views",
        **{name: figures[name] for name in STREAMS},
        "plots": [str(p.relative_to(out_dir)) for p in plot_paths],
    }
    (out_dir / RESULTS_FILENAME).write_text(json.dumps(results, indent=2) + "\n")
    return results


def evaluate(records_dir, workspace, run_name: str | None = None, split: int | None = None,
             model: str | None = None, init: str | None = None,
             max_videos: int | None = None, videos_per_batch: int = 4,
             progress: bool = True, attention_layer=None,
             num_snippets: int | None = None) -> dict:
    """Evaluates a train_tan run on its split's test videos; returns results.json's dict.

    Skips the work (and reads results.json) when this evaluation is done; then no bar shows.

    Args:
      records_dir: the records the run was trained on.
      workspace: the workspace holding train_tan/<run_name>/.
      run_name: the finished run; None finds it (`workspace.find_train_run`, which also checks a
        named run) from the records' dataset and the given split, model and init.
      split: the test split (default: the run's training split).
      model, init: narrow the search when `run_name` is None.
      max_videos: evaluate only the first N test videos.
      videos_per_batch: videos sent to the model at a time (each makes 10 views in the graph).
      progress: show a bar of the test videos scored on stderr, "evaluate <run_name>", with
        tqdm's estimate of the time left; also when stderr is a file (a cluster's log), redrawn
        there every 30 s (`protocol.progress_bar`).
      attention_layer: TAN's attention class or its import path; None: the one the run's
        settings.json records (`protocol.load_trained_model`).
      num_snippets: test at this many evenly spaced snippets instead of the run's T (the paper
        tests at 5, and says 25, as [14, 23] test, is only slightly better: section 2.3); the
        stage is then its own folder, evaluate/<run_name>_test<T>/ (`eval_name`), and
        results.json records `test_snippets`. Records with fewer stored positions than T repeat
        positions (`protocol.test_positions`). None: the run's T, in evaluate/<run_name>/.

    The videos go to the model as uint8 frames; the model makes the 10 views and averages the
    scores in its graph (`tan_keras.models.preprocessed.evaluation_model`).
    """
    from tan_keras.data import RecordsSource

    source = RecordsSource.open(records_dir)
    if run_name is None:
        run_name = find_train_run(workspace, source.name, split, model, init)
        print(f"evaluate: the train_tan run is {run_name}.")
    else:
        find_train_run(workspace, run_name=run_name)
    out_dir = Workspace(workspace).eval_dir(eval_name(run_name, num_snippets))
    if stage_files.is_done(out_dir) and (out_dir / RESULTS_FILENAME).is_file():
        print(f"evaluate: {out_dir} is done; skipping.")
        return json.loads((out_dir / RESULTS_FILENAME).read_text())
    network, run_settings, settings = load_trained_model(workspace, run_name, source,
                                                         attention_layer, num_snippets)
    split = run_settings["split"] if split is None else int(split)
    num_videos = len(source.videos(split, "test"))
    from tan_keras.models.preprocessed import evaluation_model

    view_model = evaluation_model(network, settings.backbone,
                                  frame_height=source.frames.height,
                                  frame_width=source.frames.width,
                                  classes=run_settings["classes"], flow_planes=True)
    batches = test_batches(source, split, settings, videos_per_batch)
    scored = score_frame_batches(view_model, batches, max_videos, progress,
                                 f"evaluate {run_name}", num_videos)
    results = write_outputs(out_dir, scored, run_settings["classes"],
                            dict(run_settings, run_name=run_name, evaluated_split=split,
                                 test_snippets=settings.num_snippets))
    stage_files.mark_done(out_dir, {"fused_top1": results["fused"]["top1"]})
    print(f"evaluate {out_dir.name}: " + "  ".join(
        f"{name} {100 * results[name]['top1']:.1f}%" for name in STREAMS)
        + f"  ({results['num_videos']} videos)")
    return results

"""Stage 3: the paper's test protocol on a trained model.

    python -m experiments.evaluate --records_dir=records/ucf101 --workspace=ws \
        --run_name=ucf101_split1_tan_cnn --split=1

Each test video: T = 5 evenly spaced snippets, 10 views (4 corners + centre, and their flips);
the model's softmax outputs are averaged over the views. Reports spatial, temporal and fused
top-1/top-5, class-mean accuracy, per-class accuracy and the confusion matrix.
Writes <workspace>/evaluate/<run_name>/:
  results.json    the figures (accuracies as fractions in [0, 1]) and the run's settings
  scores.npz      per-video scores (format: experiments/scores.py)
  attention.npz   TAN only: video_ids [N], alpha and beta [N, T, T] averaged over the views
  plots/per_class_accuracy.png, plots/confusion_fused.png, plots/attention.png (TAN only)
"""

import json
from pathlib import Path

import numpy as np
from absl import app, flags

from experiments import metrics, plots
from experiments.records import read_manifest, split_videos
from experiments.scores import save_scores
from experiments.settings import TrainingSettings, read_settings, settings_differences
from experiments.workspace import (FINAL_WEIGHTS, RESULTS_FILENAME, SCORES_FILENAME, Workspace,
                                   is_done, mark_done)

STREAMS = ("spatial", "temporal", "fused")
ATTENTION_FILENAME = "attention.npz"


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def load_trained_model(workspace, run_name: str, records_dir):
    """Builds the run's model with its final weights; checks the records' classes against it."""
    from experiments.train_tan import build

    stage_dir = Workspace(workspace).train_dir(run_name)
    if not (is_done(stage_dir) and (stage_dir / FINAL_WEIGHTS).is_file()):
        raise FileNotFoundError(
            f"Missing {stage_dir / FINAL_WEIGHTS}: evaluate needs a finished train_tan stage "
            f"named {run_name!r}. Make it with: python -m experiments.train_tan "
            f"--records_dir={records_dir} --workspace={workspace} --run_name={run_name} ...")
    found = read_settings(stage_dir)
    manifest = read_manifest(records_dir)
    differences = settings_differences(
        {"dataset": manifest["name"], "num_classes": len(manifest["classes"]),
         "classes": manifest["classes"]}, found, ("dataset", "num_classes", "classes"))
    if differences:
        raise ValueError(f"Incompatible checkpoint for the records at {records_dir}: "
                         f"{stage_dir / FINAL_WEIGHTS} was trained with other data: "
                         + "; ".join(d if not d.startswith("classes") else "classes differ"
                                     for d in differences) + ".")
    settings = TrainingSettings.from_dict(found["training"])
    model = build(found["model"], found["num_classes"], settings, found["model_options"])
    model.load_weights(stage_dir / FINAL_WEIGHTS)
    return model, found, settings


def score_videos(model, videos, max_videos: int | None = None) -> dict:
    """Runs the 10-view protocol on each video.

    Args:
      videos: iterable of ({'rgb', 'flow'}: [V, T, S, S, 3], label, video_id).

    Returns:
      {'video_ids' [N], 'labels' [N], 'spatial'/'temporal'/'fused' [N, C] view-averaged
       probabilities, 'alpha'/'beta' [N, T, T] view-averaged (only for models with attention)}.
    """
    from tan_keras.models import attention_model

    try:
        attention = attention_model(model)
    except ValueError:
        attention = None
    columns = {name: [] for name in ("video_ids", "labels", *STREAMS, "alpha", "beta")}
    for index, (inputs, label, video_id) in enumerate(videos):
        if max_videos is not None and index >= max_videos:
            break
        inputs = {name: np.asarray(value) for name, value in inputs.items()}
        outputs = model.predict_on_batch(inputs)
        columns["spatial"].append(_softmax(np.asarray(outputs["spatial"], np.float64)).mean(0))
        columns["temporal"].append(_softmax(np.asarray(outputs["temporal"], np.float64)).mean(0))
        columns["fused"].append(np.asarray(outputs["fused"], np.float64).mean(0))
        if attention is not None:
            weights = attention.predict_on_batch(inputs)
            columns["alpha"].append(np.asarray(weights["alpha"]).mean(0))
            columns["beta"].append(np.asarray(weights["beta"]).mean(0))
        columns["labels"].append(int(np.asarray(label)))
        video_id = np.asarray(video_id).item()
        columns["video_ids"].append(video_id.decode() if isinstance(video_id, bytes) else video_id)
    if not columns["labels"]:
        raise ValueError("Expected at least one test video. Received: none")
    result = {"video_ids": np.array(columns["video_ids"]),
              "labels": np.array(columns["labels"], np.int64)}
    result.update({name: np.stack(columns[name]).astype(np.float32) for name in STREAMS})
    if columns["alpha"]:
        result["alpha"] = np.stack(columns["alpha"]).astype(np.float32)
        result["beta"] = np.stack(columns["beta"]).astype(np.float32)
    return result


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


def evaluate(records_dir, workspace, run_name: str, split: int | None = None,
             max_videos: int | None = None) -> dict:
    """Evaluates the train_tan run `run_name` on its split's test videos; returns results.json's dict.

    Skips the work (and reads results.json) when this evaluation is done.
    """
    from experiments.inputs import test_videos

    out_dir = Workspace(workspace).eval_dir(run_name)
    if is_done(out_dir) and (out_dir / RESULTS_FILENAME).is_file():
        print(f"evaluate: {out_dir} is done; skipping.")
        return json.loads((out_dir / RESULTS_FILENAME).read_text())
    model, run_settings, settings = load_trained_model(workspace, run_name, records_dir)
    split = run_settings["split"] if split is None else int(split)
    split_videos(read_manifest(records_dir), split, "test", records_dir)
    scored = score_videos(model, test_videos(records_dir, split, settings), max_videos)
    results = write_outputs(out_dir, scored, run_settings["classes"],
                            dict(run_settings, run_name=run_name, evaluated_split=split))
    mark_done(out_dir, {"fused_top1": results["fused"]["top1"]})
    print(f"evaluate {run_name}: " + "  ".join(
        f"{name} {100 * results[name]['top1']:.1f}%" for name in STREAMS)
        + f"  ({results['num_videos']} videos)")
    return results


FLAGS = flags.FLAGS


def main(argv):
    del argv
    evaluate(FLAGS.records_dir, FLAGS.workspace, FLAGS.run_name, FLAGS.split, FLAGS.max_videos)


def run_main():
    flags.DEFINE_string("records_dir", None, "Records directory (with manifest.json).")
    flags.DEFINE_string("workspace", None, "Workspace holding train_tan/<run_name>/.")
    flags.DEFINE_string("run_name", None, "The train_tan run to evaluate.")
    flags.DEFINE_integer("split", None, "Test split (default: the run's training split).")
    flags.DEFINE_integer("max_videos", None, "Evaluate only the first N test videos.")
    flags.mark_flags_as_required(["records_dir", "workspace", "run_name"])
    app.run(main)


if __name__ == "__main__":
    run_main()

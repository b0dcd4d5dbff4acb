"""The quickstart's pipeline as one plain function: generate -> data_prep -> train -> evaluate -> report.

It adds no second copy of any stage: the videos go through the real data_prep (TV-L1 flow,
records), the models are trained by `tan_keras.training.train_tan` and scored by
`tan_keras.evaluation.evaluate` with the paper's protocol (5 snippets x 10 views). What is added
here is the bookkeeping the synthetic dataset allows: which evaluated snippets are the action's,
so that the attention's mass on them can be measured.

Workspace layout (besides the stages' own folders, see WORKSPACE.md):
  <workspace>/quickstart_options.json        the options of the run that made this workspace
  <workspace>/synthetic_actions/             videos, UCF101-style split files, actions.json
  <workspace>/records/synthetic_actions/     data_prep's shards and manifest.json
  <workspace>/train_tan/<run>/, evaluate/<run>/   the stages' outputs
  <workspace>/table.md, summary.json, plots/attention_on_action_snippets.png,
  plots/per_class_accuracy.png
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from experiments.quickstart import attention as qa
from experiments.quickstart import generator
from experiments.quickstart import report
from experiments.quickstart.options import QuickstartOptions
from experiments.quickstart.progress import StageClock
from tan_keras.errors import IncompatibleInputError

OPTIONS_FILENAME = "quickstart_options.json"
DATASET_NAME = "synthetic_actions"
SPLIT = 1
RUN_NAMES = {"two_stream": "synthetic_actions_two_stream", "tan": "synthetic_actions_tan"}
NUM_STAGES = 6
ATTENTION_PLOT_VIDEOS = 4


def stored_positions_aligned(frames_per_segment: int, positions_per_segment: int) -> bool:
    """True when data_prep's K positions fall positions_per_segment to a segment, off its last frame.

    Then the reader's T sampling segments over the stored positions are exactly the video's
    segments, in training (one random position per segment) and in testing (the middles).
    """
    from data_prep.decoding.positions import position_indices

    num_segments = generator.NUM_SEGMENTS
    frames = position_indices(num_segments * frames_per_segment,
                              num_segments * positions_per_segment)
    return all(k // frames_per_segment == p // positions_per_segment
               and k % frames_per_segment != frames_per_segment - 1
               for p, k in enumerate(frames))


def _check_workspace(workspace: Path, options: QuickstartOptions) -> None:
    """A workspace holds one run's options; a rerun with the same ones resumes, others stop."""
    path = workspace / OPTIONS_FILENAME
    if path.is_file():
        found = json.loads(path.read_text())
        if found != options.to_dict():
            differing = sorted(k for k in options.to_dict() if found.get(k) != options.to_dict()[k])
            raise IncompatibleInputError(
                f"Expected {workspace} to be empty or made with the same options. Received: "
                f"{path} differs in {differing}. Use another --workspace, or delete {workspace}.")
    workspace.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(options.to_dict(), indent=2, sort_keys=True) + "\n")


def training_settings(options: QuickstartOptions):
    """The options' training fields (sizes, optimizer, schedule, seed) on the "quickstart"
    preset's backbone, T = the generator's segments."""
    from tan_keras.presets import ARCHITECTURES
    from tan_keras.training import TrainingSettings

    return TrainingSettings.from_dict({**options.to_dict(),
                                       "backbone": ARCHITECTURES["quickstart"].backbone,
                                       "num_snippets": generator.NUM_SEGMENTS})


def model_options(options: QuickstartOptions):
    """The options' model sizes, with the "quickstart" preset's recurrent layer."""
    from tan_keras.presets import ARCHITECTURES
    from tan_keras.training import ModelOptions

    return ModelOptions.from_dict({**options.to_dict(), "rnn": ARCHITECTURES["quickstart"].rnn})


def build_synthetic_records(dataset_dir: Path, records_dir: Path, options: QuickstartOptions) -> dict:
    """data_prep on the generated videos: 64x64 frames, K = 5 x positions_per_segment positions."""
    from data_prep.build.local import build_records
    from data_prep.build.extract import PrepSettings

    settings = PrepSettings(
        positions=generator.NUM_SEGMENTS * options.positions_per_segment,
        frame_width=generator.FRAME_SIZE, frame_height=generator.FRAME_SIZE)
    return build_records("ucf101", str(dataset_dir / generator.VIDEOS_DIRNAME),
                         str(records_dir), splits_dir=str(dataset_dir / generator.SPLITS_DIRNAME),
                         name=DATASET_NAME, settings=settings, num_workers=options.num_workers)


def evaluated_snippet_segments(manifest: dict, sidecar: dict, video_ids) -> np.ndarray:
    """[V, T] the video segment of each snippet the test protocol reads, from data_prep's positions."""
    from data_prep.decoding.positions import position_indices

    num_segments = sidecar["num_segments"]
    num_frames = num_segments * sidecar["frames_per_segment"]
    requested = manifest["params"]["positions"]
    rows = []
    for video_id in video_ids:
        frames = position_indices(num_frames, requested)
        stored = manifest["videos"][video_id]["num_positions"]
        if stored != len(frames):
            raise ValueError(f"Expected {len(frames)} stored positions for {video_id} in the "
                             f"records manifest. Received: num_positions={stored}")
        rows.append(qa.snippet_segments(frames, num_frames, num_segments, num_segments))
    return np.array(rows, np.int64)


def plotted_videos(labels, count: int) -> list[int]:
    """Indices of up to `count` test videos for the attention plot, the first of each class first.

    Args:
      labels: [V] the class of each evaluated test video, in evaluation order.
    """
    firsts = [labels.index(label) for label in dict.fromkeys(labels)]
    rest = [i for i in range(len(labels)) if i not in firsts]
    return (firsts + rest)[:count]


def attention_figures(attention_file: Path, manifest: dict, sidecar: dict) -> dict:
    """Last-step alpha/beta of every test video and their mass on the action snippets."""
    stored = np.load(attention_file)
    video_ids = [str(v) for v in stored["video_ids"]]
    segments = evaluated_snippet_segments(manifest, sidecar, video_ids)
    actions = np.array([sidecar["videos"][v]["action_segment"] for v in video_ids])
    mask = qa.action_snippet_mask(segments, actions)
    alpha = qa.last_step_weights(stored["alpha"])
    beta = qa.last_step_weights(stored["beta"])
    alpha_mass, beta_mass = qa.action_mass(alpha, mask), qa.action_mass(beta, mask)
    postures = np.array([[sidecar["videos"][v]["posture_order"][s] for s in row]
                         for v, row in zip(video_ids, segments)])
    return {"video_ids": video_ids, "alpha": alpha, "beta": beta, "mask": mask,
            "postures": postures, "segments": segments,
            "alpha_mass": alpha_mass, "beta_mass": beta_mass,
            "mass": (alpha_mass + beta_mass) / 2.0, "uniform": qa.uniform_mass(mask),
            "aligned": bool((segments == np.arange(segments.shape[1])).all())}


def run_quickstart(workspace, options: QuickstartOptions = QuickstartOptions(),
                   verbose: int = 2) -> dict:
    """Runs the whole quickstart in `workspace`; returns the summary also written to summary.json.

    Args:
      workspace: the output folder (created). Rerun with the same options, finished stages are
        skipped; with other options it stops with an error.
      options: the sizes (see `QuickstartOptions`; `SMOKE_OPTIONS` for a one-epoch check).
      verbose: Keras progress while training (1: bar, 2: one line per epoch, 0: none).
    """
    from tan_keras.evaluation import evaluate
    from tan_keras.training import RunOptions, train_tan

    workspace = Path(workspace)
    _check_workspace(workspace, options)
    clock = StageClock(NUM_STAGES)
    dataset_dir = workspace / DATASET_NAME
    records_dir = workspace / "records" / DATASET_NAME

    with clock.stage("generate", f"{len(generator.CLASS_NAMES)} classes x "
                     f"({options.train_videos_per_class} train + {options.test_videos_per_class} "
                     f"test) synthetic videos -> {dataset_dir}"):
        if (dataset_dir / generator.SIDECAR_FILENAME).is_file():
            print("already generated; reusing.")
        else:
            generator.generate_dataset(
                dataset_dir, options.train_videos_per_class, options.test_videos_per_class,
                options.frames_per_segment, seed=options.seed, show_progress=True)
    sidecar = generator.load_sidecar(dataset_dir)
    if not stored_positions_aligned(options.frames_per_segment, options.positions_per_segment):
        print(f"warning: {options.positions_per_segment} positions per segment of "
              f"{options.frames_per_segment} frames do not fall inside the segments; some "
              "snippets will mix two segments (see summary.json: snippets_aligned_with_segments).")

    with clock.stage("data_prep", f"decode, TV-L1 flow, records -> {records_dir}"):
        manifest = build_synthetic_records(dataset_dir, records_dir, options)

    settings, model_kwargs = training_settings(options), model_options(options)
    for model in ("two_stream", "tan"):
        with clock.stage(f"train_{model}", f"{report.MODEL_LABELS[model]}, tiny backbone, "
                         f"{options.epochs} epochs"):
            train_tan(records_dir, workspace, model=model, init="imagenet", split=SPLIT,
                      settings=settings, model_options=model_kwargs,
                      run=RunOptions(verbose=verbose), run_name=RUN_NAMES[model])

    results = {}
    with clock.stage("evaluate", "5 snippets x 10 views per test video, both models"):
        for model in ("two_stream", "tan"):
            results[model] = evaluate(records_dir, workspace, RUN_NAMES[model], SPLIT,
                                      progress=verbose > 0)

    with clock.stage("report", "table, attention on the action snippets, plots, summary.json"):
        from tan_keras.evaluation.evaluate_stage import ATTENTION_FILENAME
        from tan_keras.training import Workspace

        attention = attention_figures(
            Workspace(workspace).eval_dir(RUN_NAMES["tan"]) / ATTENTION_FILENAME, manifest, sidecar)
        accuracy = report.top1_by_stream(results)
        table = report.format_table(accuracy)
        (workspace / report.TABLE_FILENAME).write_text(table + "\n")
        shown = plotted_videos([sidecar["videos"][v]["label"] for v in attention["video_ids"]],
                               ATTENTION_PLOT_VIDEOS)
        titles = [f"{Path(v).stem}: action {sidecar['classes'][sidecar['videos'][v]['label']]}"
                  for v in np.array(attention["video_ids"])[shown]]
        plot_paths = [
            report.plot_attention_on_actions(
                attention["alpha"][shown], attention["beta"][shown], attention["mask"][shown],
                attention["postures"][shown], titles, sidecar["classes"],
                workspace / "plots" / "attention_on_action_snippets.png"),
            report.plot_per_class(results, sidecar["classes"],
                                  workspace / "plots" / "per_class_accuracy.png"),
        ]
        summary = {
            "tan_top1": results["tan"]["fused"]["top1"],
            "two_stream_top1": results["two_stream"]["fused"]["top1"],
            "chance_top1": 1.0 / len(sidecar["classes"]),
            "accuracy": accuracy,
            "attention_action_mass": attention["mass"],
            "attention_action_mass_alpha": attention["alpha_mass"],
            "attention_action_mass_beta": attention["beta_mass"],
            "attention_uniform_mass": attention["uniform"],
            "snippets_aligned_with_segments": attention["aligned"],
            "claim": report.claim_check(results["tan"]["fused"]["top1"],
                                        results["two_stream"]["fused"]["top1"],
                                        attention["alpha_mass"], attention["uniform"]),
            "num_train_videos": len(manifest["splits"]["1"]["train"]),
            "num_test_videos": results["tan"]["num_videos"],
            "stage_seconds": dict(clock.seconds),
            "options": options.to_dict(),
            "outputs": {"table": report.TABLE_FILENAME,
                        "plots": [str(p.relative_to(workspace)) for p in plot_paths],
                        "results": {m: str(Path("evaluate") / RUN_NAMES[m] / "results.json")
                                    for m in RUN_NAMES}},
        }
    summary["total_seconds"] = round(clock.elapsed, 1)
    summary["stage_seconds"] = dict(clock.seconds)
    report.write_summary(workspace, summary)
    return summary

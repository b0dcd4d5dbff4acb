r"""Videos -> TV-L1 flow -> sharded TFRecords and manifest.json: the command.

  python -m data_prep.build_records --dataset=ucf101 --video_dir=UCF-101 \
      --splits_dir=ucfTrainTestlist --output_dir=records/ucf101

(installed as `tan-build-records`). Runs on this machine's cores by default, or as an Apache Beam
pipeline with --engine=beam: on Beam's multi-process runner here (--beam_runner=multiprocess, the
default), on a Dask cluster (--beam_runner=dask, a local one or --dask_address=HOST:PORT), or on
Dataflow, Flink or Spark through --beam_options='--runner=DataflowRunner ...'. Both engines
resume a killed build. The exit status is 1 when more than --max_failures videos failed (the
records of the others are written anyway).

Flow engines: --flow_engine=opencv (the default) computes TV-L1 with OpenCV, one pair a worker
core; --flow_engine=jax computes the same algorithm with JAX in this process, --flow_batch_size
pairs a compiled call (on the GPU when JAX has one), while the workers decode and encode; on Beam
each worker decodes, batches the pairs of its videos for JAX on its own devices, and encodes.
JAX is an extra: pip install -e ".[jax]".

Damaged videos: a video of which fewer than --min_decoded_fraction (default 0.9) of the frames
its container reports decode is damaged (a truncated download, a corrupt file); a container that
reports no frame count is not judged. By default (--on_damaged=fail) a damaged video fails: it
is listed under "failures" in the manifest with both counts, and counts towards --max_failures.
With --on_damaged=build it is built from the frames that decode and listed under "damaged".

Bad flags and bad input are answered in one line, before anything is written:
  - flag values (a --video_dir or --splits_dir that is not a folder, --positions=0, ...) are
    checked when the flags are parsed: absl prints `FATAL Flags parsing error: ...`, exit 1;
  - split files that do not parse or do not fit, and videos the splits list but the disk lacks,
    print `error: <message>` (every missing video is listed), exit 2. TAN_KERAS_TRACEBACK=1
    shows the traceback instead (see experiments.cli).
"""

import logging
import os
import shlex
import sys

from absl import app, flags

from data_prep.build import beam_runners
from data_prep.build import local as build_lib
from data_prep import files
from data_prep.flow import tvl1 as flow_lib
from data_prep.build import plan as plan_lib
from data_prep.datasets import splits as splits_lib
from data_prep.decoding import video as video_lib
from data_prep.build.extract import ON_DAMAGED, PrepSettings
from data_prep.decoding.positions import parse_positions
from data_prep.build.summary import format_summary
from data_prep.decoding.video import parse_frame_size
from experiments import cli

FLAGS = flags.FLAGS
flags.DEFINE_enum("dataset", "folder", list(splits_lib.DATASETS),
                  "ucf101 or hmdb51 (official split files in --splits_dir), or folder (one "
                  "sub-folder of --video_dir per class).")
flags.DEFINE_string("video_dir", None, "Video root; a video's id is its path relative to it.",
                    required=True)
flags.DEFINE_string("splits_dir", None, "Split files: UCF101's ucfTrainTestlist, HMDB51's "
                    "testTrainMulti_7030_splits, or UCF101-format files for a folder dataset "
                    "(without them a folder dataset gets a hash-based test side).")
flags.DEFINE_string("output_dir", None, "Where shards and manifest.json go.", required=True)
flags.DEFINE_string("name", None, "Shard file prefix; defaults to --dataset.")
flags.DEFINE_integer("num_workers", None, "Worker processes (default: the machine's cores).",
                     lower_bound=1)
flags.DEFINE_string("positions", "25", "Positions K a video, evenly spaced, or 'all'.")
flags.DEFINE_string("frame_size", "340x256", "Stored frame size WIDTHxHEIGHT, e.g. 340x256: 340 "
                    "wide, 256 high (flow is computed at this size).")
flags.DEFINE_float("flow_bound", 20.0, "Flow is clipped to +-bound before the uint8 map (> 0).")
flags.DEFINE_enum("flow_format", "jpeg", ["jpeg", "png"], "Flow images: JPEG or lossless PNG.")
flags.DEFINE_integer("jpeg_quality", 95, "JPEG quality of RGB frames (and flow when JPEG).",
                     lower_bound=1, upper_bound=100)
flags.DEFINE_integer("num_shards", 0, "Shards; 0 = ceil(videos / --videos_per_shard).",
                     lower_bound=0)
flags.DEFINE_integer("videos_per_shard", plan_lib.DEFAULT_VIDEOS_PER_SHARD,
                     "Videos a shard when --num_shards=0.", lower_bound=1)
flags.DEFINE_float("test_fraction", splits_lib.DEFAULT_TEST_FRACTION,
                   "Folder datasets without split files: share of videos on the test side.")
flags.DEFINE_integer("max_failures", 0, "Exit with status 1 when more videos than this fail "
                     "(a damaged video is a failure unless --on_damaged=build).", lower_bound=0)
flags.DEFINE_enum("on_missing", "stop", ["stop", "continue"],
                  "Videos listed in the splits but absent on disk: stop (list them all and "
                  "exit) or continue without them.")
flags.DEFINE_enum("on_damaged", "fail", list(ON_DAMAGED),
                  "A damaged video (fewer than --min_decoded_fraction of the frames its "
                  "container reports decode, e.g. a truncated download): fail (list it under "
                  "the manifest's failures, with both counts; it counts towards --max_failures) "
                  "or build (a record from the frames that decode, listed under 'damaged').")
flags.DEFINE_float("min_decoded_fraction", video_lib.DEFAULT_MIN_DECODED_FRACTION,
                   "In (0, 1]: a video is damaged when fewer than this share of the frames its "
                   "container reports decode (a container that reports none is not judged).")
flags.DEFINE_enum("flow_engine", "opencv", list(flow_lib.FLOW_ENGINES),
                  "TV-L1 with OpenCV on the CPU workers (opencv), or the same algorithm in JAX "
                  "in this process, batched, on the GPU when JAX has one (jax; pip install -e "
                  "\".[jax]\"). Recorded in the manifest.")
flags.DEFINE_string("flow_batch_size", "auto",
                    "--flow_engine=jax: pairs a compiled flow call, or auto: 1 where JAX runs on "
                    f"the CPU, {flow_lib.DEFAULT_JAX_BATCH_SIZE} on a GPU (one compile per frame "
                    "size and batch size; recorded in the manifest).")
flags.DEFINE_enum("engine", "local", ["local", "beam"], "local worker processes, or Apache Beam.")
flags.DEFINE_enum("beam_runner", None, list(beam_runners.RUNNERS),
                  "--engine=beam: multiprocess (Beam's multi-process runner, --num_workers "
                  "processes here; the default unless --beam_options names a --runner) or dask "
                  "(a local Dask cluster of --num_workers processes, or --dask_address).")
flags.DEFINE_string("dask_address", None, "--beam_runner=dask: HOST:PORT of an existing Dask "
                    "scheduler (default: a local cluster started for this build).")
flags.DEFINE_string("beam_options", "", "Beam pipeline options for --engine=beam, e.g. "
                    "'--runner=DataflowRunner --project=P --region=R --temp_location=gs://b/tmp "
                    "--setup_file=./setup.py' (also FlinkRunner, SparkRunner). DirectRunner and "
                    "PrismRunner are refused (they may download a binary at run time).")
flags.DEFINE_bool("progress", True, "Show the progress bar.")


def _output_dir(path) -> bool:
    if path is not None and files.is_local(path) and os.path.exists(path) \
            and not os.path.isdir(path):
        raise flags.ValidationError("a file is there. Expected a folder for the shards and "
                                    "manifest.json, or a path that does not exist yet.")
    return True


def _official_splits_given(values) -> bool:
    if values["dataset"] in ("ucf101", "hmdb51") and not values["splits_dir"]:
        raise flags.ValidationError(f"--dataset={values['dataset']} needs --splits_dir, the "
                                    f"official split files (ucfTrainTestlist/ for ucf101, "
                                    f"testTrainMulti_7030_splits/ for hmdb51).")
    return True


def _jax_installed(engine) -> bool:
    if engine == "jax" and not flow_lib.jax_installed():
        raise flags.ValidationError(f"JAX is not installed here. Expected JAX for the jax "
                                    f"engine: {flow_lib.JAX_INSTALL}, or --flow_engine=opencv.")
    return True


def _beam_runner_chosen(values) -> bool:
    """One runner, named: --beam_runner, or --runner in --beam_options (see beam_runners)."""
    beam_only = [f"--{k}" for k in ("beam_runner", "dask_address", "beam_options") if values[k]]
    if values["engine"] != "beam":
        if beam_only:
            raise flags.ValidationError(f"{', '.join(beam_only)} apply to --engine=beam. "
                                        f"Expected --engine=beam with them.")
        return True
    try:
        beam_runners.resolve_runner(values["beam_runner"], values["beam_options"],
                                    values["dask_address"])
    except ValueError as error:
        raise flags.ValidationError(str(error)) from None
    return True


flags.register_validator("video_dir",
                         cli.existing_folder("the video root, with one sub-folder per class"))
flags.register_validator("splits_dir", cli.existing_folder("the folder of split files"))
flags.register_validator("output_dir", _output_dir)
flags.register_validator("positions", cli.parses(parse_positions))
flags.register_validator("frame_size", cli.parses(parse_frame_size))
flags.register_validator("flow_bound", cli.positive)
flags.register_validator("test_fraction", cli.in_range(0, 1, high_open=True))
flags.register_validator("min_decoded_fraction", cli.in_range(0, 1, low_open=True))
flags.register_multi_flags_validator(["dataset", "splits_dir"], _official_splits_given)
flags.register_validator("flow_engine", _jax_installed)
flags.register_validator("flow_batch_size", cli.parses(flow_lib.parse_jax_batch_size))
flags.register_multi_flags_validator(["engine", "beam_runner", "dask_address", "beam_options"],
                                     _beam_runner_chosen)


def _settings() -> PrepSettings:
    batch_size = flow_lib.parse_jax_batch_size(FLAGS.flow_batch_size)
    if batch_size is None:
        batch_size = (flow_lib.auto_jax_batch_size() if FLAGS.flow_engine == "jax"
                      else flow_lib.DEFAULT_JAX_BATCH_SIZE)
    return PrepSettings(positions=parse_positions(FLAGS.positions),
                        **parse_frame_size(FLAGS.frame_size),  # frame_width, frame_height
                        flow_bound=FLAGS.flow_bound, flow_format=FLAGS.flow_format,
                        jpeg_quality=FLAGS.jpeg_quality, on_damaged=FLAGS.on_damaged,
                        min_decoded_fraction=FLAGS.min_decoded_fraction,
                        flow_engine=FLAGS.flow_engine, flow_batch_size=batch_size)


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    settings = _settings()
    plan = plan_lib.make_plan(  # Bad split files or missing videos: an InputError, one line.
        FLAGS.dataset, FLAGS.video_dir, FLAGS.name or FLAGS.dataset, settings,
        splits_dir=FLAGS.splits_dir, test_fraction=FLAGS.test_fraction,
        num_shards=FLAGS.num_shards, videos_per_shard=FLAGS.videos_per_shard,
        on_missing=FLAGS.on_missing)
    print(f"{len(plan.tasks)} videos, {len(plan.dataset_splits.classes)} classes, "
          f"{len(plan.dataset_splits.splits)} split(s), {plan.num_shards} shard(s)"
          + (f"; {len(plan.missing)} missing and left out" if plan.missing else ""), flush=True)
    if FLAGS.engine == "beam":
        from data_prep.build import beam_pipeline  # Apache Beam loads only when asked for.
        logging.getLogger("apache_beam").setLevel(logging.WARNING)  # it logs each stage at INFO
        manifest, stats = beam_pipeline.run_beam(
            plan, FLAGS.output_dir, settings, FLAGS.beam_runner,
            pipeline_args=shlex.split(FLAGS.beam_options), num_workers=FLAGS.num_workers,
            dask_address=FLAGS.dask_address, progress=FLAGS.progress)
    else:
        manifest, stats = build_lib.run_local(plan, FLAGS.output_dir, settings,
                                              FLAGS.num_workers, progress=FLAGS.progress)
    print(format_summary(manifest, stats), flush=True)
    failed = manifest["counts"]["failed"]
    if failed > FLAGS.max_failures:
        print(f"error: {failed} video(s) failed, more than --max_failures={FLAGS.max_failures}.",
              file=sys.stderr)
        return 1
    return 0


def run_main():
    """The `tan-build-records` console script."""
    cli.run(main)


if __name__ == "__main__":
    run_main()

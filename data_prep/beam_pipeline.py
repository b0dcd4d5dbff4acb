"""The same build as an Apache Beam pipeline, for many machines (Dataflow, Flink, Spark).

Every video goes through `extract.process_video`, the function the local runner uses, with the
same `PrepSettings` (so a damaged video fails or is built and listed under "damaged" exactly as
there); shard assignment and the manifest come from `plan`, so a Beam build writes the same
bytes as a local one. Steps:

  tasks --Reshuffle--> process_video --> (shard, record) --GroupByKey--> write each shard
                                     \-> per-video results --ToList--> manifest (after the shards)

The pipeline is not resumable the way the local runner is: Beam runners retry failed work
themselves. `output_dir` may be any filesystem TensorFlow's `tf.io.gfile` writes (gs://...), and
videos may be read from one (each is copied to a local temporary file for OpenCV).
"""

import dataclasses

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from data_prep import flow as flow_lib
from data_prep import plan as plan_lib
from data_prep import records
from data_prep.extract import PrepSettings, VideoResult, process_video


class _ProcessVideo(beam.DoFn):
    """(task index, task) -> (task index, VideoResult), with one OpenCV thread per worker."""

    def __init__(self, settings: PrepSettings):
        self._settings = settings

    def setup(self):
        flow_lib.use_one_opencv_thread()

    def process(self, element):
        index, task = element
        yield index, process_video(task, self._settings)


def _write_shard(element, plan: plan_lib.BuildPlan, output_dir: str) -> int:
    shard, items = element
    by_id = dict(items)
    path = plan.shard_paths(output_dir)[shard]
    records.write_shard(path, plan_lib.records_for_shard(plan, shard, by_id.get))
    return shard


def _without_record(element) -> VideoResult:
    _, result = element
    return dataclasses.replace(result, record=None)  # Never mutate a Beam element.


def _write_manifest(results: list, plan: plan_lib.BuildPlan, output_dir: str,
                    written_shards: list) -> None:
    """Writes empty shards for shards whose videos all failed, then the manifest (last)."""
    for shard in sorted(set(range(plan.num_shards)) - set(written_shards)):
        records.write_shard(plan.shard_paths(output_dir)[shard], [])
    manifest = plan_lib.assemble_manifest(plan, {r.filename: r for r in results})
    records.write_manifest(output_dir, manifest)


def build_pipeline(pipeline: beam.Pipeline, plan: plan_lib.BuildPlan, output_dir: str,
                   settings: PrepSettings) -> None:
    """Adds the build's steps to `pipeline` (run it to build)."""
    num_shards = plan.num_shards
    results = (pipeline
               | "Tasks" >> beam.Create(list(enumerate(plan.tasks)))
               | "Spread" >> beam.Reshuffle()
               | "TVL1AndEncode" >> beam.ParDo(_ProcessVideo(settings)))
    written = (results
               | "KeepRecords" >> beam.Filter(lambda e: e[1].ok)
               | "ToShard" >> beam.Map(lambda e: (plan_lib.shard_index(e[0], num_shards),
                                                  (e[1].filename, e[1].record)))
               | "GroupShards" >> beam.GroupByKey()
               | "WriteShards" >> beam.Map(_write_shard, plan=plan, output_dir=output_dir))
    _ = (results
         | "DropRecords" >> beam.Map(_without_record)
         | "AllResults" >> beam.combiners.ToList()
         | "WriteManifest" >> beam.Map(_write_manifest, plan=plan, output_dir=output_dir,
                                       written_shards=beam.pvalue.AsList(written)))


def run_beam(plan: plan_lib.BuildPlan, output_dir: str, settings: PrepSettings,
             pipeline_args: list[str] | None = None) -> dict:
    """Runs the build on the Beam runner `pipeline_args` choose (DirectRunner by default).

    pipeline_args: Beam's own command-line options, e.g. ['--runner=DataflowRunner',
      '--project=my-project', '--region=us-central1', '--temp_location=gs://bucket/tmp',
      '--setup_file=./setup.py'].

    Returns:
      The manifest dict (read back from output_dir/manifest.json).
    """
    import tensorflow as tf
    tf.io.gfile.makedirs(output_dir)
    options = PipelineOptions(pipeline_args or ["--runner=DirectRunner"])
    with beam.Pipeline(options=options) as pipeline:
        build_pipeline(pipeline, plan, output_dir, settings)
    return records.read_manifest(output_dir)

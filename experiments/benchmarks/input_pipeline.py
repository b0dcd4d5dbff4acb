"""Benchmark of the tf.data input: the JPEG-decode limit against the training and test pipelines.

Figures, on the same records:
  (a) decode limit: clips/s that `tf.io.decode_jpeg` (the accurate IDCT, as the pipeline) alone
      reaches on exactly the JPEGs the training clips need (T RGB + 2T flow per clip), one
      parallel tf.data map over the raw bytes;
  (b) the host training pipeline the stages use (`tan_keras.data.train_frames`: uint8 frames,
      the preprocessing in the model): clips/s, and (b)/(a) (target >= 0.8); beside it, the float
      pipeline (`train_dataset`, crops resized and normalised on the host);
  (r) record read: `tf.data.TFRecordDataset` alone over the train side's shards, CPU ms per
      record (one record per clip; (a) leaves it out, the pipeline cannot);
  (c) with --end_to_end_sizes: training clips/s end to end (input and compiled train step, a
      tiny-backbone TAN) for the float pipeline and for uint8 frames with the in-model
      preprocessing, at each image size;
  (d) the test pipelines: `eval_frames` (uint8, the views made in the model) against
      `eval_dataset` (the 10 float views on the host), videos/s;
  with --stages, where the float pipeline's time goes: cut after each step (records read,
  parsed, checked and shuffled; + the selected JPEGs decoded; + resized; + the finish step), in
  CPU ms per clip, each with (a)'s CPU time over it.

Without --records_dir it first writes synthetic records at the TSN storage size (340 x 256, RGB
and flow JPEG, --positions per video) with the data_prep writer, in a temporary directory that is
removed at the end unless --keep_records.

  python -m experiments.benchmarks.input_pipeline
  python -m experiments.benchmarks.input_pipeline --records_dir=/data/ucf101_records --batch_size=32
"""

import shutil
import tempfile

from absl import app, flags

flags.DEFINE_string("records_dir", None, "Records to read; default: synthetic ones in a temp dir.")
flags.DEFINE_integer("split", 1, "Split whose train side feeds (a) and (b), test side the eval.")
flags.DEFINE_integer("num_videos", 96, "Synthetic videos (3/4 train, 1/4 test); an epoch far "
                     "longer than the shuffle buffer, as in real use.")
flags.DEFINE_string("contents_from", None, "A records directory whose records are copied to make "
                    "the --num_videos videos, instead of synthetic textures; e.g. one built from a "
                    "few real clips (real JPEG sizes, real TV-L1 flow).")
flags.DEFINE_integer("unique_videos", 12, "Distinct synthetic contents; the others are copies "
                     "under new ids (saves encoding time).")
flags.DEFINE_integer("positions", 25, "Stored positions per synthetic video.")
flags.DEFINE_integer("num_shards", 8, "Shards of the synthetic records.")
flags.DEFINE_integer("batch_size", 8, "Training batch size B.")
flags.DEFINE_integer("num_snippets", 5, "T.")
flags.DEFINE_integer("image_size", 224, "S.")
flags.DEFINE_integer("clips", 240, "Clips timed per training-pipeline measurement.")
flags.DEFINE_integer("eval_videos", 12, "Videos timed per test-pipeline measurement.")
flags.DEFINE_integer("rounds", 2, "Measurements of (a) and (b), alternating; the best counts.")
flags.DEFINE_bool("stages", True, "Also time the training pipeline cut after each step.")
flags.DEFINE_list("end_to_end_sizes", ["64", "112"], "(c): image sizes S at which to time "
                  "training end to end, float pipeline against uint8 frames (empty: skip).")
flags.DEFINE_integer("end_to_end_steps", 20, "(c): timed train steps per measurement.")
flags.DEFINE_bool("keep_records", False, "Keep the temporary directory of the records written "
                  "for the bench.")
FLAGS = flags.FLAGS


def _measure(records_dir):
    from experiments.benchmarks.input_measures import end_to_end, measure

    measure(records_dir, FLAGS.split, FLAGS.num_snippets, FLAGS.image_size, FLAGS.batch_size,
            FLAGS.clips, FLAGS.eval_videos, FLAGS.rounds, FLAGS.stages)
    for size in map(int, FLAGS.end_to_end_sizes):
        rates = end_to_end(records_dir, size, FLAGS.split, FLAGS.num_snippets, FLAGS.batch_size,
                           FLAGS.end_to_end_steps, FLAGS.rounds)
        print(f"(c) training end to end, tiny TAN, S={size}: float pipeline "
              f"{rates['float'].per_second:.1f} clips/s, uint8 frames + in-model preprocessing "
              f"{rates['frames'].per_second:.1f} clips/s; ratio "
              f"{rates['frames'].per_second / rates['float'].per_second:.2f}")


def write_and_measure(records_dir):
    """Writes the synthetic records into `records_dir`, then measures on them."""
    from experiments.benchmarks.input_records import HEIGHT, WIDTH, write_bench_records

    size = write_bench_records(records_dir, FLAGS.num_videos, FLAGS.unique_videos,
                               FLAGS.positions, FLAGS.num_shards, FLAGS.contents_from)
    source = (f"copies of the records in {FLAGS.contents_from}" if FLAGS.contents_from else
              f"synthetic records, {FLAGS.positions} positions, {WIDTH}x{HEIGHT}")
    print(f"{FLAGS.num_videos} videos, {source}: {size / FLAGS.num_videos / 1e6:.2f} MB per "
          f"video, in {records_dir}")
    _measure(records_dir)


def main(argv):
    del argv
    records_dir = FLAGS.records_dir
    if records_dir is None:
        records_dir = tempfile.mkdtemp(prefix="bench_input_")
        try:
            write_and_measure(records_dir)
        finally:
            if FLAGS.keep_records:
                print(f"bench records kept in {records_dir}")
            else:
                shutil.rmtree(records_dir, ignore_errors=True)
    else:
        _measure(records_dir)


if __name__ == "__main__":
    app.run(main)

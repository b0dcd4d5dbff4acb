r"""Checks videos before a build and records after it, and draws a contact sheet: the command.

  python -m data_prep.check --video_dir=UCF-101 --dataset=ucf101 \
      --splits_dir=ucfTrainTestlist --move_bad_to=bad_videos
  python -m data_prep.check --records_dir=records/ucf101 --sheet=sheet.png

(installed as `tan-check`; docs/checking.md). Either or both of --video_dir and --records_dir:

  videos: every video file in the class folders of --video_dir is decoded as the build decodes
    it, --frames_per_video frames of it (the first, the last and evenly between), in
    --num_workers processes; each unreadable, truncated (damaged) or too-short video is listed
    with the build's own reason. With split files (--dataset=ucf101/hmdb51, or UCF101-format
    files for a folder dataset) the videos they list but the disk lacks are listed as missing,
    and the videos in no split apart. --move_bad_to=DIR moves the bad videos there (nothing is
    deleted).
  records: data_prep's records (local or Beam-built) or a TFDS build's version folder: every
    shard and record parses, the videos, positions, classes and splits agree with the manifest
    (or the TFDS metadata), every RGB and flow image decodes at the set's size; the class and
    split counts are printed. --sheet=PNG draws --sheet_records records (drawn with --seed, or
    --sheet_videos named), --sheet_positions positions each.

Exit status: 0 when nothing is wrong; 1 when a video is bad or missing, or the records have a
fault (each is named in the report); 2 with one `error:` line for input that cannot be read at
all (no manifest, split files that do not parse); absl's `FATAL Flags parsing error` (1) for a
bad flag.
"""

import os
import sys

from absl import app, flags

from data_prep.checking import contact_sheet, records, videos
from data_prep.datasets import splits as splits_lib
from data_prep.decoding import video as video_lib
from data_prep.decoding.positions import parse_positions
from experiments import cli

FLAGS = flags.FLAGS
flags.DEFINE_string("video_dir", None, "Videos to check: the video root, one sub-folder per "
                    "class (a video's id is <class>/<file>).")
flags.DEFINE_enum("dataset", "folder", list(splits_lib.DATASETS),
                  "ucf101 or hmdb51 (official split files in --splits_dir: the layout is checked "
                  "against them), or folder.")
flags.DEFINE_string("splits_dir", None, "Split files to check --video_dir against: UCF101's "
                    "ucfTrainTestlist, HMDB51's testTrainMulti_7030_splits, or UCF101-format "
                    "files for a folder dataset.")
flags.DEFINE_integer("frames_per_video", videos.DEFAULT_FRAMES, "Frames decoded a video: the "
                     "first, the last and evenly between.", lower_bound=2)
flags.DEFINE_float("min_decoded_fraction", video_lib.DEFAULT_MIN_DECODED_FRACTION,
                   "In (0, 1], as for the build: a video is damaged when fewer than this share "
                   "of the frames its container reports decode.")
flags.DEFINE_string("move_bad_to", None, "Move the bad videos to this folder, as <class>/<file> "
                    "(nothing is deleted; a file already there is left alone).")
flags.DEFINE_string("records_dir", None, "Records to check: data_prep's output (manifest.json) "
                    "or a TFDS build's version folder.")
flags.DEFINE_integer("expected_classes", None, "The class count the records must have, e.g. "
                     "101.", lower_bound=1)
flags.DEFINE_list("expected_splits", None, "The splits the records must hold, e.g. 1,2,3.")
flags.DEFINE_string("sheet", None, "Draw a contact sheet of the records to this PNG file.")
flags.DEFINE_integer("sheet_records", 4, "Records on the sheet, chosen at random with --seed.",
                     lower_bound=1)
flags.DEFINE_list("sheet_videos", None, "Video ids to draw instead of a random choice.")
flags.DEFINE_string("sheet_positions", "8", "Positions shown a record, from its first to its "
                    "last, or 'all'.")
flags.DEFINE_integer("seed", 0, "Seed of the sheet's random choice of records.")
flags.DEFINE_integer("num_workers", None, "Worker processes (default: the machine's cores).",
                     lower_bound=1)
flags.DEFINE_bool("progress", True, "Show the progress bars.")


def _something_to_check(values) -> bool:
    if not values["video_dir"] and not values["records_dir"]:
        raise flags.ValidationError("Expected --video_dir (videos to check), --records_dir "
                                    "(records to check), or both.")
    return True


def _sheet_needs_records(values) -> bool:
    if values["sheet"] and not values["records_dir"]:
        raise flags.ValidationError("--sheet draws records. Expected --records_dir with it.")
    return True


def _official_splits_given(values) -> bool:
    if values["dataset"] in ("ucf101", "hmdb51") and values["video_dir"] \
            and not values["splits_dir"]:
        raise flags.ValidationError(f"--dataset={values['dataset']} needs --splits_dir, the "
                                    f"official split files.")
    return True


def _not_the_video_dir(values) -> bool:
    target, root = values["move_bad_to"], values["video_dir"]
    if target and not root:
        raise flags.ValidationError("--move_bad_to applies to --video_dir. Expected "
                                    "--video_dir with it.")
    if target and root and os.path.realpath(target) == os.path.realpath(root):
        raise flags.ValidationError("--move_bad_to is --video_dir. Expected another folder.")
    return True


def _local_folder(what: str):
    """A validator: None or an existing folder on this machine (the checker reads local files)."""
    def check(path) -> bool:
        if path is None or os.path.isdir(path):
            return True
        problem = ("a remote path (copy it here first, e.g. gsutil -m cp -r)" if "://" in path
                   else "not a folder" if os.path.exists(path) else "no such folder")
        raise flags.ValidationError(f"{problem}. Expected {what}.")
    return check


flags.register_validator("video_dir", _local_folder("the video root, with one sub-folder per "
                                                    "class, on this machine"))
flags.register_validator("splits_dir", _local_folder("the folder of split files"))
flags.register_validator("records_dir", _local_folder("a records folder (manifest.json) or a "
                                                      "TFDS build's version folder, on this "
                                                      "machine"))
flags.register_validator("min_decoded_fraction", cli.in_range(0, 1, low_open=True))
flags.register_validator("sheet_positions", cli.parses(parse_positions))
flags.register_multi_flags_validator(["video_dir", "records_dir"], _something_to_check)
flags.register_multi_flags_validator(["sheet", "records_dir"], _sheet_needs_records)
flags.register_multi_flags_validator(["dataset", "splits_dir", "video_dir"],
                                     _official_splits_given)
flags.register_multi_flags_validator(["move_bad_to", "video_dir"], _not_the_video_dir)


def _check_videos() -> int:
    layout = videos.find_videos(FLAGS.video_dir, FLAGS.dataset, FLAGS.splits_dir)
    report = videos.check_videos(layout, FLAGS.frames_per_video, FLAGS.min_decoded_fraction,
                                 FLAGS.num_workers, FLAGS.progress)
    moved = videos.move_bad_videos(report, FLAGS.move_bad_to) if FLAGS.move_bad_to else None
    print(videos.format_videos_report(report, moved, FLAGS.move_bad_to), flush=True)
    return report.faults


def _check_records() -> int:
    report = records.check_records(FLAGS.records_dir, FLAGS.num_workers, FLAGS.progress,
                                   FLAGS.expected_classes, FLAGS.expected_splits)
    print(records.format_records_report(report), flush=True)
    if FLAGS.sheet:
        layout = contact_sheet.draw_contact_sheet(
            report, FLAGS.sheet, FLAGS.sheet_records, FLAGS.seed,
            parse_positions(FLAGS.sheet_positions), FLAGS.sheet_videos)
        print(f"contact sheet: {FLAGS.sheet} ({len(layout.videos)} records, "
              f"{len(layout.panels)} panels, {layout.width}x{layout.height} pixels): "
              + ", ".join(layout.videos), flush=True)
    return len(report.faults)


def main(argv):
    if len(argv) > 1:
        raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    faults = 0
    if FLAGS.video_dir:
        faults += _check_videos()
    if FLAGS.records_dir:
        faults += _check_records()
    if faults:
        print(f"error: {faults} fault(s) found (listed above).", file=sys.stderr, flush=True)
        return 1
    return 0


def run_main():
    """The `tan-check` console script."""
    cli.run(main)


if __name__ == "__main__":
    run_main()

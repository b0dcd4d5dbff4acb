"""What a build does, decided before any video is touched; shared by the local and Beam runners.

`make_plan` turns a dataset's splits into per-video tasks (sorted by id), finds the videos the
splits list but the disk lacks, and fixes the shard count. `shard_index` assigns a video to a
shard from its position in the sorted task list alone (round robin, so every shard mixes classes),
so the layout never depends on worker timing or on which other videos failed.
`assemble_manifest` builds the manifest from the per-video results. Both runners call these, so
they write the same bytes.

Input at fault (split files that do not parse or do not fit, videos the splits list but the disk
lacks, no videos at all) raises the `tan_keras.errors` classes, which the command prints as one
`error:` line; `MissingVideosError` is one of them.
"""

import dataclasses
import math
import os

from data_prep import files
from data_prep.datasets import splits as splits_lib
from data_prep.build.extract import PrepSettings, VideoResult, VideoTask
from tan_keras import record_format as rf
from tan_keras.errors import IncompatibleInputError, MissingInputError

DEFAULT_VIDEOS_PER_SHARD = 100  # ~75 MB shards at K=25, 340x256 (about 0.75 MB a video).


class MissingVideosError(MissingInputError):
    """Videos listed in the split files but absent from the video directory (a FileNotFoundError)."""


@dataclasses.dataclass
class BuildPlan:
    name: str
    dataset_splits: splits_lib.DatasetSplits
    tasks: list[VideoTask]          # present videos, sorted by id
    missing: list[str]              # ids listed in a split but not on disk, sorted
    num_shards: int
    params: dict

    def shard_paths(self, output_dir: str) -> list[str]:
        return [os.path.join(output_dir, rf.shard_filename(self.name, s, self.num_shards))
                for s in range(self.num_shards)]


def resolve_num_shards(num_videos: int, num_shards: int = 0,
                       videos_per_shard: int = DEFAULT_VIDEOS_PER_SHARD) -> int:
    """num_shards if > 0, else ceil(num_videos / videos_per_shard); at least 1, at most num_videos."""
    if num_shards < 0 or videos_per_shard <= 0:
        raise ValueError(f"Expected num_shards >= 0 and videos_per_shard > 0. Received: "
                         f"num_shards={num_shards}, videos_per_shard={videos_per_shard}")
    wanted = num_shards or math.ceil(num_videos / videos_per_shard)
    return max(1, min(wanted, max(num_videos, 1)))


def shard_index(task_index: int, num_shards: int) -> int:
    """The shard of the task at `task_index` in the sorted task list."""
    return task_index % num_shards


def _existence_check(video_dir: str):
    """os.path.isfile, or for a remote video_dir (gs://...) one listing of <class>/<video> files."""
    if files.is_local(video_dir):
        return os.path.isfile
    import tensorflow as tf
    found = set(tf.io.gfile.glob(video_dir.rstrip("/") + "/*/*"))
    return found.__contains__


def make_plan(dataset: str, video_dir: str, output_name: str, settings: PrepSettings, *,
              splits_dir: str | None = None, test_fraction: float = splits_lib.DEFAULT_TEST_FRACTION,
              num_shards: int = 0, videos_per_shard: int = DEFAULT_VIDEOS_PER_SHARD,
              on_missing: str = "stop") -> BuildPlan:
    """Reads the splits, checks the videos exist, and fixes tasks and shards.

    on_missing: 'stop' raises MissingVideosError naming every missing video; 'continue' leaves
    them out (the manifest lists them under "missing").
    """
    if on_missing not in ("stop", "continue"):
        raise ValueError(f"Expected on_missing in ('stop', 'continue'). Received: "
                         f"on_missing={on_missing!r}")
    dataset_splits = splits_lib.load_splits(dataset, video_dir, splits_dir, test_fraction)
    if not dataset_splits.labels:
        raise IncompatibleInputError(f"{splits_dir or video_dir}: the splits list no videos. "
                                     f"Expected split files with at least one video line.")
    exists = _existence_check(video_dir)
    tasks, missing = [], []
    for video_id in dataset_splits.videos():
        path = os.path.join(video_dir, *video_id.split("/"))
        if not exists(path):
            missing.append(video_id)
            continue
        label = dataset_splits.labels[video_id]
        tasks.append(VideoTask(path=path, filename=video_id, label=label,
                               label_text=dataset_splits.classes[label]))
    if not tasks:
        raise MissingVideosError(
            f"none of the {len(missing)} video(s) the splits list is in {video_dir} (the first "
            f"would be {os.path.join(video_dir, *missing[0].split('/'))}). Expected video_dir "
            f"to be the folder that holds the class folders.")
    if missing and on_missing == "stop":
        raise MissingVideosError(
            f"{len(missing)} video(s) listed in the splits are missing from {video_dir} (pass "
            f"on_missing='continue', or --on_missing=continue, to build without them):\n  "
            + "\n  ".join(missing))
    resolved_shards = resolve_num_shards(len(tasks), num_shards, videos_per_shard)
    params = {"dataset": dataset, "video_dir": video_dir, "splits_dir": splits_dir,
              "num_shards": resolved_shards, **settings.as_params()}
    if dataset == "folder" and not splits_dir:
        params["test_fraction"] = test_fraction
    return BuildPlan(name=output_name, dataset_splits=dataset_splits, tasks=tasks,
                     missing=missing, num_shards=resolved_shards, params=params)


def assemble_manifest(plan: BuildPlan, results: dict[str, VideoResult]) -> dict:
    """The manifest (see tan_keras.record_format) from every task's result, keyed by video id.

    Splits list only the videos that have a record; failures and missing videos are listed apart,
    and so are the damaged videos built from the frames that decode (on_damaged='build'):
    "damaged": [{"video", "decoded_frames", "container_frames"}, ...].
    """
    videos, failures, damaged = {}, [], []
    for i, task in enumerate(plan.tasks):
        result = results[task.filename]
        if result.ok:
            videos[task.filename] = {"label": task.label, "shard": shard_index(i, plan.num_shards),
                                     "num_positions": result.num_positions,
                                     "num_frames": result.num_frames}
            if result.damaged:
                damaged.append({"video": task.filename, "decoded_frames": result.num_frames,
                                "container_frames": result.container_frames})
        else:
            failures.append({"video": task.filename, "reason": result.reason})
    splits = {key: {side: [v for v in ids if v in videos] for side, ids in sides.items()}
              for key, sides in plan.dataset_splits.splits.items()}
    shards = [rf.shard_filename(plan.name, s, plan.num_shards) for s in range(plan.num_shards)]
    counts = {
        "classes": len(plan.dataset_splits.classes),
        "videos": len(videos),
        "positions": sum(v["num_positions"] for v in videos.values()),
        "failed": len(failures),
        "missing": len(plan.missing),
        "damaged": len(damaged),
        "record_bytes": sum(results[v].record_bytes for v in videos),
        "splits": {key: {side: len(ids) for side, ids in sides.items()}
                   for key, sides in splits.items()},
    }
    return {"format_version": rf.FORMAT_VERSION, "name": plan.name,
            "classes": list(plan.dataset_splits.classes), "shards": shards, "counts": counts,
            "videos": videos, "splits": splits, "failures": failures, "missing": plan.missing, "damaged": damaged,
            "params": plan.params}


def records_for_shard(plan: BuildPlan, shard: int, records_by_id) -> list[bytes]:
    """The records of one shard, in sorted-id order; `records_by_id(id)` gives bytes or None."""
    out = []
    for i, task in enumerate(plan.tasks):
        if shard_index(i, plan.num_shards) == shard:
            record = records_by_id(task.filename)
            if record is not None:
                out.append(record)
    return out

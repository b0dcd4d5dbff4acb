"""A build's work folder: the resumable per-video cache both engines (local, Beam) share.

Layout of `output_dir` while building (see WORKSPACE.md):
  .work/params.json          the settings and task list of the build in progress
  .work/<key>.json           one finished video: its result (the completion marker)
  .work/<key>.rec            its serialized record (written before the .json)
  <name>-SSSSS-of-NNNNN.tfrecord   shards, each written under a temporary name then renamed
  manifest.json              written last; then .work/ is removed

Killed at any moment and rerun with the same settings, a build reuses every finished video and
shard and writes the same bytes as an uninterrupted run: per-video files are written atomically,
shard contents depend only on the sorted task list, and the manifest holds no timings.
Rerun with other settings (any of the manifest's params, e.g. --on_damaged), it refuses with an
`IncompatibleInputError` naming the settings that differ, before it writes anything.
The folder may be remote (gs://... on Beam): every file goes through `data_prep.files`.
"""

import dataclasses
import hashlib
import json
import os

from data_prep import files
from data_prep.build import plan as plan_lib
from data_prep.build.extract import VideoResult
from data_prep.records import writing as records
from tan_keras import record_format as rf
from tan_keras.errors import IncompatibleInputError

WORK_DIRNAME = ".work"


def _key(video_id: str) -> str:
    return hashlib.sha1(video_id.encode("utf-8")).hexdigest()[:24]


def cache_result(work_dir: str, result: VideoResult, origin: dict | None = None) -> None:
    """Record first, then the .json that marks the video finished.

    origin: extra fields for the .json, e.g. {"worker": "host:pid", "run": id} (the Beam engine
    counts with them which worker processes built videos, and which videos this run computed).
    """
    key = _key(result.filename)
    if result.record is not None:
        files.write_atomically(os.path.join(work_dir, key + ".rec"), [result.record])
    meta = {k: v for k, v in vars(result).items() if k not in ("record", "seconds")}
    meta.update(origin or {})
    files.write_atomically(os.path.join(work_dir, key + ".json"),
                           [json.dumps(meta, sort_keys=True).encode("utf-8")])


_RESULT_FIELDS = {f.name for f in dataclasses.fields(VideoResult)}


def cached_meta(work_dir: str, video_id: str) -> dict | None:
    """The .json of a finished video (its result fields and origin), or None."""
    path = os.path.join(work_dir, _key(video_id) + ".json")
    if not files.exists(path):
        return None
    meta = json.loads(files.read_bytes(path))
    return meta if meta.get("filename") == video_id else None


def result_from_meta(meta: dict) -> VideoResult:
    """A finished video's result (without its record bytes) from its .json (`cached_meta`)."""
    return VideoResult(**{k: v for k, v in meta.items() if k in _RESULT_FIELDS})


def load_cached(work_dir: str, video_id: str) -> VideoResult | None:
    """The result of a video an earlier run finished (without its record bytes), or None."""
    meta = cached_meta(work_dir, video_id)
    return None if meta is None else result_from_meta(meta)


def read_record(work_dir: str, video_id: str) -> bytes:
    return files.read_bytes(os.path.join(work_dir, _key(video_id) + ".rec"))


def remove_temporaries(directory: str) -> None:
    for f in files.list_dir(directory):
        if ".tmp-" in f:
            path = os.path.join(directory, f)
            files.remove(path)


def _differences(found: dict, wanted: dict) -> str:
    """'on_damaged: 'fail' there, 'build' here; ...' for the keys whose values differ."""
    keys = sorted(k for k in set(found) | set(wanted) if found.get(k) != wanted.get(k))
    return "; ".join(f"{k}: {found.get(k)!r} there, {wanted.get(k)!r} here" for k in keys)


def _check_or_start(work_dir: str, output_dir: str, plan: plan_lib.BuildPlan) -> None:
    """Refuses to mix two builds' files in one output_dir."""
    fingerprint = {"name": plan.name, "params": plan.params,
                   "videos": [t.filename for t in plan.tasks]}
    path = os.path.join(work_dir, "params.json")
    if files.exists(path):
        found = json.loads(files.read_bytes(path))
        if found != fingerprint:
            differ = _differences({"name": found.get("name"), **found.get("params", {})},
                                  {"name": plan.name, **plan.params})
            raise IncompatibleInputError(
                f"{output_dir} holds an unfinished build with other settings or videos ({path}: "
                f"{differ or 'other videos'}). Use a new output_dir or delete that one.")
        return
    files.make_dirs(work_dir)
    files.write_atomically(path, [json.dumps(fingerprint, sort_keys=True).encode("utf-8")])


@dataclasses.dataclass
class WorkFolder:
    """A build in `output_dir` (local or remote), as `open_work_folder` found it.

    finished: the manifest of a finished build of the same plan (nothing is left to do), or None;
    results: the videos an earlier, interrupted run finished, by id (from work_dir's .json files).
    """
    output_dir: str
    work_dir: str
    finished: dict | None
    results: dict


def open_work_folder(plan: plan_lib.BuildPlan, output_dir: str) -> WorkFolder:
    """Starts or resumes a build of `plan` in `output_dir` (the local and Beam engines share it).

    Raises IncompatibleInputError, before anything is written, when output_dir holds a finished
    or unfinished build with other settings or videos.
    """
    files.make_dirs(output_dir)
    manifest_path = os.path.join(output_dir, rf.MANIFEST_FILENAME)
    work_dir = os.path.join(output_dir, WORK_DIRNAME)
    if files.exists(manifest_path):
        manifest = records.read_manifest(output_dir)
        if manifest.get("params") != plan.params or manifest.get("name") != plan.name:
            differ = _differences({"name": manifest.get("name"), **manifest.get("params", {})},
                                  {"name": plan.name, **plan.params})
            raise IncompatibleInputError(
                f"{output_dir} already holds a finished build with other settings "
                f"({manifest_path}: {differ}). Use a new output_dir or delete that one.")
        files.remove_tree(work_dir)
        return WorkFolder(output_dir, work_dir, manifest, {})
    _check_or_start(work_dir, output_dir, plan)
    remove_temporaries(work_dir)
    remove_temporaries(output_dir)
    results = {}
    for task in plan.tasks:
        cached = load_cached(work_dir, task.filename)
        if cached is not None:
            results[task.filename] = cached
    return WorkFolder(output_dir, work_dir, None, results)


def write_shard_from_cache(plan: plan_lib.BuildPlan, shard: int, output_dir: str,
                           work_dir: str) -> None:
    """Writes shard `shard` from the finished videos in work_dir, unless a run already wrote it."""
    path = plan.shard_paths(output_dir)[shard]
    if files.exists(path):
        return
    ok = {}
    for i, task in enumerate(plan.tasks):
        if plan_lib.shard_index(i, plan.num_shards) == shard:
            ok[task.filename] = load_cached(work_dir, task.filename).ok
    records.write_shard(path, plan_lib.records_for_shard(
        plan, shard, lambda v: read_record(work_dir, v) if ok[v] else None))


def finish_work_folder(plan: plan_lib.BuildPlan, folder: WorkFolder, results: dict) -> dict:
    """Writes the shards no run has written yet, then the manifest (last); removes work_dir.

    results: every task's VideoResult, by id. Returns the manifest.
    """
    for shard in range(plan.num_shards):
        write_shard_from_cache(plan, shard, folder.output_dir, folder.work_dir)
    manifest = plan_lib.assemble_manifest(plan, results)
    records.write_manifest(folder.output_dir, manifest)
    files.remove_tree(folder.work_dir)
    return manifest

"""The end-of-build summary and the projected cost of a full UCF101 build at the same settings.

UCF101 has 13,320 videos and about 2.5 M frames, so about 2.5 M flow pairs at every frame, or
13,320 x K at K positions a video (a few UCF101 clips are shorter than K = 25; the projection
ignores that). The projection scales the rate and the bytes per position measured in this run.

The summary names every failure with its reason (a damaged video, by default, is one), every
missing video, and every damaged video built from the frames that decode (--on_damaged=build),
with both frame counts.
"""

import dataclasses

UCF101_VIDEOS = 13_320
UCF101_PAIRS_ALL_FRAMES = 2_500_000


@dataclasses.dataclass
class RunStats:
    """What this run measured: videos and flow pairs it computed (not resumed ones), wall seconds.

    num_workers: worker slots (0: unknown, e.g. a Dataflow job without --num_workers); runner:
    what ran the build ('' for the local engine); worker_ids: the processes ("host:pid") that
    computed this run's videos (the Beam engine reads them from its per-video files).
    """
    num_workers: int
    videos_done: int = 0
    pairs_done: int = 0
    bytes_done: int = 0
    videos_resumed: int = 0
    wall_seconds: float = 0.0
    runner: str = ""
    worker_ids: tuple[str, ...] = ()

    @property
    def pairs_per_second(self) -> float:
        return self.pairs_done / self.wall_seconds if self.wall_seconds > 0 else 0.0


def ucf101_pairs(positions: int) -> int:
    """Flow pairs of a full UCF101 build: 13,320 x K, or ~2.5 M at every frame (positions=0)."""
    return UCF101_PAIRS_ALL_FRAMES if positions == 0 else UCF101_VIDEOS * positions


def project_ucf101(positions: int, pairs_per_second: float, bytes_per_position: float,
                   num_workers: int) -> dict:
    """Projected full-UCF101 pairs, hours (with these workers), core-hours and storage bytes."""
    pairs = ucf101_pairs(positions)
    hours = pairs / pairs_per_second / 3600 if pairs_per_second > 0 else float("nan")
    return {"pairs": pairs, "hours": hours, "core_hours": hours * num_workers,
            "storage_bytes": pairs * bytes_per_position}


def format_summary(manifest: dict, stats: RunStats) -> str:
    """Human-readable lines: counts, failures, measured rate, and the UCF101 projection."""
    counts = manifest["counts"]
    positions = manifest["params"]["positions"]
    width, height = manifest["params"]["frame_size"]
    bytes_per_position = counts["record_bytes"] / counts["positions"] if counts["positions"] else 0.0
    damaged = manifest.get("damaged", [])
    lines = [
        f"Built {counts['videos']} video records ({counts['positions']} positions) in "
        f"{len(manifest['shards'])} shard(s); {counts['failed']} failed, {counts['missing']} missing"
        + (f", {len(damaged)} damaged." if damaged else "."),
    ]
    for failure in manifest["failures"]:
        lines.append(f"  failed: {failure['video']}: {failure['reason']}")
    for video in manifest["missing"]:
        lines.append(f"  missing: {video}")
    for entry in damaged:
        lines.append(f"  damaged: {entry['video']}: built from the {entry['decoded_frames']} of "
                     f"its container's {entry['container_frames']} frames that decode.")
    if stats.videos_resumed:
        lines.append(f"Resumed {stats.videos_resumed} video(s) finished by an earlier run.")
    if stats.runner:
        lines.append(f"Ran on {stats.runner}: {stats.videos_done} video(s) computed by "
                     f"{len(stats.worker_ids)} worker process(es).")
    workers = f"{stats.num_workers} worker(s)" if stats.num_workers else "the runner's workers"
    if stats.pairs_done:
        lines.append(f"This run: {stats.pairs_done} flow pairs in {stats.wall_seconds:.1f} s with "
                     f"{workers}: {stats.pairs_per_second:.2f} pairs/s; "
                     f"{bytes_per_position / 1024:.1f} KiB per position.")
        cost = project_ucf101(positions, stats.pairs_per_second, bytes_per_position,
                              stats.num_workers)
        what = "every frame" if positions == 0 else f"K={positions}"
        core_hours = f" ({cost['core_hours']:.1f} core-hours)" if stats.num_workers else ""
        lines.append(f"Projected full UCF101 at {what}, {width}x{height}: {cost['pairs']:,} pairs, "
                     f"{cost['hours']:.1f} h with {workers}{core_hours}, "
                     f"{cost['storage_bytes'] / 1e9:.2f} GB of records.")
    return "\n".join(lines)

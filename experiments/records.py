"""What the stages need from a records directory's manifest.json (see tan_keras/record_format.py)."""

from pathlib import Path

from tan_keras import record_format


def build_records_command(records_dir) -> str:
    return ("python -m data_prep.build_records --dataset=ucf101|hmdb51|folder "
            f"--video_dir=<videos> --splits_dir=<split files> --output_dir={records_dir}")


def read_manifest(records_dir: Path) -> dict:
    """The manifest of `records_dir`; a missing one names the command that builds it."""
    path = Path(records_dir) / record_format.MANIFEST_FILENAME
    try:
        manifest = record_format.read_manifest(str(records_dir))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"No records at {records_dir}: {path.name} is missing (the data_prep stage writes it "
            f"last). Build them with: {build_records_command(records_dir)}") from None
    for key in ("name", "classes", "splits"):
        if key not in manifest:
            raise ValueError(f"Expected key {key!r} in {path}. Received: keys={sorted(manifest)}")
    return manifest


def split_videos(manifest: dict, split: int, subset: str, records_dir) -> list[str]:
    """Video ids of `subset` ('train' or 'test') in `split`; names the split when absent."""
    key = record_format.split_key(split)
    if key not in manifest["splits"]:
        raise ValueError(f"Expected split {key} in the manifest of {records_dir}. "
                         f"Received: splits={sorted(manifest['splits'])}")
    videos = manifest["splits"][key].get(subset, [])
    if not videos:
        raise ValueError(f"Expected {subset} videos in split {key} of {records_dir}. "
                         f"Received: none")
    return videos

"""Official-format split files for the six real UCF101 clips, and records built from them."""

from pathlib import Path

UCF_CLASSES = ("BabyCrawling", "Punch", "PushUps")


def write_ucf101_splits(folder: Path) -> Path:
    """Official-format split files (split 1) listing only the six real UCF101 clips.

    Train: the g08 clips; test: the g01 clips, as in the official split 1. CRLF line ends, as the
    official files have.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "classInd.txt").write_bytes(
        "".join(f"{i} {c}\r\n" for i, c in enumerate(UCF_CLASSES, 1)).encode())
    (folder / "trainlist01.txt").write_bytes("".join(
        f"{c}/v_{c}_g08_c01.avi {i}\r\n" for i, c in enumerate(UCF_CLASSES, 1)).encode())
    (folder / "testlist01.txt").write_bytes("".join(
        f"{c}/v_{c}_g01_c01.avi\r\n" for c in UCF_CLASSES).encode())
    return folder


def build_ucf101_records(shared_data: Path, root: Path) -> Path:
    """<root>/ucf101: records of the 6 real clips, 3 positions of 80x60 frames; returns root."""
    from data_prep.build import run_local
    from data_prep.extract import PrepSettings
    from data_prep.plan import make_plan

    splits = write_ucf101_splits(root / "splits")
    settings = PrepSettings(positions=3, frame_size=(80, 60))
    plan = make_plan("ucf101", str(shared_data / "videos" / "ucf101"), "ucf101", settings,
                     splits_dir=str(splits))
    run_local(plan, str(root / "ucf101"), settings, num_workers=1, progress=False)
    return root

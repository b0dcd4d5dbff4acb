"""Official-format split files for the six real UCF101 clips, and records built from them."""

from pathlib import Path

TFDS_POSITIONS, TFDS_FRAME_WIDTH, TFDS_FRAME_HEIGHT = 3, 80, 60

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
    from data_prep.build.local import run_local
    from data_prep.build.extract import PrepSettings
    from data_prep.build.plan import make_plan

    splits = write_ucf101_splits(root / "splits")
    settings = PrepSettings(positions=3, frame_width=80, frame_height=60)
    plan = make_plan("ucf101", str(shared_data / "videos" / "ucf101"), "ucf101", settings,
                     splits_dir=str(splits))
    run_local(plan, str(root / "ucf101"), settings, num_workers=1, progress=False)
    return root


def build_tfds_ucf101(shared_data: Path, root: Path) -> Path:
    """TanVideoFlow's ucf101 split 1 of the six real clips (`real_records`' split files), 3
    positions of 80x60 frames, prepared in root/data; returns its version folder.

    TFDS reuses a prepared folder: a second call with the same root builds nothing.
    """
    import tensorflow_datasets as tfds

    from data_prep.datasets.tfds_builder import TanVideoFlow, TanVideoFlowConfig

    manual = root / "manual"
    if not (manual / "UCF-101").exists():
        manual.mkdir(parents=True, exist_ok=True)
        (manual / "UCF-101").symlink_to(shared_data / "videos" / "ucf101",
                                        target_is_directory=True)
        write_ucf101_splits(manual / "ucfTrainTestlist")
    config = TanVideoFlowConfig(name="ucf101_split1_tiny", dataset="ucf101", split=1,
                                positions=TFDS_POSITIONS, frame_width=TFDS_FRAME_WIDTH,
                                frame_height=TFDS_FRAME_HEIGHT)
    builder = TanVideoFlow(config=config, data_dir=str(root / "data"))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(manual)))
    return Path(builder.data_dir)


# A TemporalAttention subclass in a module of the user's own (tests/helpers/user_code), by the
# import path the commands take.
USER_ATTENTION = "user_attention:ScaledAttention"


def train_and_evaluate_tiny(records: Path, workspace: Path) -> str:
    """Trains a tiny TAN one epoch on `records` (fixed seed) with the user's attention layer and
    evaluates it into `workspace`, both by the commands as typed (train_tan with
    --attention_layer, evaluate without: it imports the layer the run recorded); returns the run
    name (scores in workspace/evaluate/<run>/scores.npz)."""
    from tests.helpers.commands import EAGER, TINY_MODEL, TINY_TRAINING, output_of, python_module

    run_name = "ucf101_split1_tan_imagenet"
    common = [f"--records_dir={records}", f"--workspace={workspace}", f"--run_name={run_name}"]
    for command, flags in (
            ("experiments.train_tan", [*TINY_TRAINING, *TINY_MODEL, *EAGER,
                                       f"--attention_layer={USER_ATTENTION}"]),
            ("experiments.evaluate", ["--noprogress"])):
        result = python_module(command, *common, *flags)
        assert result.returncode == 0, f"{command}\n{output_of(result)}"
    return run_name


HMDB_LAYOUT = {  # HMDB51 class -> (real clip, its split-1 code: 1 train, 2 test)
    "brush_hair": [("hmdb51/brush_hair/April_09_brush_hair_u_nm_np1_ba_goo_0.avi", 1)],
    **{name: [(f"ucf101/{ucf}/v_{ucf}_g08_c01.avi", 1), (f"ucf101/{ucf}/v_{ucf}_g01_c01.avi", 2)]
       for name, ucf in (("crawl", "BabyCrawling"), ("punch", "Punch"), ("pushup", "PushUps"))},
}


def write_hmdb51_layout(shared_data: Path, folder: Path) -> tuple[Path, Path]:
    """Real clips laid out as HMDB51: (video folder, official-format split folder).

    The one real HMDB51 clip (brush_hair, train) and the six real UCF101 clips as three more
    classes (the g08 clip trains, the g01 clip tests), as links in `<class>/<video>.avi`
    folders; split 1 in `<class>_test_split1.txt` files, with the official trailing space.
    """
    videos, splits = folder / "hmdb51", folder / "testTrainMulti_7030_splits"
    splits.mkdir(parents=True, exist_ok=True)
    for name, clips in HMDB_LAYOUT.items():
        (videos / name).mkdir(parents=True, exist_ok=True)
        lines = []
        for clip, code in clips:
            link = videos / name / Path(clip).name
            if not link.exists():
                link.symlink_to(shared_data / "videos" / clip)
            lines.append(f"{link.name} {code} \n")
        (splits / f"{name}_test_split1.txt").write_text("".join(lines))
    return videos, splits

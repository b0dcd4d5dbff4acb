"""A tensorflow-datasets builder over raw videos in `manual_dir`, reusing `extract.extract_positions`.

TFDS users get the same positions, frames and quantised flow as the TFRecords, with TFDS's own
storage, splits and `tfds.load`:

  import tensorflow_datasets as tfds
  from data_prep.datasets.tfds_builder import TanVideoFlow, TanVideoFlowConfig
  builder = TanVideoFlow(config="ucf101_split1", data_dir="~/tensorflow_datasets")
  builder.download_and_prepare(download_config=tfds.download.DownloadConfig(
      manual_dir="~/downloads/ucf101"))     # holds UCF-101/ and ucfTrainTestlist/
  train = builder.as_dataset(split="train")

Each example: 'rgb' [P, H, W, 3] uint8 (JPEG), 'flow_x' and 'flow_y' [P, H, W, 1] uint8 (PNG,
lossless; quantised as in `flow.quantize`), 'frame_index' [P] int64, 'label' (a ClassLabel whose
names are the dataset's classes), 'label_text', 'video/filename', 'video/num_frames'. TFDS
encodes the frames itself, so the RGB bytes differ from the TFRecords' while the flow arrays are
exactly the ones `extract_positions` computed. A video that fails to decode (any
`video.VideoDecodeError`, damaged videos included) is skipped with a logged warning.

A config holds ONE official split (config.split) as the TFDS splits 'train' and 'test'.
`builder.info.metadata` (metadata.json in the version folder) records, in manifest.json's
vocabulary (`tan_keras.record_format`):
  {"format_version": 1, "name": "ucf101",          # ucf101, hmdb51, or the config name (folder)
   "dataset": "ucf101", "config": "ucf101_split1",
   "classes": [...],                                 # index i is label i
   "split": "1", "splits": {"1": {"train": [ids], "test": [ids]}},   # as the split files list
   "failures": [{"video": id, "reason": "..."}],     # the skipped videos
   "params": {"positions", "frame_size": [width, height], "flow_bound", "rgb_format",
              "flow_format"}}
so the version folder is a records directory for `tan_keras.data.train_dataset`/`eval_dataset`
and `python -m experiments.train_tan --records_dir=<version folder>`
(`tan_keras.data.tfds_source` reads it).

Versions: 2.0.0: 'label' is a ClassLabel for every config (its names in label.labels.txt) and
metadata.json is written; 1.0.0: the first release ('label' a plain int64 for ucf101/hmdb51, no
metadata; tan_keras cannot read it, rebuild).
"""

import dataclasses
import os

import numpy as np
import tensorflow_datasets as tfds
from absl import logging
from etils import epath

from data_prep.datasets import splits as splits_lib
from data_prep.build.extract import PrepSettings, extract_positions
from data_prep.decoding.video import VideoDecodeError
from tan_keras import record_format as rf

_LAYOUTS = {  # dataset -> (video sub-folder, splits sub-folder) inside manual_dir
    "ucf101": ("UCF-101", "ucfTrainTestlist"),
    "hmdb51": ("hmdb51", "testTrainMulti_7030_splits"),
    "folder": ("videos", None),
}


@dataclasses.dataclass
class TanVideoFlowConfig(tfds.core.BuilderConfig):
    """dataset: 'ucf101' | 'hmdb51' | 'folder'; split: which official split gives train/test;
    frame_width, frame_height: the stored frames' size (340 x 256 by default).

    TFDS keeps only a config's name, description and tags in dataset_info.json; the frame size
    of a build is in features.json (the frames' shape) and metadata.json ("params":
    "frame_size" [width, height], as manifest.json has it).
    """
    dataset: str = "folder"
    split: int = 1
    positions: int = 25
    frame_width: int = 340
    frame_height: int = 256
    flow_bound: float = 20.0
    test_fraction: float = splits_lib.DEFAULT_TEST_FRACTION
    classes: tuple[str, ...] = ()  # folder datasets: the class names, in label order


def _configs():
    configs = []
    for dataset in ("ucf101", "hmdb51"):
        for split in (1, 2, 3):
            configs.append(TanVideoFlowConfig(name=f"{dataset}_split{split}", dataset=dataset,
                                              split=split, description=f"{dataset} split {split}, "
                                              f"25 positions, 340x256."))
    return configs


def _check_classes(config: TanVideoFlowConfig, classes: list) -> None:
    """A folder config's `classes` must be the dataset's classes in label order."""
    if config.classes and list(config.classes) != list(classes):
        raise ValueError(f"Expected config.classes to be the dataset's classes in label order, "
                         f"{list(classes)}. Received: classes={tuple(config.classes)}")


def _split_sides(dataset_splits: splits_lib.DatasetSplits, split: int) -> dict:
    """{'train': [ids], 'test': [ids]} of official split `split`."""
    key = rf.split_key(split)
    if key not in dataset_splits.splits:
        raise ValueError(f"Expected config.split in {sorted(dataset_splits.splits)} (the split "
                         f"files found). Received: split={split!r}")
    return dataset_splits.splits[key]


def _dataset_name(config: TanVideoFlowConfig) -> str:
    """The records' name: 'ucf101' or 'hmdb51', or the config's name for a folder dataset."""
    return config.name if config.dataset == "folder" else config.dataset


class TanVideoFlow(tfds.core.GeneratorBasedBuilder):
    """Videos -> K positions of RGB and TV-L1 flow, from raw videos in manual_dir."""

    VERSION = tfds.core.Version("2.0.0")
    RELEASE_NOTES = {
        "2.0.0": "'label' is a ClassLabel for every config; metadata.json records the name, "
                 "classes, split, its videos and the skipped ones (readable by tan_keras.data).",
        "1.0.0": "First release.",
    }
    # TFDS's default `code_path` needs the `importlib_resources` package for builders that live
    # in a package; this file's path is what it would compute.
    code_path = epath.Path(__file__)
    BUILDER_CONFIGS = _configs()
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "Put the raw dataset in manual_dir: UCF-101/ and ucfTrainTestlist/ for ucf101; hmdb51/ "
        "(one folder per class) and testTrainMulti_7030_splits/ for hmdb51; videos/ (one folder "
        "per class) for a folder dataset.")

    def _info(self) -> tfds.core.DatasetInfo:
        config = self.builder_config
        height, width = config.frame_height, config.frame_width
        # Without config.classes, the names come from the split files (`_split_generators`).
        label = (tfds.features.ClassLabel(names=list(config.classes)) if config.classes else
                 tfds.features.ClassLabel())
        return self.dataset_info_from_configs(features=tfds.features.FeaturesDict({
            rf.TFDS_RGB: tfds.features.Video((None, height, width, 3), encoding_format="jpeg"),
            rf.TFDS_FLOW_X: tfds.features.Video((None, height, width, 1), encoding_format="png"),
            rf.TFDS_FLOW_Y: tfds.features.Video((None, height, width, 1), encoding_format="png"),
            rf.TFDS_FRAME_INDEX: tfds.features.Tensor(shape=(None,), dtype=np.int64),
            rf.TFDS_LABEL: label,
            rf.TFDS_LABEL_TEXT: tfds.features.Text(),
            rf.TFDS_VIDEO_FILENAME: tfds.features.Text(),
            rf.TFDS_NUM_FRAMES: tfds.features.Scalar(dtype=np.int64),
        }), metadata=tfds.core.MetadataDict())

    def _metadata(self, dataset_splits: splits_lib.DatasetSplits, sides: dict) -> dict:
        """metadata.json's content before any video is processed (see the module docstring)."""
        config = self.builder_config
        key = rf.split_key(config.split)
        return {"format_version": rf.TFDS_METADATA_VERSION, "name": _dataset_name(config),
                "dataset": config.dataset, "config": config.name,
                "classes": list(dataset_splits.classes), "split": key,
                "splits": {key: {side: list(ids) for side, ids in sides.items()}},
                "failures": [],
                "params": {"positions": config.positions,
                           "frame_size": [config.frame_width, config.frame_height],
                           "flow_bound": config.flow_bound, "rgb_format": "jpeg",
                           "flow_format": "png"}}

    def _split_generators(self, dl_manager):
        config = self.builder_config
        video_sub, splits_sub = _LAYOUTS[config.dataset]
        video_dir = os.path.join(dl_manager.manual_dir, video_sub)
        splits_dir = os.path.join(dl_manager.manual_dir, splits_sub) if splits_sub else None
        dataset_splits = splits_lib.load_splits(config.dataset, video_dir, splits_dir,
                                                config.test_fraction)
        _check_classes(config, dataset_splits.classes)
        if not config.classes:
            self.info.features[rf.TFDS_LABEL].names = list(dataset_splits.classes)
        sides = _split_sides(dataset_splits, config.split)
        self.info.metadata.clear()
        self.info.metadata.update(self._metadata(dataset_splits, sides))
        return {side: self._generate_examples(video_dir, dataset_splits, ids)
                for side, ids in sides.items()}

    def _generate_examples(self, video_dir, dataset_splits, video_ids):
        config = self.builder_config
        settings = PrepSettings(positions=config.positions, frame_width=config.frame_width,
                                frame_height=config.frame_height, flow_bound=config.flow_bound)
        for video_id in video_ids:
            path = os.path.join(video_dir, *video_id.split("/"))
            try:
                positions = extract_positions(path, settings)
            except (VideoDecodeError, OSError) as e:
                logging.warning("Skipping %s: %s", video_id, e)
                # Saved with the dataset: TFDS writes the metadata after generating the splits.
                self.info.metadata["failures"].append({"video": video_id, "reason": str(e)})
                continue
            label = dataset_splits.labels[video_id]
            yield video_id, {
                rf.TFDS_RGB: positions.rgb, rf.TFDS_FLOW_X: positions.flow[..., :1],
                rf.TFDS_FLOW_Y: positions.flow[..., 1:],
                rf.TFDS_FRAME_INDEX: positions.frame_indices, rf.TFDS_LABEL: label,
                rf.TFDS_LABEL_TEXT: dataset_splits.classes[label],
                rf.TFDS_VIDEO_FILENAME: video_id, rf.TFDS_NUM_FRAMES: positions.num_frames,
            }

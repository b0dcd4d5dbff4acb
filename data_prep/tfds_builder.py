"""A tensorflow-datasets builder over raw videos in `manual_dir`, reusing `extract.extract_positions`.

TFDS users get the same positions, frames and quantised flow as the TFRecords, with TFDS's own
storage, splits and `tfds.load`:

  import tensorflow_datasets as tfds
  from data_prep.tfds_builder import TanVideoFlow, TanVideoFlowConfig
  builder = TanVideoFlow(config="ucf101_split1", data_dir="~/tensorflow_datasets")
  builder.download_and_prepare(download_config=tfds.download.DownloadConfig(
      manual_dir="~/downloads/ucf101"))     # holds UCF-101/ and ucfTrainTestlist/
  train = builder.as_dataset(split="train")

Each example: 'rgb' [P, H, W, 3] uint8 (JPEG), 'flow_x' and 'flow_y' [P, H, W, 1] uint8 (PNG,
lossless; quantised as in `flow.quantize`), 'frame_index' [P] int64, 'label' (a ClassLabel when
the config names the classes, else an int64), 'label_text', 'video/filename',
'video/num_frames'. TFDS encodes the frames itself, so the bytes differ from the TFRecords while
the flow arrays are exactly the ones `extract_positions` computed. A video that fails to decode
is skipped with a logged warning.
"""

import dataclasses
import os

import numpy as np
import tensorflow_datasets as tfds
from absl import logging
from etils import epath

from data_prep import splits as splits_lib
from data_prep.extract import PrepSettings, extract_positions
from data_prep.video import VideoDecodeError

_LAYOUTS = {  # dataset -> (video sub-folder, splits sub-folder) inside manual_dir
    "ucf101": ("UCF-101", "ucfTrainTestlist"),
    "hmdb51": ("hmdb51", "testTrainMulti_7030_splits"),
    "folder": ("videos", None),
}


@dataclasses.dataclass
class TanVideoFlowConfig(tfds.core.BuilderConfig):
    """dataset: 'ucf101' | 'hmdb51' | 'folder'; split: which official split gives train/test."""
    dataset: str = "folder"
    split: int = 1
    positions: int = 25
    frame_size: tuple[int, int] = (340, 256)
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


class TanVideoFlow(tfds.core.GeneratorBasedBuilder):
    """Videos -> K positions of RGB and TV-L1 flow, from raw videos in manual_dir."""

    VERSION = tfds.core.Version("1.0.0")
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
        width, height = config.frame_size
        names = list(config.classes) if config.classes else None
        return self.dataset_info_from_configs(features=tfds.features.FeaturesDict({
            "rgb": tfds.features.Video((None, height, width, 3), encoding_format="jpeg"),
            "flow_x": tfds.features.Video((None, height, width, 1), encoding_format="png"),
            "flow_y": tfds.features.Video((None, height, width, 1), encoding_format="png"),
            "frame_index": tfds.features.Tensor(shape=(None,), dtype=np.int64),
            "label": tfds.features.ClassLabel(names=names) if names else
                     tfds.features.Scalar(dtype=np.int64),
            "label_text": tfds.features.Text(),
            "video/filename": tfds.features.Text(),
            "video/num_frames": tfds.features.Scalar(dtype=np.int64),
        }))

    def _split_generators(self, dl_manager):
        config = self.builder_config
        video_sub, splits_sub = _LAYOUTS[config.dataset]
        video_dir = os.path.join(dl_manager.manual_dir, video_sub)
        splits_dir = os.path.join(dl_manager.manual_dir, splits_sub) if splits_sub else None
        dataset_splits = splits_lib.load_splits(config.dataset, video_dir, splits_dir,
                                                config.test_fraction)
        sides = dataset_splits.splits[str(config.split)]
        return {side: self._generate_examples(video_dir, dataset_splits, ids)
                for side, ids in sides.items()}

    def _generate_examples(self, video_dir, dataset_splits, video_ids):
        config = self.builder_config
        settings = PrepSettings(positions=config.positions, frame_size=tuple(config.frame_size),
                                flow_bound=config.flow_bound)
        for video_id in video_ids:
            path = os.path.join(video_dir, *video_id.split("/"))
            try:
                positions = extract_positions(path, settings)
            except (VideoDecodeError, OSError) as e:
                logging.warning("Skipping %s: %s", video_id, e)
                continue
            label = dataset_splits.labels[video_id]
            yield video_id, {
                "rgb": positions.rgb, "flow_x": positions.flow[..., :1],
                "flow_y": positions.flow[..., 1:],
                "frame_index": positions.frame_indices, "label": label,
                "label_text": dataset_splits.classes[label], "video/filename": video_id,
                "video/num_frames": positions.num_frames,
            }

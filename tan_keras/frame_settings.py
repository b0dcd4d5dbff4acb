"""What a records directory's frames are: `FrameSettings`, one value shared by data_prep and
tan_keras (no TensorFlow, so data_prep's processes import it cheaply).

A model trained on records must see a new video the way the records stored it
(`data_prep.decoding.model_input.video_clip`), so the training stage records these settings
(settings.json "frames") and the exported models carry them. The number of snippets T is the
model's, not the frames', and travels beside them.
"""

import dataclasses

# What a manifest or a recorded dict that lacks a value had: data_prep's defaults when it was
# written (a TFDS build records no JPEG quality; older manifests record fewer params).
_DEFAULTS = {"positions": 25, "flow_bound": 20.0, "flow_format": "jpeg", "jpeg_quality": 95}


@dataclasses.dataclass(frozen=True)
class FrameSettings:
    """The stored frames of a records directory.

    Attributes:
      height, width: the stored frames' size in pixels (every video of a build has it).
      positions: K positions stored a video (0: every frame).
      flow_bound: flow clipped to +-bound before the uint8 map.
      flow_format: 'jpeg' or 'png', the flow images' encoding (RGB is always JPEG).
      jpeg_quality: of the RGB JPEGs (and JPEG flow).
    """
    height: int
    width: int
    positions: int = _DEFAULTS["positions"]
    flow_bound: float = _DEFAULTS["flow_bound"]
    flow_format: str = _DEFAULTS["flow_format"]
    jpeg_quality: int = _DEFAULTS["jpeg_quality"]

    def __post_init__(self):
        if min(self.height, self.width) < 1:
            raise ValueError(f"Expected a positive frame size. Received: height={self.height}, "
                             f"width={self.width}")
        if self.flow_format not in ("jpeg", "png"):
            raise ValueError(f"Expected flow_format 'jpeg' or 'png'. Received: "
                             f"flow_format={self.flow_format!r}")

    @classmethod
    def from_dict(cls, values: dict) -> "FrameSettings":
        """Reads `to_dict`'s form {"height", "width", ...}, and the older one that settings.json
        "frames", exported models' metadata and manifest.json's "params" hold:
        {"frame_size": [width, height], ...}. Other keys (such as "num_snippets") are ignored;
        a missing positions, flow_bound, flow_format or jpeg_quality takes data_prep's default.

        Raises:
          KeyError: without "height"/"width" or "frame_size".
        """
        if "height" in values and "width" in values:
            height, width = values["height"], values["width"]
        else:
            width, height = values["frame_size"]  # [width, height], data_prep's --frame_size
        known = {key: values.get(key, default) for key, default in _DEFAULTS.items()}
        return cls(height=int(height), width=int(width), positions=int(known["positions"]),
                   flow_bound=float(known["flow_bound"]), flow_format=str(known["flow_format"]),
                   jpeg_quality=int(known["jpeg_quality"]))

    def to_dict(self) -> dict:
        """JSON-ready {"height", "width", "positions", "flow_bound", "flow_format",
        "jpeg_quality"}."""
        return dataclasses.asdict(self)

"""`model_card` and `run_model_card`: a model's parameters and FLOPs, part by part, as a dict.

A card counts the float model's forward pass in inference (`tan_keras.model_card.parts`) for one
view, which is one clip of T snippets through both streams, and for one video under the paper's
10-view test protocol: 10 views, plus the in-model preprocessing that makes them (`TestViews`)
and the averaging of their scores (`ViewAveraging`), both counted and shown apart. It adds the
cost of the video's TV-L1 flow (`tan_keras.model_card.tvl1`), which happens before the model,
and, on request, XLA's own count of the same forward pass (`tan_keras.model_card.xla`).

Example:

>>> card = model_card("tiny", num_classes=101)
>>> card["total"]["params"], card["total"]["flops_per_view"]
(136922, 41445106)
"""

from pathlib import Path

from tan_keras.errors import IncompatibleInputError
from tan_keras.frame_settings import FrameSettings
from tan_keras.model_card import protocol_costs, tvl1
from tan_keras.model_card.building import architecture_dict, build_card_model
from tan_keras.model_card.counts import Count
from tan_keras.model_card.parts import count_model
from tan_keras.presets import ARCHITECTURES, Architecture
from tan_keras.protocol import NUM_TEST_VIEWS

CONVENTIONS = {
    "flop": "one multiply or one add (also a subtract, divide, compare, max or min); a "
            "multiply-add is 2 FLOPs",
    "transcendentals": "exp, tanh, sigmoid, sqrt: counted apart, one an element, not in the FLOPs",
    "view": "one clip of T snippets through both streams (batch 1, inference)",
    "video": f"{NUM_TEST_VIEWS} views (4 corner and the centre crop, and their mirrors), plus "
             "the in-model preprocessing that makes them and the averaging of their scores",
    "convolution": "2 k_h k_w C_in / groups C_out H_out W_out, every tap; padding_flops is the "
                   "share on 'same' zero padding, which XLA does not count",
    "batch_norm": "counted, 2 FLOPs an element (scale and shift), not folded into the "
                  "convolution",
    "tvl1": "ops of OpenCV's TV-L1 at its defaults (tan_keras.model_card.tvl1): 'max' with every "
            "loop at its cap, 'typical' at the mean iterations of real pairs",
}


def _resolve_architecture(architecture) -> tuple[dict, str]:
    if isinstance(architecture, str):
        if architecture not in ARCHITECTURES:
            raise ValueError(f"Expected an architecture preset in {list(ARCHITECTURES)}. "
                             f"Received: architecture={architecture!r}")
        return ARCHITECTURES[architecture].to_dict(), f"preset {architecture!r}"
    return architecture_dict(architecture), "architecture"


def _count_dict(count: Count, suffix: str = "") -> dict:
    return {f"flops{suffix}": count.flops, f"transcendentals{suffix}": count.transcendentals,
            f"padding_flops{suffix}": count.padding_flops}


def model_card(architecture: str | Architecture | dict, num_classes: int, model: str = "tan",
               frame_height: int = tvl1.DEFAULT_FRAME_HEIGHT,
               frame_width: int = tvl1.DEFAULT_FRAME_WIDTH,
               positions: int | None = tvl1.DEFAULT_POSITIONS, xla: bool = False,
               attention_layer=None, source: str | None = None) -> dict:
    """The card of `model` at `architecture` with `num_classes` classes.

    Args:
      architecture: a preset name of `tan_keras.presets.ARCHITECTURES` ('paper', 'quickstart',
        'tiny'), an `Architecture`, or a dict of its fields.
      num_classes: C.
      model: a name of `tan_keras.choices.MODELS` ('tan', 'two_stream', ...).
      frame_height, frame_width: the stored frames the flow is computed on (data_prep's
        default 340x256).
      positions: K, the positions a video data_prep stores (25 by default), for the flow; None
        (every frame stored) leaves the stored positions' flow out.
      xla: also compile the forward pass with XLA and put its counts beside ours (under a
        minute for GoogLeNet on a 2-core CPU).
      attention_layer: for TAN, a `TemporalAttention` subclass to build it with, or its import
        path 'package.module:ClassName' (a subclass that overrides `_calculate_scores` is
        listed in 'uncounted'; XLA counts it all the same).
      source: what the card describes, for its 'source' field (default: the preset or
        'architecture').

    Returns:
      A JSON-ready dict: 'model', 'num_classes', 'architecture', 'source', 'conventions';
      'parts' {part: {'params', 'flops_per_view', 'transcendentals_per_view',
      'padding_flops_per_view', 'flops_per_video'}} in `parts.PARTS` order; 'total' {'params',
      'flops_per_view', 'transcendentals_per_view', 'padding_flops_per_view'}; 'per_video'
      {'views', 'model_flops', 'test_views_flops', 'view_averaging_flops', 'flops',
      'transcendentals'}; 'tvl1' (`tvl1.tvl1_cost`); 'uncounted' (layer calls no rule counts);
      and with xla=True, 'xla' (`xla_comparison`).
    """
    values, described = _resolve_architecture(architecture)
    network = build_card_model(model, num_classes, values, attention_layer)
    counted = count_model(network)
    steps = values["num_snippets"]
    parts = {name: {"params": part.params, **_count_dict(part.count, "_per_view"),
                    "flops_per_video": NUM_TEST_VIEWS * part.count.flops}
             for name, part in counted.parts.items()}
    view = counted.count
    test_views = protocol_costs.test_views_count(steps, values["image_size"], values["backbone"])
    averaging = protocol_costs.view_averaging_count(num_classes, steps, attention=model == "tan")
    video = NUM_TEST_VIEWS * view + test_views + averaging
    card = {
        "model": model, "num_classes": num_classes, "architecture": values,
        "source": source or described, "conventions": dict(CONVENTIONS),
        "parts": parts,
        "total": {"params": counted.params, **_count_dict(view, "_per_view")},
        "per_video": {"views": NUM_TEST_VIEWS, "model_flops": NUM_TEST_VIEWS * view.flops,
                      "test_views_flops": test_views.flops,
                      "view_averaging_flops": averaging.flops, "flops": video.flops,
                      "transcendentals": video.transcendentals},
        "tvl1": tvl1.tvl1_cost(frame_height, frame_width, steps, positions),
        "uncounted": list(counted.uncounted),
    }
    if xla:
        from tan_keras.model_card.xla import xla_counts

        card["xla"] = xla_comparison(counted, xla_counts(model, num_classes, values,
                                                         attention_layer))
    return card


def xla_comparison(counted, xla: dict) -> dict:
    """Ours beside XLA's, per part and per view.

    Args:
      counted: `parts.count_model`'s `ModelCount`.
      xla: `xla.xla_counts`'s dict.

    Returns:
      {'backend', 'per_view': row, 'parts': {part: row}, 'compile_seconds'}, a row being
      {'analytic',
      'analytic_without_padding', 'xla', 'ratio' (xla / analytic_without_padding),
      'analytic_transcendentals', 'xla_transcendentals'}.
    """
    def row(ours: Count, theirs: Count) -> dict:
        without_padding = ours.flops - ours.padding_flops
        return {"analytic": ours.flops, "analytic_without_padding": without_padding,
                "xla": theirs.flops,
                "ratio": round(theirs.flops / without_padding, 6) if without_padding else None,
                "analytic_transcendentals": ours.transcendentals,
                "xla_transcendentals": theirs.transcendentals}

    return {"backend": "jax, cpu", "per_view": row(counted.count, xla["per_view"]),
            "parts": {name: row(part.count, xla["parts"].get(name, Count()))
                      for name, part in counted.parts.items()},
            "compile_seconds": xla["compile_seconds"]}


SETTINGS_KEYS = ("model", "num_classes", "backbone", "image_size", "num_snippets",
                 "model_options")


def run_model_card(stage_dir, xla: bool = False) -> dict:
    """The card of a trained run: a train_tan stage folder, read from its settings.json.

    Uses 'model', 'num_classes', 'backbone', 'image_size', 'num_snippets', 'model_options'
    ({rnn, rnn_units, attention_units, dropout}), 'frames' (the stored frame size and
    positions, for the flow; data_prep's defaults without it) and 'attention_layer' (the import
    path of a `TemporalAttention` subclass, imported from there).

    Args:
      stage_dir: the train_tan stage folder (<workspace>/train_tan/<run_name>).
      xla: as `model_card`.

    Raises:
      MissingInputError: no settings.json, or an attention layer that cannot be imported.
      IncompatibleInputError: settings.json lacks a key the card needs.
    """
    from tan_keras.training.stage_files import read_settings

    stage_dir = Path(stage_dir)
    settings = read_settings(stage_dir)
    missing = [key for key in SETTINGS_KEYS if key not in settings]
    if missing:
        raise IncompatibleInputError(
            f"Expected {stage_dir / 'settings.json'} of a train_tan stage, with "
            f"{list(SETTINGS_KEYS)}. Received: no {missing} (is it another stage's folder?)")
    options = settings["model_options"]
    architecture = {"backbone": settings["backbone"], "num_snippets": settings["num_snippets"],
                    "image_size": settings["image_size"],
                    **{key: options[key] for key in ("rnn", "rnn_units", "attention_units",
                                                     "dropout")}}
    frames = FrameSettings.from_dict(settings["frames"]) if settings.get("frames") else (
        FrameSettings(tvl1.DEFAULT_FRAME_HEIGHT, tvl1.DEFAULT_FRAME_WIDTH,
                      tvl1.DEFAULT_POSITIONS))
    return model_card(architecture, settings["num_classes"], settings["model"],
                      frame_height=frames.height, frame_width=frames.width,
                      positions=frames.positions or None, xla=xla,
                      attention_layer=_recorded_attention(settings, stage_dir),
                      source=f"run {stage_dir}")


def _recorded_attention(settings: dict, stage_dir: Path):
    """The attention class settings.json records (imported now, so that a missing module is
    reported against the file), or None."""
    recorded = settings.get("attention_layer")
    if not recorded:
        return None
    from tan_keras.layers.attention_path import attention_class

    return attention_class(recorded, where=str(stage_dir / "settings.json"))

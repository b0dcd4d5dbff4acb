"""The card: its totals per view and per video, a trained run's card, its markdown, and the
comparison with XLA (its arithmetic; XLA itself runs in tests/experiments/test_model_card.py)."""

import json

import pytest

from tan_keras.errors import IncompatibleInputError, MissingInputError
from tan_keras.frame_settings import FrameSettings
from tan_keras.model_card import card_markdown, model_card, run_model_card
from tan_keras.model_card.card import xla_comparison
from tan_keras.model_card.counts import Count
from tan_keras.model_card.parts import ModelCount, PartCount
from tan_keras.presets import ARCHITECTURES
from tan_keras.training.settings import ModelOptions
from tan_keras.training.tan_stage import stage_settings
from tests.helpers.tiny import tiny_settings

TINY = ARCHITECTURES["tiny"]


@pytest.fixture(scope="module")
def card():
    return model_card("tiny", num_classes=7, frame_height=60, frame_width=80, positions=4)


def test_per_view_and_per_video_totals(card):
    parts = card["parts"].values()
    assert card["total"]["params"] == sum(part["params"] for part in parts)
    assert card["total"]["flops_per_view"] == sum(part["flops_per_view"] for part in parts)
    video = card["per_video"]
    assert video["views"] == 10
    assert video["model_flops"] == 10 * card["total"]["flops_per_view"]
    assert all(part["flops_per_video"] == 10 * part["flops_per_view"] for part in parts)
    # The 10 views' preprocessing, by hand: T S^2 pixels a view; 5 channels of 3 lerps (9
    # FLOPs), the flow x mirror (1), the magnitude (4 and a sqrt), x / 127.5 - 1 on 6 channels.
    pixels = 10 * TINY.num_snippets * TINY.image_size ** 2
    assert video["test_views_flops"] == pixels * (5 * 9 + 1 + 4 + 6 * 2)
    assert video["flops"] == (video["model_flops"] + video["test_views_flops"]
                              + video["view_averaging_flops"])
    json.dumps(card)  # JSON-ready


def test_the_flow_a_video_needs(card):
    flow = card["tvl1"]
    assert flow["scales"] == [[60, 80], [48, 64], [38, 51], [30, 41], [24, 33]]
    pair = flow["ops_per_pair"]
    assert pair["typical"] < pair["max"]
    assert flow["per_video"]["test_snippets"] == {
        "pairs": TINY.num_snippets, "max": TINY.num_snippets * pair["max"],
        "typical": TINY.num_snippets * pair["typical"]}
    assert flow["per_video"]["stored_positions"]["pairs"] == 4


GRU = ModelOptions(rnn="gru", rnn_units=6, attention_units=5)


def _write_settings(folder, model="two_stream", **recorded):
    """settings.json as train_tan writes it (`stage_settings`): a tiny GRU run, 7 classes."""
    manifest = {"name": "ucf101", "classes": [f"class{i}" for i in range(7)]}
    settings = stage_settings(manifest, 1, model, "imagenet", tiny_settings(), GRU, False,
                              frames=FrameSettings(height=60, width=80, positions=4).to_dict(),
                              **recorded)
    (folder / "settings.json").write_text(json.dumps(settings))
    return settings


def test_a_run_is_carded_from_its_settings(tmp_path):
    _write_settings(tmp_path)
    card = run_model_card(tmp_path)
    expected = model_card({**TINY.to_dict(), **GRU.to_dict()}, 7, "two_stream",
                          frame_height=60, frame_width=80, positions=4)
    assert card["source"] == f"run {tmp_path}"
    keys = ("model", "architecture", "parts", "total", "per_video", "tvl1")
    assert {key: card[key] for key in keys} == {key: expected[key] for key in keys}
    assert card["architecture"]["rnn"] == "gru" and "attention" not in card["parts"]


def test_a_runs_attention_layer_is_imported_from_its_path(tmp_path):
    _write_settings(tmp_path, model="tan",
                    attention_layer="user_attention:ScaledAttention")
    card = run_model_card(tmp_path)
    assert card["uncounted"] == ["temporal_attention (ScaledAttention)"]
    # w1..w8 [6, 5], v and u [5], and the subclass's own temperature.
    assert card["parts"]["attention"]["params"] == 8 * 6 * 5 + 2 * 5 + 1


def test_a_folder_that_is_not_a_train_tan_stage(tmp_path):
    with pytest.raises(MissingInputError, match="settings.json"):
        run_model_card(tmp_path)
    settings = _write_settings(tmp_path)
    del settings["model_options"]
    (tmp_path / "settings.json").write_text(json.dumps(settings))
    with pytest.raises(IncompatibleInputError, match=r"no \['model_options'\]"):
        run_model_card(tmp_path)


def test_markdown_shows_every_part_and_the_totals(card):
    text = card_markdown(card)
    for name in card["parts"]:
        assert f"| {name} | {card['parts'][name]['params']:,} |" in text
    assert f"| **the model** | {card['total']['params']:,} |" in text
    assert "TV-L1 flow at 80x60" in text


def test_xla_comparison_takes_the_padding_out():
    counted = ModelCount({"rgb_backbone": PartCount(10, Count(1000, 0, 200), ("rgb_backbone",)),
                          "fusion": PartCount(0, Count(50, 5), ("average_fusion",))}, ())
    xla = {"per_view": Count(860, 7), "compile_seconds": 1.0,
           "parts": {"rgb_backbone": Count(808, 2), "fusion": Count(52, 5)}}
    compared = xla_comparison(counted, xla)
    assert compared["parts"]["rgb_backbone"]["analytic_without_padding"] == 800
    assert compared["parts"]["rgb_backbone"]["ratio"] == 1.01
    assert compared["per_view"] == {"analytic": 1050, "analytic_without_padding": 850,
                                    "xla": 860, "ratio": round(860 / 850, 6),
                                    "analytic_transcendentals": 5, "xla_transcendentals": 7}

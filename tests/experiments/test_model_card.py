"""`python -m experiments.model_card` as a user types it: the tiny preset's card with XLA's
count beside ours (XLA in a JAX subprocess of the command), and a flag mistake."""

import json

from tests.helpers.commands import output_of, problem_lines, python_module

# XLA counts the optimised program: the analytic count, less the taps on 'same' padding, must
# match it within 0.5% in total (the rest: batch norm's per-channel constants, XLA's sigmoid
# expansion, casts; 0.01% on the tiny preset, 0.0004% on the paper's).
TOTAL_TOLERANCE = 0.005


def test_tiny_card_with_xla(tmp_path):
    output = tmp_path / "cards" / "tiny.json"
    result = python_module("experiments.model_card", "--preset=tiny", "--model=tan",
                           "--num_classes=7", "--xla", f"--output={output}", timeout=300)
    assert result.returncode == 0, output_of(result)
    card = json.loads(output.read_text())
    assert "| **the model** | " in result.stdout and "XLA's cost analysis" in result.stdout
    assert card["source"] == "preset 'tiny'" and card["num_classes"] == 7
    assert card["uncounted"] == []
    total = card["xla"]["per_view"]
    assert total["analytic"] == card["total"]["flops_per_view"]
    assert abs(total["ratio"] - 1) < TOTAL_TOLERANCE, card["xla"]
    # Without taking the padding out they would differ by far more: the check can fail.
    assert total["xla"] < (1 - 10 * TOTAL_TOLERANCE) * total["analytic"], card["xla"]
    parts = card["xla"]["parts"]
    assert abs(parts["rgb_backbone"]["ratio"] - 1) < 0.001, parts["rgb_backbone"]
    for name in ("spatial_classifier", "temporal_classifier"):
        assert parts[name]["xla"] == parts[name]["analytic"], parts[name]
    for name in ("spatial_rnn", "attention"):  # XLA's sigmoid expansion and fusion: a few %
        assert abs(parts[name]["ratio"] - 1) < 0.05, parts[name]
        assert parts[name]["xla_transcendentals"] == parts[name]["analytic_transcendentals"]


def test_run_and_preset_flags_do_not_mix(tmp_path):
    result = python_module("experiments.model_card", f"--run={tmp_path}", "--preset=tiny",
                           timeout=120)
    assert result.returncode != 0
    lines = problem_lines(result.stderr)
    assert any("--run gives the model and its sizes; drop --preset" in line for line in lines), \
        output_of(result)

"""--attention_layer as a user types it. The shared tiny run (tests/conftest.py,
`evaluated_tiny_run`) is trained with `--attention_layer=user_attention:ScaledAttention` (a module
outside the tan-keras packages) and evaluated, exported and predicted without naming it again
(tests/experiments/test_predict.py, tests/tan_keras/inference/test_export.py); here: the layer the
run recorded, and the errors of a path that does not import."""

import json

from tests.helpers.commands import output_of, problem_lines, python_module
from tests.helpers.real_records import USER_ATTENTION


def test_the_run_records_the_users_layer_and_evaluate_used_it(evaluated_tiny_run):
    # That the run is rebuilt with ScaledAttention: tests/tan_keras/inference/test_export.py.
    _, workspace, run_name = evaluated_tiny_run
    recorded = json.loads((workspace / "train_tan" / run_name / "settings.json").read_text())
    assert recorded["attention_layer"] == USER_ATTENTION
    results = json.loads((workspace / "evaluate" / run_name / "results.json").read_text())
    assert results["run"]["attention_layer"] == USER_ATTENTION and results["num_videos"] == 3


def test_a_path_that_does_not_import_ends_reproduce_before_any_stage(ucf_records_root, tmp_path):
    result = python_module("experiments.reproduce", "--table=3",
                           f"--records_dir={ucf_records_root}", f"--workspace={tmp_path / 'ws'}",
                           "--backbone=tiny", "--image_size=32",
                           "--attention_layer=no_such_package.layers:MyAttention")
    assert result.returncode == 2 and "Traceback" not in result.stderr, output_of(result)
    assert problem_lines(result.stderr) == [
        "error: Expected --attention_layer=package.module:ClassName, whose module is importable "
        "here (installed, or on PYTHONPATH). Received: "
        "--attention_layer=no_such_package.layers:MyAttention: importing 'no_such_package.layers' "
        "failed: No module named 'no_such_package'"]
    assert not (tmp_path / "ws" / "pretrain_cnn").exists()


def test_a_malformed_path_is_refused_at_parse_time(tmp_path):
    result = python_module("experiments.train_tan", f"--records_dir={tmp_path}",
                           f"--workspace={tmp_path}", "--attention_layer=my_attention.py")
    assert result.returncode == 1, output_of(result)
    assert ("--attention_layer=my_attention.py: Expected package.module:ClassName"
            in result.stderr), output_of(result)

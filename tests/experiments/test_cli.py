"""`experiments.cli.flag_terms`: the library's argument names become the command's flags."""

import pytest
from absl import flags

from experiments import cli


def _flags():
    values = flags.FlagValues()
    flags.DEFINE_integer("batch_size", 8, "", flag_values=values)
    flags.DEFINE_bool("imagenet", True, "", flag_values=values)
    flags.DEFINE_string("init", "imagenet", "", flag_values=values)
    flags.DEFINE_string("run_name", None, "", flag_values=values)
    return cli.command_flags(values)


def test_arguments_that_are_flags_read_as_flags_and_others_stay():
    known = _flags()
    assert set(known) == {"batch_size", "imagenet", "init", "run_name"}
    assert cli.flag_terms("Expected at least batch_size=4 videos. Received: 3.", known) == \
        "Expected at least --batch_size=4 videos. Received: 3."
    assert cli.flag_terms("Incompatible checkpoint for init='tan:<checkpoint>': x", known) == \
        "Incompatible checkpoint for --init=tan:<checkpoint>: x"
    assert cli.flag_terms("(imagenet=False); choose another `run_name` or `workspace`.",
                          known) == "(--noimagenet); choose another --run_name or `workspace`."
    # Already a flag, a path that happens to hold a name, a name that is no flag: unchanged.
    text = "python -m x --batch_size=3 --records_dir=a/batch_size=3 strategy='mirrored'"
    assert cli.flag_terms(text, known) == text


def test_a_library_message_reads_in_the_commands_flags(tmp_path):
    """train_tan --init=cnn before pretrain_cnn: the library names the stage and its arguments;
    the command shows those it has as flags (stream is pretrain_cnn's, so it stays)."""
    from tan_keras.errors import MissingInputError
    from tan_keras.training import initialization
    from tests.helpers.tiny import tiny_settings

    values = flags.FlagValues()
    for name in ("records_dir", "workspace", "init", "backbone"):
        flags.DEFINE_string(name, None, "", flag_values=values)
    for name in ("split", "image_size"):
        flags.DEFINE_integer(name, 1, "", flag_values=values)
    settings = tiny_settings()
    with pytest.raises(MissingInputError) as refused:
        initialization.pretrained_cnn_weights(tmp_path, "ucf101", 1, settings, "records/ucf101")
    line = cli.flag_terms(str(refused.value), cli.command_flags(values))
    assert line.startswith("Expected a finished pretrain_cnn stage (ucf101, split 1, stream rgb) "
                           "for --init=cnn. Received: no "), line
    assert line.endswith(f"(`tan_keras.training.pretrain_cnn`, docs/training.md) with "
                         f"--records_dir=records/ucf101, --workspace={tmp_path}, stream='rgb', "
                         f"--split=1, --backbone={settings.backbone}, "
                         f"--image_size={settings.image_size}."), line

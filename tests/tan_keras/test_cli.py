"""`tan_keras.cli.flag_terms`: the library's argument names become the command's flags."""

from absl import flags

from tan_keras import cli


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

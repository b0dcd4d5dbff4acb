"""Reading a process's place from TF_CONFIG, and the refusals of a multi-process run that cannot
start, each from its module of `tan_keras.training.distribution`; the package re-exports them
for the stages. The runs themselves are tests/experiments/test_multi_process.py."""

import json

import pytest

from tan_keras.errors import IncompatibleInputError
from tan_keras.training import distribution
from tan_keras.training.distribution import cluster, placement, tf_config


def _config(cluster, task_type, index):
    return json.dumps({"cluster": cluster, "task": {"type": task_type, "index": index}})


def test_ranks_from_tf_config_put_the_chief_first(monkeypatch):
    workers = {"worker": ["h0:1", "h1:1", "h2:1"]}
    monkeypatch.setenv("TF_CONFIG", _config(workers, "worker", 2))
    assert tf_config.tf_config_process() == {"index": 2, "count": 3}
    with_chief = {"chief": ["c:1"], **workers}
    monkeypatch.setenv("TF_CONFIG", _config(with_chief, "chief", 0))
    assert tf_config.tf_config_process() == {"index": 0, "count": 4}
    monkeypatch.setenv("TF_CONFIG", _config(with_chief, "worker", 0))
    assert tf_config.tf_config_process() == {"index": 1, "count": 4}


@pytest.mark.parametrize("text, expected", [
    ("{not json", "Expected TF_CONFIG to be JSON like"),
    (json.dumps({"cluster": {"worker": ["h0:1"]}}), "Expected TF_CONFIG to be JSON like"),
    (_config({"worker": ["h0:1", "h1:1"]}, "worker", 2), "one of its cluster's 2 workers"),
])
def test_a_bad_tf_config_is_named(monkeypatch, text, expected):
    monkeypatch.setenv("TF_CONFIG", text)
    with pytest.raises(IncompatibleInputError, match=expected):
        tf_config.tf_config_process()


def test_no_tf_config_and_no_joined_cluster_are_refused(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(IncompatibleInputError, match="Expected the TF_CONFIG environment"):
        tf_config.tf_config_process()
    assert cluster.joined_cluster() is None
    with pytest.raises(IncompatibleInputError, match="joined its cluster"):
        placement.check_strategy("multi_worker")
    with pytest.raises(ValueError, match="Expected strategy in"):
        placement.check_strategy("ring")


def test_the_global_batch_must_divide_by_the_replicas():
    two = placement.Placement(scope=None, replicas=2, process=cluster.ProcessGroup(0, 1),
                              distribute=None)
    placement.check_global_batch(4, two)
    with pytest.raises(IncompatibleInputError, match="divide by the 2 replicas"):
        placement.check_global_batch(3, two)


def test_the_package_keeps_the_names_the_stages_and_commands_call():
    for name in ("join_cluster", "joined_cluster", "check_strategy", "place", "process_note",
                 "report_weights", "Placement", "ProcessGroup", "ReplicaStatisticsAverage"):
        assert getattr(distribution, name) is not None, name
    assert distribution.place is placement.place
    assert distribution.joined_cluster is cluster.joined_cluster

"""This process's rank and the number of processes, from the TF_CONFIG environment variable."""

import json
import os

from tan_keras.errors import IncompatibleInputError


def tf_config_process() -> dict:
    """{'index': this process's rank, 'count': the number of processes}, from TF_CONFIG; a chief
    task, where the cluster has one, is rank 0, then the workers in order."""
    text = os.environ.get("TF_CONFIG")
    if not text:
        raise IncompatibleInputError("Expected the TF_CONFIG environment variable for "
                                     "strategy='multi_worker'. Received: TF_CONFIG is not set")
    try:
        config = json.loads(text)
        cluster, task = config["cluster"], config["task"]
        workers = list(cluster.get("chief", [])) + list(cluster.get("worker", []))
        index = (0 if task["type"] == "chief"
                 else len(cluster.get("chief", [])) + int(task["index"]))
    except (ValueError, KeyError, TypeError) as error:
        raise IncompatibleInputError(
            "Expected TF_CONFIG to be JSON like {\"cluster\": {\"worker\": [\"host0:port\", "
            "\"host1:port\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}. Received: "
            f"{text!r} ({type(error).__name__}: {error})") from None
    if not 0 <= index < len(workers):
        raise IncompatibleInputError(f"Expected TF_CONFIG's task to be one of its cluster's "
                                     f"{len(workers)} workers. Received: {text!r}")
    return {"index": index, "count": len(workers)}

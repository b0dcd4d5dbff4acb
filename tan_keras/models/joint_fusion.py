"""Joint-network fusion baselines of Fig. 3: FC fusion, branch selection (BS) and BS + L2.

The paper's appendix that defines them is missing. Our reading, shared by the three: two
CNN + LSTM/GRU streams as in `build_two_stream`, each with its own classifier on its last
recurrent output ('spatial', 'temporal'), plus a learned fusion head that produces 'fused'.
Fig. 3 reports spatial, temporal and fused accuracy for each, which fits this layout, and the
paper's "one-stream-dominating-network" problem is what a learned fusion of two streams that
converge at different speeds runs into. Training (`compile_for_training`) adds a cross-entropy
on 'fused' to the two branch losses for these models, because their fusion has weights.
"""

import keras

from tan_keras.models.network import TwoStreamNetwork, network_builder
from tan_keras.presets import PAPER

from tan_keras.layers import GatedFusion
from tan_keras.models import streams

FUSED_CLASSIFIER = "fused_classifier"
BRANCH_GATE = "branch_gate"


def _two_streams(num_classes, backbone, num_snippets, image_size, rnn, rnn_units, dropout,
                 backbone_weights):
    """Shared body: inputs, per-branch last recurrent outputs [B, U] and branch logits [B, C]."""
    streams.validate_common_args(num_classes, num_snippets, image_size)
    inputs = streams.stream_inputs(num_snippets, image_size)
    cnns = streams.stream_backbones_for(backbone, image_size, backbone_weights)
    last, logits = {}, {}
    for stream in streams.STREAMS:
        branch = streams.BRANCH_OF_STREAM[stream]
        features = streams.snippet_features(inputs[stream], cnns[stream], num_snippets, stream)
        outputs, _ = streams.recurrent_branch(features, branch, rnn, rnn_units, dropout)
        last[branch] = streams.last_step(outputs, f"{branch}_last")
        logits[branch] = streams.classifier(last[branch], num_classes, branch, dropout)
    return inputs, last, logits


def _joint_features(last, dropout):
    """concat(h_T, g_T) [B, 2U], with dropout."""
    joint = keras.layers.Concatenate(name="joint_features")([last["spatial"], last["temporal"]])
    if dropout:
        joint = keras.layers.Dropout(dropout, name="joint_dropout")(joint)
    return joint


@network_builder("fc_fusion")
def build_fc_fusion(num_classes: int, backbone: str = PAPER.backbone,
                    num_snippets: int = PAPER.num_snippets, image_size: int = PAPER.image_size,
                    rnn: str = PAPER.rnn, rnn_units: int = PAPER.rnn_units,
                    dropout: float = PAPER.dropout, backbone_weights=None,
                    name: str = "fc_fusion") -> keras.Model:
    """FC fusion (Fig. 3): a fully connected layer over both streams' last recurrent outputs.

    Our reading: fused = softmax(Dense_C(concat(h_T, g_T))) ('fused_classifier'); 'spatial'
    and 'temporal' are the per-stream classifiers on h_T and g_T. The fused head sees both
    streams and may learn to lean on the faster-converging one.

    Args and returns: as `build_two_stream`; 'fused' holds the fusion head's probabilities.
    """
    inputs, last, logits = _two_streams(num_classes, backbone, num_snippets, image_size, rnn,
                                        rnn_units, dropout, backbone_weights)
    fused = keras.layers.Dense(num_classes, activation="softmax", name=FUSED_CLASSIFIER,
                               dtype="float32")(_joint_features(last, dropout))
    return TwoStreamNetwork(inputs, dict(logits, fused=fused), name=name)


def _branch_selection(num_classes, backbone, num_snippets, image_size, rnn, rnn_units, dropout,
                      backbone_weights, gate_l2, name):
    inputs, last, logits = _two_streams(num_classes, backbone, num_snippets, image_size, rnn,
                                        rnn_units, dropout, backbone_weights)
    regularizer = keras.regularizers.L2(gate_l2) if gate_l2 else None
    gate = keras.layers.Dense(2, activation="softmax", name=BRANCH_GATE, dtype="float32",
                              activity_regularizer=regularizer)(_joint_features(last, dropout))
    p_spatial = keras.layers.Softmax(name="spatial_softmax", dtype="float32")(logits["spatial"])
    p_temporal = keras.layers.Softmax(name="temporal_softmax", dtype="float32")(logits["temporal"])
    fused = GatedFusion(name="gated_fusion", dtype="float32")([gate, p_spatial, p_temporal])
    return TwoStreamNetwork(inputs, dict(logits, fused=fused), name=name)


@network_builder("branch_selection")
def build_branch_selection(num_classes: int, backbone: str = PAPER.backbone,
                           num_snippets: int = PAPER.num_snippets,
                           image_size: int = PAPER.image_size, rnn: str = PAPER.rnn,
                           rnn_units: int = PAPER.rnn_units, dropout: float = PAPER.dropout,
                           backbone_weights=None, name: str = "branch_selection") -> keras.Model:
    """Branch selection, BS (Fig. 3): a per-clip gate chooses how much to trust each branch.

    Our reading: gate [B, 2] = softmax(Dense_2(concat(h_T, g_T))) ('branch_gate');
    fused = gate_s softmax(spatial) + gate_t softmax(temporal). Nothing stops the gate from
    settling on one branch (the "one-stream-dominating" problem); see `build_bs_l2`.

    Args and returns: as `build_two_stream`; 'fused' holds the gated mix of probabilities.
    """
    return _branch_selection(num_classes, backbone, num_snippets, image_size, rnn, rnn_units,
                             dropout, backbone_weights, gate_l2=0.0, name=name)


@network_builder("bs_l2")
def build_bs_l2(num_classes: int, backbone: str = PAPER.backbone,
                num_snippets: int = PAPER.num_snippets, image_size: int = PAPER.image_size,
                rnn: str = PAPER.rnn, rnn_units: int = PAPER.rnn_units,
                dropout: float = PAPER.dropout, backbone_weights=None, gate_l2: float = 0.1,
                name: str = "bs_l2") -> keras.Model:
    """BS + L2 (Fig. 3): branch selection with an L2 penalty on the gate.

    Our reading: the loss gains gate_l2 * ||gate||^2 (a Keras activity regulariser on
    'branch_gate'). Since the two gate weights sum to 1, ||gate||^2 = 1/2 + 2 (gate_s - 1/2)^2:
    the penalty pulls the gate towards an even mix, against one branch dominating.

    Args:
      gate_l2: the penalty's weight (the paper gives none; 0.1 by default).
      Others as `build_branch_selection`.
    """
    if gate_l2 < 0:
        raise ValueError(f"Expected `gate_l2` >= 0. Received: gate_l2={gate_l2!r}")
    return _branch_selection(num_classes, backbone, num_snippets, image_size, rnn, rnn_units,
                             dropout, backbone_weights, gate_l2=gate_l2, name=name)

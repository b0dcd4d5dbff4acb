"""The paper's published accuracies (%), as the project reads them (docs/paper_readings.md).

Keys match what `tables.reproduce` measures, so a table prints both side by side. None = no number.
"""

# Table 1, split 1: rows are pre-training settings; columns (dataset, variant).
TABLE1_ROWS = ("imagenet", "cnn", "cnn_ucf101", "tan_ucf101")
TABLE1_ROW_TITLES = {
    "imagenet": "ImageNet",
    "cnn": "CNN on target",
    "cnn_ucf101": "CNN on UCF101",
    "tan_ucf101": "TAN on UCF101",
}
TABLE1 = {
    ("hmdb51", "TAN"): {"imagenet": 60.5, "cnn": 68.6, "cnn_ucf101": 70.3, "tan_ucf101": 70.2},
    ("hmdb51", "TAN+"): {"imagenet": 69.0, "cnn": 73.0, "cnn_ucf101": 73.7, "tan_ucf101": 73.9},
    ("ucf101", "TAN"): {"imagenet": 86.2, "cnn": 92.0, "cnn_ucf101": None, "tan_ucf101": None},
    ("ucf101", "TAN+"): {"imagenet": 91.8, "cnn": 93.8, "cnn_ucf101": None, "tan_ucf101": None},
}

# The branches of Table 1's rows where the paper prints them: Table 3's TAN is Table 1's "TAN on
# UCF101" (lines 464-466, and 70.2 in both), so its spatial and temporal are that row's.
TABLE1_BRANCHES = {("hmdb51", "tan_ucf101"): {"spatial": 51.4, "temporal": 60.3}}

# Table 2: TAN+ (the paper's best setting) on the three splits, and their mean.
TABLE2 = {
    "hmdb51": {1: 73.9, 2: 71.7, 3: 71.9, "mean": 72.5},
    "ucf101": {1: 93.8, 2: 94.5, 3: 94.0, "mean": 94.1},
}

# Table 3, HMDB51 split 1.
TABLE3 = {
    "two_stream": {"spatial": 46.2, "temporal": 50.3, "fusion": 58.4},
    "tan": {"spatial": 51.4, "temporal": 60.3, "fusion": 70.2},
}
TABLE3_TITLES = {"two_stream": "two-stream CNN + LSTM", "tan": "TAN"}

# Fig. 3, UCF101 split 1, fused accuracy as far as the figure's text can be read.
FIG3 = {"fc_fusion": 81.4, "branch_selection": 80.0, "bs_l2": 83.9, "two_stream": 90.2,
        "tan": 92.0}
# Its six branch labels (lines 358-373: 80.3, 80.5, 83.4, 80.7, 82.8, 81.7), read as the
# figure's spatial, then temporal bars of BS + L2, average late fusion and TAN; the bars of FC
# fusion's and BS's branches fall below the axis' 80 and carry no label
# (docs/paper_readings.md, "Fig. 3's branch bars").
FIG3_BRANCHES = {
    "fc_fusion": {"spatial": None, "temporal": None},
    "branch_selection": {"spatial": None, "temporal": None},
    "bs_l2": {"spatial": 80.3, "temporal": 80.7},
    "two_stream": {"spatial": 80.5, "temporal": 82.8},
    "tan": {"spatial": 83.4, "temporal": 81.7},
}
FIG3_TITLES = {"fc_fusion": "FC fusion", "branch_selection": "branch selection",
               "bs_l2": "BS + L2", "two_stream": "average late fusion", "tan": "TAN"}

# Table 4, attention methods. Rows measured here: (model, init) of split 1; None: published only
# (multi-branch attention [20] is not built). SA is spatial attention without and with CNN
# pre-training. The TAN row is the mean over Table 2's splits of TAN without MIFS (68.3 / 92.1
# match no split-1 row, and the text's gaps of lines 509-511 are taken from them:
# docs/reproducing.md); "tan_split1" is its split-1 run, beside Table 1's number for it.
TABLE4_ROWS = (
    ("soft_attention", "Soft attention [17]", ("soft_attention", "imagenet")),
    ("multi_branch", "Multi-branch attention [20]", None),
    ("sa", "Spatial attention (SA)", ("spatial_attention", "imagenet")),
    ("sa_cnn", "SA + pre-train CNN", ("spatial_attention", "cnn")),
    ("tan", "TAN (mean of Table 2's splits, without MIFS)", "table2"),
    ("tan_split1", "TAN, split 1 (Table 2's run)", "table2_split1"),
)
# "tan_split1" carries Table 1's number for that run (HMDB51: TAN on UCF101; UCF101: CNN).
TABLE4 = {
    "hmdb51": {"soft_attention": 41.3, "multi_branch": 61.7, "sa": None, "sa_cnn": None,
               "tan": 68.3, "tan_split1": 70.2},
    "ucf101": {"soft_attention": None, "multi_branch": 90.6, "sa": 81.95, "sa_cnn": 88.47,
               "tan": 92.1, "tan_split1": 92.0},
}

# Table 5, the state of the art: published rows, and "Ours" (the three-split mean of Table 2).
TABLE5_PUBLISHED = (
    ("MIFS [25]", {"hmdb51": 65.1, "ucf101": 89.1}),
    ("Two-stream ConvNets [14]", {"hmdb51": 59.4, "ucf101": 88.0}),
    ("TDD+FV [12]", {"hmdb51": 63.2, "ucf101": 90.3}),
    ("Multi-branch attention [20]", {"hmdb51": 61.7, "ucf101": 90.6}),
    ("sDTD [31]", {"hmdb51": 65.2, "ucf101": 92.2}),
    ("Conv Fusion [32]", {"hmdb51": 65.4, "ucf101": 92.5}),
    ("TSN (Inception-BN) [23]", {"hmdb51": 69.4, "ucf101": 94.2}),
)
TABLE5_OURS = {"hmdb51": 72.5, "ucf101": 94.1}

# Fig. 4, UCF101 split 1: the classes the text names, (two-stream, TAN) accuracy.
FIG4_NAMED_CLASSES = {"Lunges": (59.4, 81.0), "Nunchucks": (28.5, 71.0)}

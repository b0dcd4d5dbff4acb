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
FIG3_TITLES = {"fc_fusion": "FC fusion", "branch_selection": "branch selection",
               "bs_l2": "BS + L2", "two_stream": "average late fusion", "tan": "TAN"}

# Table 4, attention methods. Rows measured here: (model, init) of split 1; published-only rows
# carry the paper's reference instead. SA is spatial attention without and with CNN
# pre-training; the TAN row is the one from 'cnn', as "SA + pre-train CNN" is.
TABLE4_ROWS = (
    ("soft_attention", "Soft attention [17]", None),
    ("multi_branch", "Multi-branch attention [20]", None),
    ("sa", "Spatial attention (SA)", ("spatial_attention", "imagenet")),
    ("sa_cnn", "SA + pre-train CNN", ("spatial_attention", "cnn")),
    ("tan", "TAN", ("tan", "cnn")),
)
TABLE4 = {
    "hmdb51": {"soft_attention": 41.3, "multi_branch": 61.7, "sa": None, "sa_cnn": None,
               "tan": 68.3},
    "ucf101": {"soft_attention": None, "multi_branch": 90.6, "sa": 81.95, "sa_cnn": 88.47,
               "tan": 92.1},
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

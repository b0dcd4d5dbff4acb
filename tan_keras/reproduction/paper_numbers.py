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

"""The dataset layouts: official split files, folder-per-class datasets, a TFDS builder."""

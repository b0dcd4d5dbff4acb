"""TV-L1 optical flow (OpenCV or the JAX kernel) and its uint8 quantisation."""

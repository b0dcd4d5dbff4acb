"""A records build: the per-video work, its plan, the work folder, the local and Beam engines."""

"""Decoding videos, choosing the stored positions, and a new video as a trained model sees it."""

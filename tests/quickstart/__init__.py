"""Tests of the quickstart: the synthetic action dataset and the end-to-end run."""

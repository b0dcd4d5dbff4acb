"""Benchmarks that print their figures (docs/benchmarks.md): model, input, build_records,
backbones."""

"""The commands: one per stage or table, the quickstart and the benchmarks (docs/training.md)."""

"""The quickstart (`tan-quickstart`, `python -m experiments.quickstart`): generator, pipeline,
report. docs/quickstart.md describes it."""

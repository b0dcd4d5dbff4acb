"""The paper's tables: `reproduce(table, ...)` runs what a table needs and prints it beside the
published numbers (`paper_numbers`)."""

from tan_keras.reproduction.tables import reproduce

__all__ = ["reproduce"]

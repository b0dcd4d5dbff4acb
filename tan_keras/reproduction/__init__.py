"""The paper's Section 3: `reproduce(table, ...)` runs what a table or figure needs (or every
one, 'all', with report.md) and puts it beside the published numbers; 'claims' checks the
claims of its text.

Modules: `plan` (the runs each table needs and the stages that make them), `runner` (runs the
stages, with progress), `progress` (which stage of how many, and the time left), `tables` (each
table and figure from the measurements), `claims` (the ledger of the text's claims), `figures`
(Fig. 3 and Fig. 4), `report` (report.md), `paper_numbers` (the published numbers),
`reproducing` (`reproduce`).
"""

from tan_keras.reproduction.reproducing import reproduce

__all__ = ["reproduce"]

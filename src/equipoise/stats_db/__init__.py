"""The statistics pages and commands wired to the live database.

`equipoise.stats` holds the pure analyses over an `AnalysisDataset`; this package builds that
dataset from the trial database at a data cut-off (`extract`), decides who may see which
analysis (`permissions`, on top of the one blinding policy), renders the documents once for the
pages and the CLI alike (`documents`), and serves them (`views`).
"""

"""The trial as data: schema, loader and cross-file checks for `protocols/<id>/`."""

"""Standard data-interchange formats written from plain values: no Django, no database.

- `odm_metadata`: a protocol version as ODM 1.3.2 metadata (events, forms, groups, items, code lists).
- `form_items`: a form's stored values as ODM items (instrument records flattened) and back.
- `odm_writer`: ODM 1.3.2 written as text (`xml_text`), one subject at a time.
- `dataset_json`: Dataset-JSON 1.1 and its NDJSON variant, written row by row.
- `sdtm`: the SDTM-shaped domains (variables, labels, types, code lists) this system exports.
- `tabular`: CSV and the data dictionary.
- `xport`: SAS XPORT v5, encoded by pyreadstat a chunk of rows at a time.
- `xml_text`: escaped XML text written straight to a stream (the ODM writer's output).

The app side (`equipoise.exports`) reads the database in chunks and feeds these writers.
"""

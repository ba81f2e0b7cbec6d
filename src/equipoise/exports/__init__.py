"""Data out: ODM 1.3.2 with its audit trail, Dataset-JSON 1.1 SDTM domains, CSV + dictionary, SAS XPORT.

The formats are written by the Django-free `equipoise.interchange`; this app reads the database
(`reading`, `odm_export`, `datasets_export`), decides who may take which export (`policy`),
records each export in the audit trail (`actions`), and offers it on the command line
(`commands`) and to the data manager's download page (`views`).
"""

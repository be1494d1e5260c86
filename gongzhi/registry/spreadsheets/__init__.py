"""Spreadsheets in and out: templates, a lean .xlsx reader, the importer and the exporter."""

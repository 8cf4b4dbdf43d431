"""Outputs made from metric results: files the product writes for people (CSV and XLSX
exports today; charts and the monthly PDF report next). Used by the command line and the
dashboard alike; imports ``metrics`` and ``store``, never ``etl``."""

"""Choosing targeted recommendations: the catalogue's rules (catalogue), matched against the year's
indicators and analysis (choose), with their due dates (due). After the analysis, before the documents."""

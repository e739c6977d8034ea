"""Datasets out and labels back in: export, import and corpus statistics."""

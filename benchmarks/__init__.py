"""Measurements people run by hand (`make bench`); reports, not tests."""

"""Writes to the hierarchy: every function is one transaction with its audit rows."""

"""Confidentiality: pseudonym keys, applying them to exports, suggesting terms and checking for leaks."""

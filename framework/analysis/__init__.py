"""Charting and mapping, inter-coder agreement, comparing coders and agreeing a consensus."""

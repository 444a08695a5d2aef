"""What the screens show, computed without Textual: plain functions and values the TUI draws,
tested on their own."""

"""The thematic framework: ``themes.yaml`` read, checked and edited, synced into the store, and codebooks."""

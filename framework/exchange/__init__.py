"""Exchange with other qualitative analysis programs (REFI-QDA ``.qdc`` and ``.qdpx``)."""

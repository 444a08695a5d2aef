"""Exchange with other qualitative analysis programs (REFI-QDA ``.qdc`` and ``.qdpx``)."""

from .refi import ExportResult, export_qdc, export_qdpx, import_qdpx, read_qdc

__all__ = ["ExportResult", "export_qdc", "export_qdpx", "import_qdpx", "read_qdc"]

"""The REFI-QDA entry points: export a codebook or a project, read a codebook, import a project.

How this project maps onto QDA-XML is described in :mod:`framework.exchange.qda`.
"""

from __future__ import annotations

from pathlib import Path

from framework.exchange.qda import UTF16, ExportResult, log_export, project_name, project_namespace, write_atomic


def export_qdc(project: object, out: Path, *, coder: str) -> ExportResult:
    """Write the codebook as a REFI-QDA ``.qdc`` file and log the export."""
    from framework.exchange.write import codebook_bytes

    store = project.store  # type: ignore[attr-defined]
    data, count = codebook_bytes(store, project_namespace(store))
    write_atomic(Path(out), data)
    log_export(store, coder, "qdc", Path(out), None, None)
    return ExportResult(Path(out), "qdc", themes=count)


def export_qdpx(project: object, out: Path, *, coder: str, key: object | None = None,
                positions: str = "standard") -> ExportResult:
    """Write the project as a REFI-QDA ``.qdpx`` file (pseudonymised with ``key``, a
    :class:`framework.confidentiality.key.Pseudonymiser`, when given) and log the export.
    ``positions="nvivo"`` counts positions in UTF-16 code units, as NVivo does."""
    from framework.confidentiality.key import Pseudonymiser, check_key_location
    from framework.exchange.write import project_bytes

    store = project.store  # type: ignore[attr-defined]
    if key is not None:
        assert isinstance(key, Pseudonymiser)
        if key.path is not None:
            check_key_location(key.path, project.exports_dir)  # type: ignore[attr-defined]
    result = ExportResult(Path(out), "qdpx", key_sha256=key.sha256 if key is not None else None)
    data = project_bytes(store, project_namespace(store), project_name(project), result, key,
                         UTF16 if positions == "nvivo" else None)
    write_atomic(Path(out), data)
    log_export(store, coder, "qdpx", Path(out), key.path if key is not None else None, result.key_sha256)
    return result


def read_qdc(path: Path, *, taken: set[str] | None = None) -> list:
    """The themes of a REFI-QDA codebook (``.qdc``, or the codebook inside a ``.qdpx``)
    as ``ThemeSpec``s with their children. Codes without a recognisable theme id get a
    new one that is not in ``taken``."""
    from framework.exchange.read import read_codebook

    return read_codebook(Path(path), taken=taken or set())


def import_qdpx(project: object, path: Path, coder: str) -> object:
    """Import a REFI-QDA project into ``project``; returns a report with ``summary()``.
    Nothing is changed when the file cannot be used."""
    from framework.exchange.importer import import_project

    return import_project(project, Path(path), coder)

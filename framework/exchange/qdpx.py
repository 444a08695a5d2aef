"""The REFI-QDA entry points: export a codebook or a project, read a codebook, import a project.

How this project maps onto QDA-XML is described in :mod:`framework.exchange.qda`.
"""

from __future__ import annotations

from pathlib import Path

from framework.exchange.qda import UTF16, ExportResult, log_export, project_name, project_namespace, write_atomic
from framework.fileio import check_writable


def _write(project: object, out: Path, data: bytes, key: object | None) -> None:
    """Write the file; a pseudonymised one only after it is checked for the key's terms."""
    from framework.confidentiality.key import Pseudonymiser, check_key_location
    from framework.errors import InputError
    from framework.export.staging import write_checked

    path = Path(out)
    if key is None:
        write_atomic(path, data)
        return
    assert isinstance(key, Pseudonymiser)
    if key.path is not None:
        check_key_location(key.path, project.exports_dir)  # type: ignore[attr-defined]
    if key.matches(path.name):
        raise InputError(f"{path}: the file name holds {key.matches(path.name)[0].term!r}, a term of the "
                         "pseudonym key; give the export another name.")
    write_checked(path, data, key)


def export_qdc(project: object, out: Path, *, coder: str, key: object | None = None) -> ExportResult:
    """Write the codebook as a REFI-QDA ``.qdc`` file (theme names and descriptions
    pseudonymised with ``key`` when given) and log the export."""
    from framework.exchange.write import codebook_bytes

    check_writable(out)
    store = project.store  # type: ignore[attr-defined]
    data, count = codebook_bytes(store, project_namespace(store), key)
    _write(project, out, data, key)
    log_export(store, coder, "qdc", Path(out), getattr(key, "path", None), getattr(key, "sha256", None))
    return ExportResult(Path(out), "qdc", themes=count, key_sha256=getattr(key, "sha256", None))


def export_qdpx(project: object, out: Path, *, coder: str, key: object | None = None,
                positions: str = "standard") -> ExportResult:
    """Write the project as a REFI-QDA ``.qdpx`` file (pseudonymised with ``key``, a
    :class:`framework.confidentiality.key.Pseudonymiser`, when given) and log the export.
    ``positions="nvivo"`` counts positions in UTF-16 code units, as NVivo does."""
    from framework.confidentiality.key import check_key_location
    from framework.exchange.write import project_bytes

    check_writable(out)
    store = project.store  # type: ignore[attr-defined]
    if key is not None and getattr(key, "path", None) is not None:
        check_key_location(key.path, project.exports_dir)  # type: ignore[attr-defined]  # before the work
    result = ExportResult(Path(out), "qdpx", key_sha256=key.sha256 if key is not None else None)
    data = project_bytes(store, project_namespace(store), project_name(project), result, key,
                         UTF16 if positions == "nvivo" else None)
    _write(project, out, data, key)
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

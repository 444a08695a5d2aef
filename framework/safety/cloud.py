"""Warning when a project sits in a folder that a cloud service syncs."""

from __future__ import annotations

from pathlib import Path, PurePath

_EXACT = {
    "dropbox": "Dropbox",
    "onedrive": "OneDrive", "skydrive": "OneDrive",
    "google drive": "Google Drive", "googledrive": "Google Drive", "my drive": "Google Drive",
    "icloud drive": "iCloud Drive", "iclouddrive": "iCloud Drive", "mobile documents": "iCloud Drive",
    "com~apple~clouddocs": "iCloud Drive",
    "box": "Box", "box sync": "Box", "box drive": "Box",
    "cloudstorage": "a cloud storage service",
}
_GENERIC = "a cloud storage service"
_PREFIXES = (
    ("dropbox (", "Dropbox"), ("dropbox-", "Dropbox"),
    ("onedrive - ", "OneDrive"), ("onedrive-", "OneDrive"),
    ("googledrive-", "Google Drive"), ("google drive-", "Google Drive"),
    ("box-", "Box"),
)


def cloud_sync_warning(path: Path | str | PurePath) -> str | None:
    """A warning when ``path`` is inside a Dropbox, OneDrive, Google Drive, iCloud or Box
    folder (recognised by the folder names those services use), else None."""
    parts = PurePath(path).parts if isinstance(path, PurePath) else Path(str(path)).parts
    if "\\" in str(path) and len(parts) <= 1:
        from pathlib import PureWindowsPath

        parts = PureWindowsPath(str(path)).parts
    found = [_EXACT.get(name) or next((s for p, s in _PREFIXES if name.startswith(p)), None)
             for name in (part.casefold().strip() for part in parts)]
    named = [s for s in found if s]
    if not named:
        return None
    service = next((s for s in named if s != _GENERIC), _GENERIC)
    return (
        f"{path} is in a folder synced by {service}. Sync services can copy the database while it is "
        "being written, or keep two versions of it, and a project can be lost that way. Keep "
        "the project outside synced folders (share it with 'framework' exports or a shared "
        "server folder instead), or at least quit framework on every computer before syncing."
    )

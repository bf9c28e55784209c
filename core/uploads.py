"""Where uploaded and generated files live in the default storage (`MEDIA_ROOT` or the bucket).

Every app that writes files names its area once, as a constant of the module that writes
them (imported when the app is ready), and builds its paths with `area.path(...)`, so that
the retention purge, a malware scanner or an operator's backup can list every place
personal documents may be found:

    UPLOADS = register_area("cases", "Uploads of applicants and documents issued for cases")
    path = UPLOADS.path("2026", "05", reference, name)   # "cases/2026/05/<reference>/<name>"

The registry refuses a second area with the same folder."""

from __future__ import annotations

from dataclasses import dataclass

AREAS: dict[str, UploadArea] = {}


@dataclass(frozen=True)
class UploadArea:
    folder: str  # top-level folder in the default storage
    description: str
    personal: bool = True  # holds personal data: purges must reach it

    def path(self, *parts: str) -> str:
        """A storage path inside this area."""
        cleaned = [str(part).strip("/") for part in parts if str(part).strip("/")]
        if any(part in (".", "..") for piece in cleaned for part in piece.split("/")):
            raise ValueError("a storage path must not climb out of its area")
        return "/".join([self.folder, *cleaned])


def register_area(folder: str, description: str, *, personal: bool = True) -> UploadArea:
    folder = folder.strip("/")
    if not folder or "/" in folder:
        raise ValueError("an upload area is one top-level folder")
    if folder in AREAS:
        raise ValueError(f"upload area {folder!r} is registered twice")
    AREAS[folder] = area = UploadArea(folder=folder, description=description, personal=personal)
    return area

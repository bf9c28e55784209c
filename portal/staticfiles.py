"""Static files: hashed names cached for a year, served precompressed by whitenoise, in
production and under `make run` alike (docs/frontend.md, "Serving")."""

from __future__ import annotations

import os

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage

ONE_YEAR = 365 * 24 * 60 * 60


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """`collectstatic` writes each file under a name with a hash of its content (and CSS
    `url()`s pointing at those names) plus gzip and Brotli copies; `{% static %}` hands out
    the hashed names.

    Django's manifest storage hands out unhashed names while DEBUG is on; this one hands
    out the collected, hashed names then too (`make run` collects first), so a developer
    gets what production serves. Two allowances under DEBUG only: a file that has not been
    collected yet is linked unhashed (whitenoise then serves it from its source folder),
    and a manifest rewritten by another `collectstatic` (`make static`) is picked up
    without a restart. Without DEBUG a missing manifest entry is an error, as in Django."""

    _manifest_mtime: int | None = None

    def url(self, name: str | None, force: bool = False) -> str:
        if not settings.DEBUG:
            return super().url(name, force)
        self._reload_changed_manifest()
        try:
            return super().url(name, force=True)
        except ValueError:  # not collected (yet): the unhashed source, through the finders
            return super().url(name)

    def _reload_changed_manifest(self) -> None:
        try:
            mtime = os.stat(self.manifest_storage.path(self.manifest_name)).st_mtime_ns
        except (OSError, NotImplementedError):
            mtime = None
        if mtime != self._manifest_mtime:
            self._manifest_mtime = mtime
            self.hashed_files, self.manifest_hash = self.load_manifest()


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """whitenoise, with files whose name carries their content hash cached for one year
    (`Cache-Control: max-age=31536000, public, immutable`) instead of whitenoise's ten
    years: the customary maximum since HTTP/1.1 advised against expiry dates more than a
    year ahead (RFC 2616, 14.21); a changed file gets a new name anyway."""

    FOREVER = ONE_YEAR

"""Versioned static files: ``url_for('static', ...)`` carries ``?v=<hash of the contents>``.

A page always asks for the style sheet and scripts it was made with, so a browser may keep
them for a year (``Cache-Control: public, max-age=31536000, immutable``): a new deploy
changes the file, hence its hash, hence its URL. Every worker and host computes the same hash
from the same contents. A URL without a version, or with an old one, keeps Flask's default
(the browser revalidates every time), so a stale page never pins an old file for a year.

Hashes are computed once at startup and again only when a file's size or modification time
changes (one ``stat`` per URL; an edited file in development gets a new URL at once).

Wiring, in ``kb.create_app``: ``static_files.init_app(app)``.
"""

import hashlib
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.security import safe_join

VERSION_ARG = "v"
LONG_CACHE_SECONDS = 365 * 24 * 3600
HASH_LENGTH = 12  # hex digits of SHA-256: plenty to tell two versions of one file apart


class StaticVersions:
    """The content hash of each file under one folder, kept until the file changes."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self._known: dict[str, tuple[int, int, str]] = {}  # name -> (mtime_ns, size, hash)

    def warm(self) -> None:
        """Hash every file now, at startup, so no request pays for it."""
        if not self.folder.is_dir():
            return
        for path in self.folder.rglob("*"):
            if path.is_file():
                self.version(path.relative_to(self.folder).as_posix())

    def version(self, filename: str) -> str | None:
        """The file's version, or None for a name outside the folder or no file at all."""
        joined = safe_join(str(self.folder), filename)
        if joined is None:
            return None
        try:
            stat = os.stat(joined)
        except OSError:
            return None
        known = self._known.get(filename)
        if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        try:
            with open(joined, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()[:HASH_LENGTH]
        except OSError:  # a folder, or a file that went away: no version
            return None
        self._known[filename] = (stat.st_mtime_ns, stat.st_size, digest)
        return digest


def init_app(app: Flask) -> StaticVersions:
    """Version every ``url_for('static', ...)`` and cache versioned answers for a year.

    Idempotent: a second call returns the versions the first one set up."""
    if "kb_static_versions" in app.extensions:
        return app.extensions["kb_static_versions"]
    versions = StaticVersions(app.static_folder or "static")
    versions.warm()
    app.extensions["kb_static_versions"] = versions

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint != "static" or VERSION_ARG in values or "filename" not in values:
            return
        version = versions.version(values["filename"])
        if version is not None:
            values[VERSION_ARG] = version

    @app.after_request
    def cache_versioned(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 206, 304):
            return response
        asked = request.args.get(VERSION_ARG)
        filename = (request.view_args or {}).get("filename")
        if asked is None or filename is None or asked != versions.version(filename):
            return response  # unversioned or stale: Flask's default, revalidated each time
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = LONG_CACHE_SECONDS
        response.cache_control.immutable = True
        response.expires = datetime.now(UTC) + timedelta(seconds=LONG_CACHE_SECONDS)
        return response

    return versions

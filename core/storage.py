"""Where export files are kept: readable by the server's own account only (files 0600, folders 0700)."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIRECTORY_MODE = 0o700

_private = FileSystemStorage(file_permissions_mode=PRIVATE_FILE_MODE, directory_permissions_mode=PRIVATE_DIRECTORY_MODE)


def private_storage() -> FileSystemStorage:
    """The storage of job results under MEDIA_ROOT (read lazily, so tests may move it), never served by URL:
    files are downloaded through the job's own view, by the user who started it."""
    return _private

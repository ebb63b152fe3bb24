"""The ctypes binding of libgeovote.so (include/geovote.h).

ctypes releases the GIL for the duration of every call into the library,
so GeoVote computes while other Python threads run.
"""
from __future__ import annotations

import ctypes
import os
import threading
from typing import Any

ABI_VERSION = 1  # GV_ABI_VERSION of the geovote.h this binding was written for

OK, ERROR_ARGUMENT, ERROR_DATA, ERROR_IO, ERROR_HANDLE, ERROR_ARROW, ERROR_LIBRARY = range(7)


class GeoVoteError(Exception):
    """An error GeoVote reported; the message names the file, record, field and value."""

    status: int = -1

    def __init__(self, message: str, status: int = -1):
        super().__init__(message)
        self.status = status


class ArgumentError(GeoVoteError, ValueError):
    """An option or parameter GeoVote refuses."""


class DataError(GeoVoteError, ValueError):
    """Malformed data: a missing field, a bad value, an invalid geometry."""


class FileError(GeoVoteError, OSError):
    """A file that is missing, unreadable or unwritable."""


class HandleError(GeoVoteError, RuntimeError):
    """A freed or foreign object passed to the library."""


class ArrowError(GeoVoteError, TypeError):
    """An Arrow table GeoVote cannot take: a column type, a length, a layout."""


class LibraryError(GeoVoteError, RuntimeError):
    """GEOS or PROJ refused."""


class GeoVoteWarning(UserWarning):
    """A note of GeoVote's: left-out features, renamed fields, weights warnings."""


_ERRORS = {ERROR_ARGUMENT: ArgumentError, ERROR_DATA: DataError, ERROR_IO: FileError, ERROR_HANDLE: HandleError,
           ERROR_ARROW: ArrowError, ERROR_LIBRARY: LibraryError}


class ArrowArrayStream(ctypes.Structure):
    """struct ArrowArrayStream of the Arrow C stream interface (five pointers)."""

    _fields_ = [("get_schema", ctypes.c_void_p), ("get_next", ctypes.c_void_p), ("get_last_error", ctypes.c_void_p),
                ("release", ctypes.c_void_p), ("private_data", ctypes.c_void_p)]


def _library_path() -> str:
    """GEOVOTE_LIBRARY, else the copy installed in the package, else the checkout's build."""
    explicit = os.environ.get("GEOVOTE_LIBRARY")
    if explicit:
        return explicit
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "lib", "libgeovote.so"),
                      os.path.join(os.path.dirname(os.path.dirname(here)), ".build", "release", "libgeovote.so")):
        if os.path.exists(candidate):
            return candidate
    raise ImportError("libgeovote.so was not found: install the package with `pip install ./python` "
                      "(which runs `make library`), or set GEOVOTE_LIBRARY to the library's path")


_lock = threading.Lock()
_lib: Any = None


def lib() -> Any:
    """The loaded library, its ABI checked once."""
    global _lib
    with _lock:
        if _lib is None:
            _lib = _load(_library_path())
    return _lib


def _load(path: str) -> Any:
    so = ctypes.CDLL(path)
    p, c_char_p, i32, i64 = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_int64
    signatures = {
        "gv_version": ([], c_char_p), "gv_abi_version": ([], i32), "gv_check_abi": ([i32], ctypes.c_int),
        "gv_last_error": ([], c_char_p), "gv_last_notes": ([], c_char_p),
        "gv_layer_read": ([c_char_p, c_char_p, ctypes.POINTER(p)], ctypes.c_int),
        "gv_layer_from_arrow": ([p, c_char_p, c_char_p, c_char_p, ctypes.POINTER(p)], ctypes.c_int),
        "gv_layer_to_arrow": ([p, ctypes.POINTER(ArrowArrayStream)], ctypes.c_int),
        "gv_layer_count": ([p, ctypes.POINTER(i64)], ctypes.c_int),
        "gv_layer_crs": ([p, ctypes.POINTER(c_char_p)], ctypes.c_int),
        "gv_layer_free": ([p], None),
        "gv_weights_build": ([p, c_char_p, c_char_p, ctypes.POINTER(p)], ctypes.c_int),
        "gv_weights_info": ([p, ctypes.POINTER(i64), ctypes.POINTER(i64), ctypes.POINTER(i64)], ctypes.c_int),
        "gv_weights_to_arrow": ([p, ctypes.POINTER(ArrowArrayStream)], ctypes.c_int),
        "gv_weights_free": ([p], None),
        "gv_hotspots": ([p, p, c_char_p, i32, i32, ctypes.POINTER(ArrowArrayStream)], ctypes.c_int),
    }
    for name, (arguments, result) in signatures.items():
        function = getattr(so, name)
        function.argtypes = arguments
        function.restype = result
    if so.gv_check_abi(ABI_VERSION) != OK:
        raise ImportError("%s: %s" % (path, so.gv_last_error().decode("utf-8", "replace")))
    return so


def check(status: int) -> list[str]:
    """Raises the exception of a failed call; returns the notes of a successful one."""
    so = lib()
    if status != OK:
        message = so.gv_last_error().decode("utf-8", "replace")
        raise _ERRORS.get(status, GeoVoteError)(message, status)
    notes = so.gv_last_notes().decode("utf-8", "replace")
    return [line for line in notes.split("\n") if line]


def encode(text: str | None) -> bytes | None:
    return None if text is None else text.encode("utf-8")


_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


def stream_pointer(capsule: Any) -> int:
    """The ArrowArrayStream* inside an `__arrow_c_stream__` capsule."""
    return _capsule_pointer(capsule, b"arrow_array_stream")

"""GeoVote from Python: hot and cold spots of election results on
GeoDataFrames, pandas frames and Arrow tables, computed by GeoVote's engine
(libgeovote.so) with the same options, columns and numbers as the
``geovote`` command line.

>>> import geopandas, geovote
>>> communes = geopandas.read_file("communes_utm29n.shp")
>>> hot = geovote.hotspots(communes, share="MP/valid", statistic="gistar",
...                        weights="queen", permutations=999, seed=1, id="code")
>>> hot["MP_valid_gistar_bin"].value_counts()

Tables cross into the engine through the Arrow C stream interface
(``__arrow_c_stream__``), geometry as WKB; GeoVote's notes (left-out
features, weights warnings) become :class:`GeoVoteWarning` warnings and its
errors exceptions with GeoVote's message.
"""
from __future__ import annotations

import ctypes
import json
import warnings
from typing import Any, Iterable, Sequence

import pyarrow as pa

from . import _native
from ._native import (ArgumentError, ArrowError, DataError, FileError, GeoVoteError, GeoVoteWarning, HandleError,
                      LibraryError)

__all__ = ["read", "weights", "hotspots", "job_options", "Layer", "Weights", "version", "GeoVoteError", "ArgumentError", "DataError",
           "FileError", "HandleError", "ArrowError", "LibraryError", "GeoVoteWarning"]


def version() -> str:
    """GeoVote's version with the GEOS and PROJ it runs on."""
    return _native.lib().gv_version().decode()


def _warn(notes: Iterable[str]) -> None:
    for note in notes:
        warnings.warn(note, GeoVoteWarning, stacklevel=3)


class _Handle:
    """An engine object owned by Python: freed when garbage-collected, or at once with close()."""

    _free = ""  # the library's free function
    _handle: ctypes.c_void_p

    def _live(self) -> ctypes.c_void_p:
        if self._handle.value is None:
            raise HandleError("%r is closed" % self)
        return self._handle

    def close(self) -> None:
        """Frees the object in the engine now."""
        if self._handle.value is not None and _native._lib is not None:
            getattr(_native._lib, self._free)(self._handle)
        self._handle = ctypes.c_void_p()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass


class Layer(_Handle):
    """A table inside the engine: features (geometry and attributes).

    Made by :func:`read` (GeoVote's readers) or :meth:`from_frame` (a
    GeoDataFrame, DataFrame or Arrow table). Freed when garbage-collected,
    or at once with :meth:`close`.
    """

    _free = "gv_layer_free"

    def __init__(self, handle: int, name: str):
        self._handle = ctypes.c_void_p(handle)
        self.name = name

    def __repr__(self) -> str:
        return "<geovote.Layer %s%s>" % (self.name, " (closed)" if self._handle.value is None else "")

    @classmethod
    def read(cls, path: str, encoding: str | None = None) -> "Layer":
        """Reads .shp, .geojson, .csv or FILE.gpkg[:LAYER] with GeoVote's readers."""
        so = _native.lib()
        out = ctypes.c_void_p()
        _warn(_native.check(so.gv_layer_read(_native.encode(str(path)), _native.encode(encoding), ctypes.byref(out))))
        return cls(out.value, str(path))

    @classmethod
    def from_frame(cls, data: Any, geometry: str | None = None, crs: str | None = None, name: str | None = None) -> "Layer":
        """Takes a GeoDataFrame, a pandas DataFrame, or anything with
        ``__arrow_c_stream__`` (a pyarrow Table or RecordBatchReader, a
        polars frame). A GeoDataFrame's geometry and CRS come with it; for
        Arrow tables the WKB column is ``geometry`` (or the one marked
        ``geoarrow.wkb``) and ``crs`` any definition PROJ accepts.
        """
        if isinstance(data, Layer):
            return data
        stream_owner = _arrow_source(data)
        if crs is None:
            frame_crs = getattr(data, "crs", None)
            if frame_crs is not None:
                crs = frame_crs.to_wkt() if hasattr(frame_crs, "to_wkt") else str(frame_crs)
        capsule = stream_owner.__arrow_c_stream__()
        so = _native.lib()
        out = ctypes.c_void_p()
        label = name or "the %s" % type(data).__name__
        _warn(_native.check(so.gv_layer_from_arrow(ctypes.c_void_p(_native.stream_pointer(capsule)), _native.encode(geometry),
                                                   _native.encode(crs), _native.encode(label), ctypes.byref(out))))
        return cls(out.value, label)

    def __len__(self) -> int:
        n = ctypes.c_int64()
        _native.check(_native.lib().gv_layer_count(self._live(), ctypes.byref(n)))
        return n.value

    @property
    def crs(self) -> str | None:
        """The CRS definition ("EPSG:32629" or WKT), None when the layer has none."""
        text = ctypes.c_char_p()
        _native.check(_native.lib().gv_layer_crs(self._live(), ctypes.byref(text)))
        return text.value.decode() or None

    def to_arrow(self) -> pa.Table:
        """The attributes, then ``geometry`` as WKB (GeoArrow ``geoarrow.wkb``) when the layer has geometry."""
        stream = _native.ArrowArrayStream()
        _native.check(_native.lib().gv_layer_to_arrow(self._live(), ctypes.byref(stream)))
        return _import_stream(stream)

    def to_frame(self) -> Any:
        """A GeoDataFrame (a DataFrame when the layer has no geometry)."""
        return _frame(self.to_arrow())



class Weights(_Handle):
    """Spatial weights built by GeoVote (see :func:`weights`)."""

    _free = "gv_weights_free"

    def __init__(self, handle: int, spec: str, layer: Layer):
        self._handle = ctypes.c_void_p(handle)
        self.spec = spec
        self._layer = layer  # the weights are of this layer's units


    def _info(self) -> tuple[int, int, int]:
        units, links, islands = ctypes.c_int64(), ctypes.c_int64(), ctypes.c_int64()
        _native.check(_native.lib().gv_weights_info(self._live(), ctypes.byref(units), ctypes.byref(links), ctypes.byref(islands)))
        return units.value, links.value, islands.value

    @property
    def n(self) -> int:
        """The number of units."""
        return self._info()[0]

    @property
    def links(self) -> int:
        """The number of non-zero weights."""
        return self._info()[1]

    @property
    def islands(self) -> int:
        """The number of units without a neighbour."""
        return self._info()[2]

    def to_adjlist(self) -> Any:
        """libpysal's adjacency list: a DataFrame of focal, neighbor, weight in row order."""
        stream = _native.ArrowArrayStream()
        _native.check(_native.lib().gv_weights_to_arrow(self._live(), ctypes.byref(stream)))
        return _import_stream(stream).to_pandas()

    def to_libpysal(self) -> Any:
        """A ``libpysal.weights.W`` with the same neighbours and weights (needs libpysal)."""
        from libpysal.weights import W

        adjacency = self.to_adjlist()
        neighbours: dict[int, list[int]] = {i: [] for i in range(self.n)}
        values: dict[int, list[float]] = {i: [] for i in range(self.n)}
        for focal, neighbour, weight in adjacency.itertuples(index=False):
            neighbours[int(focal)].append(int(neighbour))
            values[int(focal)].append(float(weight))
        return W(neighbours, values, silence_warnings=True)

    def __repr__(self) -> str:
        if self._handle.value is None:
            return "<geovote.Weights %s (closed)>" % self.spec
        n, links, islands = self._info()
        return "<geovote.Weights %s: %d units, %d links, %d islands>" % (self.spec, n, links, islands)


def read(path: str, encoding: str | None = None) -> Any:
    """Reads a layer with GeoVote's readers (.shp in any Arabic or French
    encoding, .geojson, .csv, FILE.gpkg[:LAYER]) into a GeoDataFrame (a
    DataFrame for a CSV without geometry)."""
    layer = Layer.read(path, encoding)
    try:
        return layer.to_frame()
    finally:
        layer.close()


def weights(data: Any, spec: str = "queen", id_field: str | None = None) -> Weights:
    """Builds weights as ``geovote weights --type`` does: ``queen``,
    ``rook``, ``knn:K``, ``distance:T``, ``distance:auto``, ``kernel:...``,
    or a .gal/.gwt/.csv file (``id_field``: the field holding its ids).
    ``data``: a frame, an Arrow table, a :class:`Layer` or a path."""
    layer = data if isinstance(data, Layer) else Layer.read(data) if isinstance(data, str) else Layer.from_frame(data)
    so = _native.lib()
    out = ctypes.c_void_p()
    _warn(_native.check(so.gv_weights_build(layer._live(), _native.encode(spec), _native.encode(id_field), ctypes.byref(out))))
    return Weights(out.value, spec, layer)


def hotspots(data: Any, field: str | Sequence[str] | None = None, share: str | Sequence[str] | None = None,
             statistic: str | Sequence[str] = "gistar", weights: str | Weights = "queen", permutations: int | None = None,
             seed: int | None = None, threads: int = 0, geometry: bool = True, **options: Any) -> Any:
    """Hot and cold spots, as ``geovote hotspots`` computes them.

    Parameters
    ----------
    data : GeoDataFrame, DataFrame, Arrow table, Layer or path
        The communes or stations.
    field, share : str or list of str
        Variables as the CLI writes them: fields, ``NUM/DEN`` shares,
        ``all/valid`` (every party), ``eb:NUM/DEN`` (Empirical Bayes rates).
    statistic : str or list of str
        ``gistar``, ``gi``, ``local-moran``, ``local-geary``, ``local-moran-bv``, ``join-count``.
    weights : str or Weights
        A specification (``queen``, ``knn:8``, ``distance:auto``, a .gal
        file, ...) or weights built by :func:`weights` on the same data.
    permutations, seed : int
        Conditional permutations (0 or None: analytic inference only) and their seed.
    threads : int
        Threads (0: every core); the result does not depend on it.
    geometry : bool
        Keep the geometry (a GeoDataFrame) when the data have one.
    **options
        Every other key of a batch job, by the same name: ``convention``
        (geovote, esda, geoda, arcgis), ``draws``, ``transform``,
        ``correction``, ``alpha``, ``significance``, ``id``, ``keep``,
        ``names``, ``missing``, ``against``, ...

    Returns
    -------
    GeoDataFrame or DataFrame
        The columns and values of ``geovote hotspots ... --output FILE.csv``
        (``index``, the id fields, then each variable's statistic, z, p,
        pseudo p, class), plus ``geometry``.
    """
    job = job_options(field, share, statistic, permutations, seed, **options)
    prebuilt = weights if isinstance(weights, Weights) else None
    if prebuilt is None:
        job["weights"] = weights
    layer = data if isinstance(data, Layer) else Layer.read(data) if isinstance(data, str) else Layer.from_frame(data)
    # A GeoDataFrame's own geometry column goes back on the result (its rows
    # are the input's, in order) instead of a round trip through WKB.
    own_geometry = geometry and _is_geodataframe(data)
    so = _native.lib()
    stream = _native.ArrowArrayStream()
    _warn(_native.check(so.gv_hotspots(layer._live(), prebuilt._live() if prebuilt else None, json.dumps(job).encode(),
                                       int(threads), 1 if geometry and not own_geometry else 0, ctypes.byref(stream))))
    table = _import_stream(stream)
    if data is not layer and not isinstance(data, Layer):
        layer.close()
    if own_geometry:
        import geopandas

        return geopandas.GeoDataFrame(table.to_pandas(), geometry=data.geometry.values, crs=data.crs)
    return _frame(table)


def _is_geodataframe(data: Any) -> bool:
    try:
        import geopandas
    except ImportError:  # pragma: no cover
        return False
    return isinstance(data, geopandas.GeoDataFrame)


def job_options(field: str | Sequence[str] | None = None, share: str | Sequence[str] | None = None,
                statistic: str | Sequence[str] = "gistar", permutations: int | None = None, seed: int | None = None,
                **options: Any) -> dict:
    """The options object of ``gv_hotspots`` (a batch job's keys) from :func:`hotspots`' keywords."""
    job: dict[str, Any] = {"statistic": [statistic] if isinstance(statistic, str) else list(statistic)}
    for key, value in (("field", field), ("share", share)):
        if value is not None:
            job[key] = [value] if isinstance(value, str) else list(value)
    if permutations is not None:
        job["permutations"] = int(permutations)
    if seed is not None:
        job["seed"] = int(seed)
    for key, value in options.items():
        job[key] = list(value) if isinstance(value, (list, tuple)) else value
    return job


# ---- Arrow helpers ----

def _arrow_source(data: Any) -> Any:
    """Something with __arrow_c_stream__ for `data`."""
    try:
        import geopandas
    except ImportError:  # pragma: no cover - geopandas is optional
        geopandas = None
    if geopandas is not None and isinstance(data, geopandas.GeoDataFrame):
        return data.to_arrow(index=False, geometry_encoding="WKB")
    if hasattr(data, "__arrow_c_stream__"):
        return data
    try:
        import pandas
    except ImportError:  # pragma: no cover
        pandas = None
    if pandas is not None and isinstance(data, pandas.DataFrame):
        return pa.Table.from_pandas(data, preserve_index=False)
    raise ArrowError("GeoVote takes a GeoDataFrame, a DataFrame, an Arrow table (__arrow_c_stream__), a Layer or a path, "
                     "not %s" % type(data).__name__)


def _import_stream(stream: "_native.ArrowArrayStream") -> pa.Table:
    reader = pa.RecordBatchReader._import_from_c(ctypes.addressof(stream))
    return reader.read_all()


def _frame(table: pa.Table) -> Any:
    """A GeoDataFrame when the table has GeoArrow WKB geometry, else a DataFrame."""
    has_geometry = any((field.metadata or {}).get(b"ARROW:extension:name") == b"geoarrow.wkb" for field in table.schema)
    if has_geometry:
        try:
            import geopandas

            return geopandas.GeoDataFrame.from_arrow(table)
        except ImportError:  # pragma: no cover
            pass
    return table.to_pandas()

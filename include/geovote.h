/*
 * geovote.h — the C interface of GeoVote's engine (libgeovote.so).
 *
 * Conventions of every function:
 *   - It returns a gv_status; GV_OK (0) on success. On failure the calling
 *     thread's last error (gv_last_error) holds GeoVote's message, naming the
 *     file, record, field and value as the command line does. No call aborts
 *     the host process on bad input, a null or a freed handle.
 *   - Handles (gv_layer, gv_weights) are opaque. Each one returned is owned by
 *     the caller and freed with its free function; a freed handle passed again
 *     gives GV_ERROR_HANDLE, and freeing it twice does nothing.
 *   - Tables pass through the Arrow C Data Interface (declared below as the
 *     Arrow specification defines it): a stream the caller passes in is
 *     consumed and released by GeoVote; a stream GeoVote fills in is the
 *     caller's, released by calling its release callback.
 *   - Geometry crosses as WKB (binary column, GeoArrow extension
 *     "geoarrow.wkb", its metadata holding the CRS).
 *   - Every function may be called from several threads at once.
 *
 * A binding checks gv_abi_version() == GV_ABI_VERSION before anything else.
 */
#ifndef GEOVOTE_H
#define GEOVOTE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Changed whenever a declaration below changes incompatibly. */
#define GV_ABI_VERSION 1

/* ---- The Arrow C Data Interface (https://arrow.apache.org/docs/format/CDataInterface.html) ---- */
#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

struct ArrowSchema {
  const char* format;
  const char* name;
  const char* metadata;
  int64_t flags;
  int64_t n_children;
  struct ArrowSchema** children;
  struct ArrowSchema* dictionary;
  void (*release)(struct ArrowSchema*);
  void* private_data;
};

struct ArrowArray {
  int64_t length;
  int64_t null_count;
  int64_t offset;
  int64_t n_buffers;
  int64_t n_children;
  const void** buffers;
  struct ArrowArray** children;
  struct ArrowArray* dictionary;
  void (*release)(struct ArrowArray*);
  void* private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

struct ArrowArrayStream {
  int (*get_schema)(struct ArrowArrayStream*, struct ArrowSchema* out);
  int (*get_next)(struct ArrowArrayStream*, struct ArrowArray* out);
  const char* (*get_last_error)(struct ArrowArrayStream*);
  void (*release)(struct ArrowArrayStream*);
  void* private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/* ---- Status, version, errors ---- */

typedef enum gv_status {
  GV_OK = 0,
  GV_ERROR_ARGUMENT = 1, /* an option or parameter is invalid */
  GV_ERROR_DATA = 2,     /* the data are malformed: file, record, field, value in the message */
  GV_ERROR_IO = 3,       /* a file is missing, unreadable or unwritable */
  GV_ERROR_HANDLE = 4,   /* a null, freed or foreign handle or pointer */
  GV_ERROR_ARROW = 5,    /* an Arrow stream or array GeoVote cannot take (type, length, buffers) */
  GV_ERROR_LIBRARY = 6   /* GEOS or PROJ refused; their message follows */
} gv_status;

/* GeoVote's version with the GEOS and PROJ it runs on: "0.1.0 (GEOS 3.11.1, PROJ 9.1.1)". Static. */
const char* gv_version(void);
/* The ABI number of the library (compare with GV_ABI_VERSION). */
int32_t gv_abi_version(void);
/* GV_OK when `expected` is this library's ABI number, else GV_ERROR_ARGUMENT with both numbers in the message. */
gv_status gv_check_abi(int32_t expected);
/* The calling thread's last error message ("" when none); valid until that thread's next call. */
const char* gv_last_error(void);
/* The calling thread's notes of its last successful call (left-out features, renamed fields,
   weights warnings), one per line ("" when none); valid until that thread's next call. */
const char* gv_last_notes(void);

/* ---- Layers: features (geometry and attributes) ---- */

typedef struct gv_layer gv_layer;

/* Reads a layer: .shp, .geojson, .csv, FILE.gpkg[:LAYER]. `encoding` (NULL: from the file, else
   detected) is UTF-8, CP1256, ISO-8859-6, CP1252 or ISO-8859-1. */
gv_status gv_layer_read(const char* path, const char* encoding, gv_layer** out);
/* Takes a table from an Arrow stream of struct batches (consumed and released). `geometry_column`:
   the WKB column (NULL: the column marked geoarrow.wkb, else one named "geometry", else none);
   `crs` (NULL: from the column's GeoArrow metadata) is any definition PROJ accepts; `name`
   (NULL: "arrow table") names the table in messages. */
gv_status gv_layer_from_arrow(struct ArrowArrayStream* stream, const char* geometry_column, const char* crs,
                              const char* name, gv_layer** out);
/* The layer as one Arrow stream: its attribute columns, then "geometry" (WKB) when it has geometry. */
gv_status gv_layer_to_arrow(const gv_layer* layer, struct ArrowArrayStream* out);
/* The number of features. */
gv_status gv_layer_count(const gv_layer* layer, int64_t* out);
/* The CRS definition ("EPSG:32629" or WKT; "" when none); valid while the layer lives. */
gv_status gv_layer_crs(const gv_layer* layer, const char** out);
void gv_layer_free(gv_layer* layer);

/* ---- Spatial weights ---- */

typedef struct gv_weights gv_weights;

/* Builds weights for a layer from a specification as the CLI's --weights takes it: queen, rook,
   knn:K, distance:T, distance:auto, kernel:..., or a .gal/.gwt/.csv file (`id_field` names the
   field holding the file's ids; NULL: the file's order). */
gv_status gv_weights_build(const gv_layer* layer, const char* spec, const char* id_field, gv_weights** out);
/* Units, links (non-zero entries) and islands. Any pointer may be NULL. */
gv_status gv_weights_info(const gv_weights* weights, int64_t* units, int64_t* links, int64_t* islands);
/* The weights as libpysal's adjacency list: focal (int64), neighbor (int64), weight (float64),
   one row per link in row order; islands have no row. */
gv_status gv_weights_to_arrow(const gv_weights* weights, struct ArrowArrayStream* out);
void gv_weights_free(gv_weights* weights);

/* ---- Hot spots ---- */

/* Runs a hot-spot analysis of a layer. `options_json` is a JSON object with the keys of a batch
   job but those naming files: {"share": "MP/valid", "statistic": "gistar", "weights": "queen",
   "permutations": 999, "seed": 1, "id": "code"}. `weights` (NULL: built from the options) must
   have the layer's units. `threads` (0: every core) does not change the result. Fills `out` with
   the table `geovote hotspots ... --output FILE.csv` writes (same columns, same values), plus a
   "geometry" column (WKB) when `with_geometry` is non-zero and the layer has geometry. */
gv_status gv_hotspots(const gv_layer* layer, const gv_weights* weights, const char* options_json, int32_t threads,
                      int32_t with_geometry, struct ArrowArrayStream* out);

#ifdef __cplusplus
}
#endif

#endif /* GEOVOTE_H */

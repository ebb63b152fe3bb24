#ifndef GEOVOTE_CGEOTIFF_H
#define GEOVOTE_CGEOTIFF_H
// libtiff and libgeotiff for GeoVote's GeoTIFF reader and writer.
//
// libtiff's TIFFSetField/TIFFGetField and libgeotiff's GTIFKeySet/GTIFKeyGet
// are variadic, which Swift cannot call: these wrappers fix one signature
// each. They also register GDAL's private tags (42112 GDAL_METADATA, 42113
// GDAL_NODATA), which libtiff rejects unless a tag extender knows them, and
// keep libtiff's messages for the caller instead of printing them.
#include <stdint.h>
#include <tiffio.h>
#include <geotiff/geotiffio.h>
#include <geotiff/xtiffio.h>
#include <geotiff/geokeys.h>
#include <geotiff/geovalues.h>

#define GV_TIFFTAG_GDAL_METADATA 42112
#define GV_TIFFTAG_GDAL_NODATA 42113

/// Opens a TIFF with the GeoTIFF and GDAL tags registered ("r" or "w8" for BigTIFF…).
TIFF *gv_tiff_open(const char *path, const char *mode);
void gv_tiff_close(TIFF *tif);
/// The last libtiff error on this thread ("" when none), cleared by gv_tiff_open.
const char *gv_tiff_last_error(void);

int gv_tiff_set_u16(TIFF *tif, uint32_t tag, uint16_t value);
int gv_tiff_set_u32(TIFF *tif, uint32_t tag, uint32_t value);
int gv_tiff_set_int(TIFF *tif, uint32_t tag, int value);
int gv_tiff_set_doubles(TIFF *tif, uint32_t tag, uint16_t count, const double *values);
int gv_tiff_set_u16_array(TIFF *tif, uint32_t tag, uint16_t count, const uint16_t *values);
int gv_tiff_set_string(TIFF *tif, uint32_t tag, const char *value);
int gv_tiff_get_u16(TIFF *tif, uint32_t tag, uint16_t *value);
int gv_tiff_get_u32(TIFF *tif, uint32_t tag, uint32_t *value);
int gv_tiff_get_doubles(TIFF *tif, uint32_t tag, uint16_t *count, const double **values);
int gv_tiff_get_string(TIFF *tif, uint32_t tag, const char **value);

int gv_gtif_set_short(GTIF *gtif, int key, unsigned short value);
int gv_gtif_set_ascii(GTIF *gtif, int key, const char *value);
/// 1 when the key is present (its value in *value), 0 when not.
int gv_gtif_get_short(GTIF *gtif, int key, unsigned short *value);


/// y_f[0..<n] += a_f · x[0..<n] for f in 0..<fields: the kernel surface's
/// inner loop (one row of a station's reach, every field at once), compiled
/// for AVX-512, AVX2 and baseline x86-64, chosen per call from the CPU's
/// features (the result is the same to the bit on each: one multiply and
/// one add per term, never fused, as `a * x + y` in Swift).
void gv_axpy_fields(size_t n, const double *x, size_t fields, const double *a, double *const *y);

/// A libdeflate compressor (one per thread) at a zlib level (1–12; GDAL's default is 6).
struct libdeflate_compressor;
struct libdeflate_compressor *gv_deflate_new(int level);
void gv_deflate_free(struct libdeflate_compressor *compressor);
/// The largest encoded size of a tile of `bytes` bytes.
size_t gv_deflate_bound(struct libdeflate_compressor *compressor, size_t bytes);
/// Encodes one Float32 tile as libtiff's DEFLATE codec with PREDICTOR_FLOATINGPOINT
/// does (per row: bytes split into planes, most significant first, then
/// byte-wise horizontal differencing; then zlib-wrapped DEFLATE), so it can be
/// written with TIFFWriteRawTile. `scratch` holds width × height × 4 bytes.
/// Returns the encoded size, 0 when `out` is too small.
size_t gv_encode_float_tile(struct libdeflate_compressor *compressor, const float *tile, uint32_t width, uint32_t height,
                            uint8_t *scratch, uint8_t *out, size_t capacity);
#endif

#include "CGeoTIFF.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libdeflate.h>

static _Thread_local char last_error[512];

static void record_error(const char *module, const char *fmt, va_list ap) {
    char message[448];
    vsnprintf(message, sizeof message, fmt, ap);
    snprintf(last_error, sizeof last_error, "%s%s%s", module ? module : "", module ? ": " : "", message);
}

static void ignore_warning(const char *module, const char *fmt, va_list ap) {
    (void)module; (void)fmt; (void)ap;
}

static TIFFExtendProc parent_extender = NULL;

static const TIFFFieldInfo gdal_fields[] = {
    {GV_TIFFTAG_GDAL_METADATA, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, "GDALMetadata"},
    {GV_TIFFTAG_GDAL_NODATA, -1, -1, TIFF_ASCII, FIELD_CUSTOM, 1, 0, "GDALNoDataValue"},
};

static void gdal_extender(TIFF *tif) {
    TIFFMergeFieldInfo(tif, gdal_fields, sizeof gdal_fields / sizeof gdal_fields[0]);
    if (parent_extender) parent_extender(tif);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void initialize(void) {
    TIFFSetErrorHandler(record_error);
    TIFFSetWarningHandler(ignore_warning);
    parent_extender = TIFFSetTagExtender(gdal_extender);
}

TIFF *gv_tiff_open(const char *path, const char *mode) {
    pthread_once(&once, initialize);
    last_error[0] = 0;
    return XTIFFOpen(path, mode);
}

void gv_tiff_close(TIFF *tif) { XTIFFClose(tif); }

const char *gv_tiff_last_error(void) { return last_error; }

int gv_tiff_set_u16(TIFF *tif, uint32_t tag, uint16_t value) { return TIFFSetField(tif, tag, value); }
int gv_tiff_set_u32(TIFF *tif, uint32_t tag, uint32_t value) { return TIFFSetField(tif, tag, value); }
int gv_tiff_set_int(TIFF *tif, uint32_t tag, int value) { return TIFFSetField(tif, tag, value); }
int gv_tiff_set_doubles(TIFF *tif, uint32_t tag, uint16_t count, const double *values) {
    return TIFFSetField(tif, tag, (int)count, values);
}
int gv_tiff_set_u16_array(TIFF *tif, uint32_t tag, uint16_t count, const uint16_t *values) {
    return TIFFSetField(tif, tag, (int)count, values);
}
int gv_tiff_set_string(TIFF *tif, uint32_t tag, const char *value) { return TIFFSetField(tif, tag, value); }
int gv_tiff_get_u16(TIFF *tif, uint32_t tag, uint16_t *value) { return TIFFGetField(tif, tag, value); }
int gv_tiff_get_u32(TIFF *tif, uint32_t tag, uint32_t *value) { return TIFFGetField(tif, tag, value); }
int gv_tiff_get_doubles(TIFF *tif, uint32_t tag, uint16_t *count, const double **values) {
    double *data = NULL;
    int ok = TIFFGetField(tif, tag, count, &data);
    *values = data;
    return ok;
}
int gv_tiff_get_string(TIFF *tif, uint32_t tag, const char **value) {
    char *text = NULL;
    int ok = TIFFGetField(tif, tag, &text);
    *value = text;
    return ok;
}

int gv_gtif_set_short(GTIF *gtif, int key, unsigned short value) {
    return GTIFKeySet(gtif, (geokey_t)key, TYPE_SHORT, 1, value);
}
int gv_gtif_set_ascii(GTIF *gtif, int key, const char *value) {
    return GTIFKeySet(gtif, (geokey_t)key, TYPE_ASCII, 0, value);
}
int gv_gtif_get_short(GTIF *gtif, int key, unsigned short *value) {
    return GTIFKeyGet(gtif, (geokey_t)key, value, 0, 1) == 1;
}

struct libdeflate_compressor *gv_deflate_new(int level) { return libdeflate_alloc_compressor(level); }
void gv_deflate_free(struct libdeflate_compressor *compressor) { libdeflate_free_compressor(compressor); }
size_t gv_deflate_bound(struct libdeflate_compressor *compressor, size_t bytes) { return libdeflate_zlib_compress_bound(compressor, bytes); }

size_t gv_encode_float_tile(struct libdeflate_compressor *compressor, const float *tile, uint32_t width, uint32_t height,
                            uint8_t *scratch, uint8_t *out, size_t capacity) {
    const size_t row_bytes = (size_t)width * 4;
    for (uint32_t r = 0; r < height; r++) {
        const uint8_t *src = (const uint8_t *)(tile + (size_t)r * width);
        uint8_t *dst = scratch + r * row_bytes;
        for (uint32_t i = 0; i < width; i++) {
            for (uint32_t byte = 0; byte < 4; byte++) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
                dst[byte * width + i] = src[4 * i + byte];
#else
                dst[(3 - byte) * width + i] = src[4 * i + byte];
#endif
            }
        }
        for (size_t i = row_bytes - 1; i >= 1; i--) dst[i] = (uint8_t)(dst[i] - dst[i - 1]);
    }
    return libdeflate_zlib_compress(compressor, scratch, row_bytes * height, out, capacity);
}

/* The loop, compiled three times (AVX-512, AVX2, baseline) and chosen per
   call from the CPU's features: no ifunc (target_clones), whose resolvers
   run before ThreadSanitizer's runtime is up and crash it. */
#define GV_AXPY_BODY                                                              \
    if (fields == 3) {                                                            \
        double *restrict y0 = y[0], *restrict y1 = y[1], *restrict y2 = y[2];     \
        const double a0 = a[0], a1 = a[1], a2 = a[2];                             \
        for (size_t k = 0; k < n; k++) {                                          \
            const double v = x[k];                                                \
            y0[k] += a0 * v;                                                      \
            y1[k] += a1 * v;                                                      \
            y2[k] += a2 * v;                                                      \
        }                                                                         \
        return;                                                                   \
    }                                                                             \
    if (fields == 2) {                                                            \
        double *restrict y0 = y[0], *restrict y1 = y[1];                          \
        const double a0 = a[0], a1 = a[1];                                        \
        for (size_t k = 0; k < n; k++) {                                          \
            const double v = x[k];                                                \
            y0[k] += a0 * v;                                                      \
            y1[k] += a1 * v;                                                      \
        }                                                                         \
        return;                                                                   \
    }                                                                             \
    for (size_t f = 0; f < fields; f++) {                                         \
        double *restrict yf = y[f];                                               \
        const double af = a[f];                                                   \
        for (size_t k = 0; k < n; k++) yf[k] += af * x[k];                        \
    }

static void axpy_baseline(size_t n, const double *x, size_t fields, const double *a, double *const *y) { GV_AXPY_BODY }

#if defined(__x86_64__)
__attribute__((target("avx2"))) static void axpy_avx2(size_t n, const double *x, size_t fields, const double *a, double *const *y) { GV_AXPY_BODY }
__attribute__((target("avx512f"))) static void axpy_avx512(size_t n, const double *x, size_t fields, const double *a, double *const *y) { GV_AXPY_BODY }
#endif

void gv_axpy_fields(size_t n, const double *x, size_t fields, const double *a, double *const *y) {
    /* No fused multiply-add: -ffp-contract=off for this file (Package.swift), so every
       variant gives the bits the Swift loop gave. */
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f")) { axpy_avx512(n, x, fields, a, y); return; }
    if (__builtin_cpu_supports("avx2")) { axpy_avx2(n, x, fields, a, y); return; }
#endif
    axpy_baseline(n, x, fields, a, y);
}

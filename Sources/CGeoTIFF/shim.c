#include "CGeoTIFF.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

#ifndef GEOVOTE_CCAIRO_SHIM_H
#define GEOVOTE_CCAIRO_SHIM_H
// cairo draws (PNG, PDF); for text on maps: pango lays out and shapes (HarfBuzz: joined Arabic letters,
// right to left by the Unicode bidi algorithm), pangocairo draws on cairo.
#include <pango/pangocairo.h>
#include <cairo-pdf.h>
#endif

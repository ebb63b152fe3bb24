#ifndef GEOVOTE_CCAIRO_SHIM_H
#define GEOVOTE_CCAIRO_SHIM_H
#include <cairo.h>
#endif

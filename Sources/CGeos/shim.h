#ifndef GEOVOTE_CGEOS_SHIM_H
#define GEOVOTE_CGEOS_SHIM_H
// Only the reentrant (_r) API: one context per worker, never shared.
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#endif

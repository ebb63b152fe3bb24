#ifndef GEOVOTE_CSHAPELIB_SHIM_H
#define GEOVOTE_CSHAPELIB_SHIM_H
#include <shapefil.h>
#endif

#ifndef GEOVOTE_CPROJ_SHIM_H
#define GEOVOTE_CPROJ_SHIM_H
#include <proj.h>
#endif

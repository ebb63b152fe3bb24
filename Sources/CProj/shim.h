#ifndef GEOVOTE_CPROJ_SHIM_H
#define GEOVOTE_CPROJ_SHIM_H
#include <proj.h>
#include <geodesic.h>  /* geod_polygonarea: ellipsoidal areas of zones */
#endif

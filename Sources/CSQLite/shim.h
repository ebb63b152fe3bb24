#ifndef GEOVOTE_CSQLITE_SHIM_H
#define GEOVOTE_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif

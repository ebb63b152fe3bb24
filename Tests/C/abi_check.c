/*
 * A host program of libgeovote.so, as another tool would be: every call of
 * geovote.h on the fixture, the error paths (NULL, freed and foreign
 * handles, a wrong ABI number, bad options, a released stream), and
 * ITERATIONS rounds of read → weights → hot spots → Arrow → free, then
 * 10,000 quick calls (successes and errors, each replacing the thread's
 * messages), so that valgrind (make abi-check) can show that nothing leaks.
 *
 *   abi_check FIXTURE.shp ITERATIONS
 * Exit 0 when every check holds; the first failed check is printed.
 */
#include "geovote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond, ...)                                                   \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "abi_check:%d: ", __LINE__);                         \
      fprintf(stderr, __VA_ARGS__);                                        \
      fprintf(stderr, " (last error: %s)\n", gv_last_error());             \
      failures++;                                                          \
      return;                                                              \
    }                                                                      \
  } while (0)

/* Rows and columns of a stream; releases it. */
static void drain(struct ArrowArrayStream* s, int64_t* rows, int64_t* columns, char* names, size_t size) {
  struct ArrowSchema schema;
  struct ArrowArray array;
  *rows = 0;
  *columns = -1;
  if (s->get_schema(s, &schema) == 0) {
    *columns = schema.n_children;
    if (names) {
      names[0] = 0;
      for (int64_t k = 0; k < schema.n_children; k++) {
        strncat(names, schema.children[k]->name, size - strlen(names) - 2);
        strncat(names, ",", size - strlen(names) - 1);
      }
    }
    schema.release(&schema);
  }
  while (s->get_next(s, &array) == 0 && array.release != NULL) {
    *rows += array.length;
    array.release(&array);
  }
  s->release(s);
}

static void round_trip(const char* path) {
  gv_layer* layer = NULL;
  CHECK(gv_layer_read(path, NULL, &layer) == GV_OK && layer != NULL, "gv_layer_read %s", path);
  int64_t n = 0;
  CHECK(gv_layer_count(layer, &n) == GV_OK && n > 0, "gv_layer_count");

  gv_weights* w = NULL;
  CHECK(gv_weights_build(layer, "queen", NULL, &w) == GV_OK, "gv_weights_build queen");
  int64_t units = 0, links = 0, islands = -1;
  CHECK(gv_weights_info(w, &units, &links, &islands) == GV_OK && units == n && links > 0, "gv_weights_info");

  struct ArrowArrayStream out;
  CHECK(gv_hotspots(layer, w, "{\"share\": \"PJD/valid\", \"statistic\": \"gistar\", \"permutations\": 99, \"seed\": 1, \"id\": \"code\"}",
                    0, 1, &out) == GV_OK, "gv_hotspots");
  int64_t rows, columns;
  char names[4096];
  drain(&out, &rows, &columns, names, sizeof names);
  CHECK(rows == n, "hot-spot rows %lld, layer %lld", (long long)rows, (long long)n);
  CHECK(strncmp(names, "index,code,", 11) == 0 && strstr(names, "PJD_valid_gistar_z,") && strstr(names, ",geometry,"),
        "hot-spot columns: %s", names);

  /* The layer out through Arrow and back in. */
  struct ArrowArrayStream stream;
  CHECK(gv_layer_to_arrow(layer, &stream) == GV_OK, "gv_layer_to_arrow");
  gv_layer* copy = NULL;
  CHECK(gv_layer_from_arrow(&stream, NULL, NULL, "round trip", &copy) == GV_OK, "gv_layer_from_arrow");
  CHECK(stream.release == NULL, "the consumed stream is released");
  int64_t m = 0;
  CHECK(gv_layer_count(copy, &m) == GV_OK && m == n, "round-trip count %lld", (long long)m);
  const char* crs_a = NULL;
  const char* crs_b = NULL;
  CHECK(gv_layer_crs(layer, &crs_a) == GV_OK && gv_layer_crs(copy, &crs_b) == GV_OK && strcmp(crs_a, crs_b) == 0 && crs_a[0],
        "round-trip CRS '%s' vs '%s'", crs_a, crs_b);

  struct ArrowArrayStream adjacency;
  CHECK(gv_weights_to_arrow(w, &adjacency) == GV_OK, "gv_weights_to_arrow");
  drain(&adjacency, &rows, &columns, NULL, 0);
  CHECK(rows == links && columns == 3, "adjacency rows %lld, links %lld", (long long)rows, (long long)links);

  gv_weights_free(w);
  gv_layer_free(copy);
  gv_layer_free(layer);
}

static void errors(const char* path) {
  CHECK(gv_abi_version() == GV_ABI_VERSION, "ABI %d", gv_abi_version());
  CHECK(strstr(gv_version(), "GEOS") != NULL, "version %s", gv_version());
  CHECK(gv_check_abi(GV_ABI_VERSION) == GV_OK && gv_last_error()[0] == 0, "gv_check_abi");
  CHECK(gv_check_abi(GV_ABI_VERSION + 1) == GV_ERROR_ARGUMENT && strstr(gv_last_error(), "ABI"), "a wrong ABI number");

  int64_t n;
  CHECK(gv_layer_count(NULL, &n) == GV_ERROR_HANDLE && strstr(gv_last_error(), "NULL"), "a NULL handle");
  CHECK(gv_layer_count((gv_layer*)(uintptr_t)0xdeadbee0, &n) == GV_ERROR_HANDLE, "a foreign handle");

  gv_layer* layer = NULL;
  CHECK(gv_layer_read("/nonexistent/communes.shp", NULL, &layer) == GV_ERROR_IO && layer == NULL &&
            strstr(gv_last_error(), "/nonexistent/communes.shp"), "a missing file");
  CHECK(gv_layer_read(path, "KOI8-R", &layer) == GV_ERROR_ARGUMENT, "an unknown encoding");
  CHECK(gv_layer_read(path, NULL, &layer) == GV_OK, "read");

  gv_weights* w = NULL;
  CHECK(gv_weights_build(layer, "hexagons", NULL, &w) == GV_ERROR_ARGUMENT && w == NULL, "an unknown weights spec");
  struct ArrowArrayStream out;
  CHECK(gv_hotspots(layer, NULL, "{\"share\": \"NOPE/valid\"}", 1, 0, &out) == GV_ERROR_DATA && strstr(gv_last_error(), "'NOPE'"),
        "a missing field: %s", gv_last_error());
  CHECK(gv_hotspots(layer, NULL, "{\"share\": \"PJD/valid\", \"output\": \"x.csv\"}", 1, 0, &out) == GV_ERROR_ARGUMENT &&
            strstr(gv_last_error(), "'output'"), "a file key");
  CHECK(gv_hotspots(layer, NULL, "{\"share\": ", 1, 0, &out) == GV_ERROR_ARGUMENT && strstr(gv_last_error(), "JSON"), "bad JSON");
  CHECK(gv_hotspots(layer, NULL, "{\"share\": \"PJD/valid\", \"permutations\": 99999999999}", 1, 0, &out) == GV_ERROR_ARGUMENT,
        "absurd permutations");
  CHECK(gv_hotspots(layer, NULL, NULL, 1, 0, &out) == GV_ERROR_ARGUMENT, "NULL options");
  CHECK(gv_hotspots(layer, NULL, "{\"share\": \"PJD/valid\"}", 1, 0, NULL) == GV_ERROR_HANDLE, "NULL output stream");

  /* A released stream, and a freed handle (twice). */
  struct ArrowArrayStream released;
  memset(&released, 0, sizeof released);
  gv_layer* other = NULL;
  CHECK(gv_layer_from_arrow(&released, NULL, NULL, NULL, &other) == GV_ERROR_ARROW && other == NULL, "a released stream");
  gv_layer_free(layer);
  CHECK(gv_layer_count(layer, &n) == GV_ERROR_HANDLE && strstr(gv_last_error(), "not live"), "a freed handle");
  gv_layer_free(layer);
  CHECK(gv_weights_info((gv_weights*)layer, NULL, NULL, NULL) == GV_ERROR_HANDLE, "a freed handle as weights");
}

static void quick_calls(const char* path) {
  gv_layer* layer = NULL;
  CHECK(gv_layer_read(path, NULL, &layer) == GV_OK, "read");
  gv_weights* w = NULL;
  CHECK(gv_weights_build(layer, "knn:4", NULL, &w) == GV_OK, "knn:4");
  int64_t n;
  const char* crs;
  for (int i = 0; i < 10000 / 5; i++) {
    CHECK(gv_layer_count(layer, &n) == GV_OK, "count");
    CHECK(gv_layer_crs(layer, &crs) == GV_OK, "crs");
    CHECK(gv_weights_info(w, &n, NULL, NULL) == GV_OK, "info");
    CHECK(gv_check_abi(-1) == GV_ERROR_ARGUMENT, "ABI");
    struct ArrowArrayStream out;
    CHECK(gv_hotspots(layer, w, "{\"share\": \"PJD/valid\", \"statistic\": \"none\"}", 1, 0, &out) == GV_ERROR_ARGUMENT, "statistic");
  }
  gv_weights_free(w);
  gv_layer_free(layer);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: abi_check FIXTURE.shp ITERATIONS\n");
    return 64;
  }
  errors(argv[1]);
  int iterations = atoi(argv[2]);
  for (int i = 0; i < iterations && failures == 0; i++) round_trip(argv[1]);
  if (failures == 0) quick_calls(argv[1]);
  if (failures) return 1;
  printf("abi_check: %s, %d rounds and 10,000 quick calls, every check held\n", gv_version(), iterations);
  return 0;
}

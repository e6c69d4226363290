/* test_kidx.c again with the portable key match (no SSE2), the one that
 * ARM and 32-bit builds use: the index's inline lookups come from the
 * header, so this file's lookups take the other path. */
#undef __SSE2__
#include "test_kidx.c"

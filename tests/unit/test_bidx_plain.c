/* test_bidx.c against the index built as on a 32-bit machine: plain
 * pointers in the slots from the start, growth hashing every record
 * again. The index's code is compiled into this test with the setting
 * (the library's copy, built without it, is not linked in). */
#define BIDX_PLAIN_POINTERS
#include "../../src/core/bidx.c"
#include "test_bidx.c"

/* Shared timing helpers for the benchmarks: each figure is the median
 * of several timed runs, each long enough (about 100 ms) to swamp the
 * clock's resolution. Figures are printed, never asserted. */
#ifndef MCAST_BENCH_H
#define MCAST_BENCH_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static volatile uint64_t bench_sink;

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Faults in mb MiB of heap and keeps it (glibc: no trimming, blocks up
 * to 32 MiB from the heap), so that a benchmark that builds state from
 * nothing measures the engines' work, not the kernel's first touch of
 * fresh pages: in a virtual machine a page fault can cost more than the
 * records that fill the page, and which of two runs gets the memory
 * another freed would decide their ratio. A daemon that has run a while
 * is in this state. */
static inline void bench_warm_heap(size_t mb)
{
#ifdef __GLIBC__
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);
	enum { CHUNK = 4 << 20 };
	size_t n = mb / 4;
	void **v = malloc(n * sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		if ((v[i] = malloc(CHUNK)))
			memset(v[i], 1, CHUNK);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
#else
	(void)mb;
#endif
}

/* Nanoseconds per call of fn(arg), median of 5 runs. */
static inline double bench_run(uint64_t (*fn)(void *), void *arg)
{
	uint64_t iters = 1;
	for (;;) {
		uint64_t t0 = bench_now_ns();
		for (uint64_t i = 0; i < iters; i++)
			bench_sink += fn(arg);
		uint64_t dt = bench_now_ns() - t0;
		if (dt > 20000000u)
			break;
		iters *= 2;
	}
	iters *= 5; /* about 100 ms a run */
	double r[5];
	for (int k = 0; k < 5; k++) {
		uint64_t t0 = bench_now_ns();
		for (uint64_t i = 0; i < iters; i++)
			bench_sink += fn(arg);
		r[k] = (double)(bench_now_ns() - t0) / (double)iters;
	}
	qsort(r, 5, sizeof(r[0]), bench_cmp_double);
	return r[2];
}

#endif

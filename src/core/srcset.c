/*
 * DOC: source sets
 *
 * Source lists are sorted arrays of struct mcast_addr without duplicates,
 * so that the set expressions of RFC 3376 6.4 and RFC 3810 7.4 (A+B,
 * A*B, A-B) are linear merges and membership is a binary search. The
 * array functions work on caller buffers; struct mcast_srcset adds
 * growth through the allocator callback.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mcast/core.h"
#include "core/addr.h"

size_t mcast_addrs_union(const struct mcast_addr *a, size_t na, const struct mcast_addr *b,
			 size_t nb, struct mcast_addr *out)
{
	size_t i = 0, j = 0, k = 0;
	while (i < na && j < nb) {
		int c = addr_cmp(&a[i], &b[j]);
		if (c < 0)
			out[k++] = a[i++];
		else if (c > 0)
			out[k++] = b[j++];
		else {
			out[k++] = a[i++];
			j++;
		}
	}
	while (i < na)
		out[k++] = a[i++];
	while (j < nb)
		out[k++] = b[j++];
	return k;
}

size_t mcast_addrs_intersect(const struct mcast_addr *a, size_t na,
			     const struct mcast_addr *b, size_t nb, struct mcast_addr *out)
{
	size_t i = 0, j = 0, k = 0;
	while (i < na && j < nb) {
		int c = addr_cmp(&a[i], &b[j]);
		if (c < 0)
			i++;
		else if (c > 0)
			j++;
		else {
			out[k++] = a[i++];
			j++;
		}
	}
	return k;
}

size_t mcast_addrs_diff(const struct mcast_addr *a, size_t na, const struct mcast_addr *b,
			size_t nb, struct mcast_addr *out)
{
	size_t i = 0, j = 0, k = 0;
	while (i < na) {
		if (j == nb) {
			out[k++] = a[i++];
			continue;
		}
		int c = addr_cmp(&a[i], &b[j]);
		if (c < 0)
			out[k++] = a[i++];
		else if (c > 0)
			j++;
		else {
			i++;
			j++;
		}
	}
	return k;
}

long mcast_addrs_find(const struct mcast_addr *a, size_t n, const struct mcast_addr *x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = addr_cmp(&a[mid], x);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(long)lo - 1;
}

static int cmp_qsort(const void *x, const void *y)
{
	return addr_cmp(x, y);
}

size_t mcast_addrs_normalize(struct mcast_addr *a, size_t n)
{
	if (n < 2)
		return n;
	if (!mcast_addrs_is_sorted(a, n))
		qsort(a, n, sizeof(*a), cmp_qsort);
	size_t k = 1;
	for (size_t i = 1; i < n; i++)
		if (!mcast_addr_eq(&a[i], &a[k - 1]))
			a[k++] = a[i];
	return k;
}

bool mcast_addrs_is_sorted(const struct mcast_addr *a, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (addr_cmp(&a[i - 1], &a[i]) >= 0)
			return false;
	return true;
}

/* ---- growable set ------------------------------------------------------ */

void mcast_srcset_init(struct mcast_srcset *s)
{
	s->v = NULL;
	s->n = s->cap = 0;
}

void mcast_srcset_free(struct mcast_srcset *s, const struct mcast_alloc *al)
{
	mcast_alloc_free(al, s->v, s->cap * sizeof(*s->v));
	mcast_srcset_init(s);
}

static int reserve(struct mcast_srcset *s, const struct mcast_alloc *al, size_t need)
{
	if (need <= s->cap)
		return 0;
	if (need > UINT32_MAX / 2)
		return -ENOMEM;
	size_t cap = s->cap ? s->cap : 1;
	while (cap < need)
		cap *= 2;
	void *v = mcast_alloc_resize(al, s->v, s->cap * sizeof(*s->v), cap * sizeof(*s->v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	s->cap = (uint32_t)cap;
	return 0;
}

int mcast_srcset_add(struct mcast_srcset *s, const struct mcast_alloc *al,
		     const struct mcast_addr *x)
{
	long pos = mcast_addrs_find(s->v, s->n, x);
	if (pos >= 0)
		return 0;
	if (reserve(s, al, (size_t)s->n + 1) < 0)
		return -ENOMEM;
	size_t at = (size_t)(-pos - 1);
	memmove(&s->v[at + 1], &s->v[at], (s->n - at) * sizeof(*s->v));
	s->v[at] = *x;
	s->n++;
	return 1;
}

int mcast_srcset_del(struct mcast_srcset *s, const struct mcast_addr *x)
{
	long pos = mcast_addrs_find(s->v, s->n, x);
	if (pos < 0)
		return 0;
	size_t at = (size_t)pos;
	memmove(&s->v[at], &s->v[at + 1], (s->n - at - 1) * sizeof(*s->v));
	s->n--;
	return 1;
}

bool mcast_srcset_has(const struct mcast_srcset *s, const struct mcast_addr *x)
{
	return mcast_addrs_find(s->v, s->n, x) >= 0;
}

int mcast_srcset_assign(struct mcast_srcset *s, const struct mcast_alloc *al,
			const struct mcast_addr *a, size_t n)
{
	if (reserve(s, al, n) < 0)
		return -ENOMEM;
	if (n)
		memmove(s->v, a, n * sizeof(*a));
	s->n = (uint32_t)n;
	return 0;
}

int mcast_srcset_reserve(struct mcast_srcset *s, const struct mcast_alloc *al, size_t n)
{
	return reserve(s, al, n);
}

/* Merges from the back, in place: with room for n + no the write index
 * stays above the unread part of s, so no temporary array is needed and
 * a reserved set never allocates here. o must not alias s->v. */
int mcast_srcset_union(struct mcast_srcset *s, const struct mcast_alloc *al,
		       const struct mcast_addr *o, size_t no)
{
	if (no == 0)
		return 0;
	if (reserve(s, al, (size_t)s->n + no) < 0)
		return -ENOMEM;
	size_t i = s->n, j = no, k = (size_t)s->n + no;
	while (j > 0) {
		int c = i ? addr_cmp(&s->v[i - 1], &o[j - 1]) : -1;
		if (c > 0)
			s->v[--k] = s->v[--i];
		else {
			s->v[--k] = o[--j];
			if (c == 0)
				i--; /* one copy of an address in both */
		}
	}
	/* s->v[0..i) is in place; the merged tail starts at k */
	size_t tail = (size_t)s->n + no - k;
	if (k != i)
		memmove(&s->v[i], &s->v[k], tail * sizeof(*s->v));
	s->n = (uint32_t)(i + tail);
	return 0;
}

/* In place is safe for intersection and difference: the write index never
 * passes the read index of s. */
void mcast_srcset_intersect(struct mcast_srcset *s, const struct mcast_addr *o, size_t no)
{
	size_t i = 0, j = 0, k = 0;
	while (i < s->n && j < no) {
		int c = addr_cmp(&s->v[i], &o[j]);
		if (c < 0)
			i++;
		else if (c > 0)
			j++;
		else {
			s->v[k++] = s->v[i++];
			j++;
		}
	}
	s->n = (uint32_t)k;
}

void mcast_srcset_diff(struct mcast_srcset *s, const struct mcast_addr *o, size_t no)
{
	size_t i = 0, j = 0, k = 0;
	while (i < s->n) {
		int c = j < no ? addr_cmp(&s->v[i], &o[j]) : -1;
		if (c < 0)
			s->v[k++] = s->v[i++];
		else if (c > 0)
			j++;
		else {
			i++;
			j++;
		}
	}
	s->n = (uint32_t)k;
}

bool mcast_srcset_equal(const struct mcast_srcset *s, const struct mcast_srcset *o)
{
	return s->n == o->n && (s->n == 0 || memcmp(s->v, o->v, s->n * sizeof(*s->v)) == 0);
}

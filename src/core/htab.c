/*
 * DOC: hash table
 *
 * Intrusive chaining: records embed a struct mcast_hnode holding the
 * full 64-bit hash, so chains are walked comparing hashes before keys
 * and a resize never recomputes a hash. Buckets are a power of two and
 * the table doubles when the load passes 1, so a lookup costs one
 * bucket load and, on average, about one record load. Callers hash with
 * a per-table random seed (mcast_addr_hash) so that remote senders
 * cannot aim at one chain.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mcast/core.h"

int mcast_htab_init(struct mcast_htab *t, const struct mcast_alloc *al, size_t hint)
{
	size_t n = 16;
	while (n < hint)
		n *= 2;
	t->al = al;
	t->count = 0;
	t->buckets = mcast_alloc_get(al, n * sizeof(*t->buckets));
	if (!t->buckets) {
		t->mask = 0;
		return -ENOMEM;
	}
	memset(t->buckets, 0, n * sizeof(*t->buckets));
	t->mask = n - 1;
	return 0;
}

void mcast_htab_free(struct mcast_htab *t)
{
	if (t->buckets)
		mcast_alloc_free(t->al, t->buckets, (t->mask + 1) * sizeof(*t->buckets));
	t->buckets = NULL;
	t->mask = 0;
	t->count = 0;
}

static int grow(struct mcast_htab *t)
{
	size_t n = (t->mask + 1) * 2;
	struct mcast_hnode **b = mcast_alloc_get(t->al, n * sizeof(*b));
	if (!b)
		return -ENOMEM;
	memset(b, 0, n * sizeof(*b));
	for (size_t i = 0; i <= t->mask; i++) {
		struct mcast_hnode *x = t->buckets[i];
		while (x) {
			struct mcast_hnode *nx = x->next;
			size_t j = x->hash & (n - 1);
			x->next = b[j];
			b[j] = x;
			x = nx;
		}
	}
	mcast_alloc_free(t->al, t->buckets, (t->mask + 1) * sizeof(*t->buckets));
	t->buckets = b;
	t->mask = n - 1;
	return 0;
}

int mcast_htab_insert(struct mcast_htab *t, struct mcast_hnode *n, uint64_t h)
{
	int rc = 0;
	if (t->count + 1 > t->mask + 1)
		rc = grow(t);
	n->hash = h;
	struct mcast_hnode **b = &t->buckets[h & t->mask];
	n->next = *b;
	*b = n;
	t->count++;
	return rc;
}

void mcast_htab_remove(struct mcast_htab *t, struct mcast_hnode *n)
{
	struct mcast_hnode **pp = &t->buckets[n->hash & t->mask];
	while (*pp && *pp != n)
		pp = &(*pp)->next;
	if (!*pp)
		return;
	*pp = n->next;
	n->next = NULL;
	t->count--;
}

void mcast_htab_walk(const struct mcast_htab *t,
		     void (*fn)(struct mcast_hnode *n, void *arg), void *arg)
{
	if (!t->buckets)
		return;
	for (size_t i = 0; i <= t->mask; i++)
		for (struct mcast_hnode *x = t->buckets[i]; x; x = x->next)
			fn(x, arg);
}

void mcast_htab_walk_safe(struct mcast_htab *t, void (*fn)(struct mcast_hnode *n, void *arg),
			  void *arg)
{
	for (size_t i = 0; t->buckets && i <= t->mask; i++) {
		struct mcast_hnode *x = t->buckets[i];
		while (x) {
			struct mcast_hnode *next = x->next;
			fn(x, arg);
			x = next;
		}
	}
}

void **mcast_htab_sorted(const struct mcast_htab *t, size_t off,
			 int (*cmp)(const void *, const void *), size_t *n)
{
	*n = 0;
	void **v = mcast_alloc_get(t->al, (t->count + 1) * sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; t->buckets && i <= t->mask; i++)
		for (struct mcast_hnode *x = t->buckets[i]; x; x = x->next)
			v[(*n)++] = (char *)x - off;
	qsort(v, *n, sizeof(*v), cmp);
	v[*n] = NULL; /* lets mcast_htab_sorted_free() find the size */
	return v;
}

void mcast_htab_sorted_free(const struct mcast_htab *t, void **v)
{
	if (!v)
		return;
	size_t n = 0;
	while (v[n])
		n++;
	mcast_alloc_free(t->al, v, (n + 1) * sizeof(*v));
}

/*
 * DOC: object pool
 *
 * Fixed-size objects carved from chunks. Chunks grow with the pool: the
 * first holds 8 objects, each next one as many as the pool has so far,
 * up to per_chunk; so a pool of a few objects costs a few objects, and
 * a large one still calls the allocator once per per_chunk objects.
 * Freed objects go on a free list threaded through their first word, so
 * get and put never call the allocator once the pool has warmed up. The
 * chunk list is threaded through a header at the start of each chunk,
 * which also counts the objects handed out of it: a new chunk is carved
 * as objects are asked for, not threaded onto the free list whole, so
 * each object's memory is first touched when it is first used (threading
 * a chunk of thousands wrote every object once more, a cache miss and
 * for a fresh chunk a page fault each, before any was used).
 */
#include <string.h>

#include "mcast/core.h"

struct chunk_hdr {
	void *next;
	size_t size;
	size_t count;   /* objects in the chunk */
	size_t carved;  /* of them, handed out at least once */
};

#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((size_t)(a) - 1))

void mcast_pool_init(struct mcast_pool *p, const struct mcast_alloc *al, size_t obj_size,
		     size_t per_chunk, size_t max_objects)
{
	memset(p, 0, sizeof(*p));
	p->al = al;
	/* 8-byte alignment (16 cost a 72-byte group 8 more) */
	p->obj_size = mcast_pool_obj_size(obj_size);
	p->per_chunk = per_chunk ? per_chunk : 64;
	p->max_objects = max_objects;
}

#define FIRST_CHUNK 8

static int add_chunk(struct mcast_pool *p)
{
	size_t n = p->allocated < FIRST_CHUNK ? FIRST_CHUNK : p->allocated;
	if (n > p->per_chunk)
		n = p->per_chunk;
	if (p->max_objects && p->allocated + n > p->max_objects)
		n = p->max_objects - p->allocated;
	if (n == 0)
		return -1;
	size_t hdr = ALIGN_UP(sizeof(struct chunk_hdr), 16);
	size_t size = hdr + n * p->obj_size;
	struct chunk_hdr *c = mcast_alloc_get(p->al, size);
	if (!c)
		return -1;
	c->next = p->chunks;
	c->size = size;
	c->count = n;
	c->carved = 0;
	p->chunks = c;
	p->allocated += n;
	return 0;
}

void *mcast_pool_get(struct mcast_pool *p)
{
	void *obj = p->free_list;
	if (obj) {
		p->free_list = *(void **)obj;
	} else {
		/* only the newest chunk can have objects never handed out */
		struct chunk_hdr *c = p->chunks;
		if (!c || c->carved == c->count) {
			if (add_chunk(p) < 0)
				return NULL;
			c = p->chunks;
		}
		obj = (char *)c + ALIGN_UP(sizeof(struct chunk_hdr), 16) + c->carved++ * p->obj_size;
	}
	memset(obj, 0, p->obj_size);
	p->in_use++;
	return obj;
}

void mcast_pool_put(struct mcast_pool *p, void *obj)
{
	if (!obj)
		return;
	*(void **)obj = p->free_list;
	p->free_list = obj;
	p->in_use--;
}

void mcast_pool_destroy(struct mcast_pool *p)
{
	struct chunk_hdr *c = p->chunks;
	while (c) {
		struct chunk_hdr *next = c->next;
		mcast_alloc_free(p->al, c, c->size);
		c = next;
	}
	p->chunks = NULL;
	p->free_list = NULL;
	p->in_use = p->allocated = 0;
}

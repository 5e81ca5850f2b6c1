#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
    arena_chunk *next;
    size_t size;
    alignas(max_align_t) unsigned char data[];
};

/* Small default first chunk: a set may hold thousands of small policies, each
 * with its own arena (arena_expect sizes it better when it can). */
enum { ARENA_MIN_CHUNK = 1024 };

void arena_init(arena *a)
{
    a->head = NULL;
    a->used = 0;
    a->capacity = 0;
    a->total = 0;
    a->first_chunk = 0;
}

void arena_expect(arena *a, size_t bytes)
{
    if (a->head == NULL)
        a->first_chunk = bytes < ARENA_MIN_CHUNK ? ARENA_MIN_CHUNK : bytes;
}

/* Takes size bytes aligned to align (a power of two). Strings ask for 1,
 * everything else for max_align_t: padding every string to 16 bytes cost a
 * tenth of a compiled set's memory. */
static void *arena_take(arena *a, size_t size, size_t align)
{
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX / 2)
        return NULL;
#ifdef IAMEVAL_ARENA_DEBUG
    const int debug = 1;
#else
    const int debug = 0;
#endif
    size_t at = (a->used + align - 1) & ~(align - 1);
    if (debug || a->head == NULL || at > a->capacity || a->capacity - at < size) {
        /* Each chunk is half the footprint so far (the footprint grows by
         * half), so a big document costs O(log n) mallocs and the last
         * chunk's unused tail stays a third of the whole at worst; a request
         * larger than the next chunk gets a chunk of its own. */
        size_t want = debug ? size
                      : a->head == NULL && a->first_chunk ? a->first_chunk
                      : a->total / 2 < ARENA_MIN_CHUNK ? ARENA_MIN_CHUNK : a->total / 2;
        if (want < size)
            want = size;
        arena_chunk *c = malloc(sizeof *c + want);
        if (c == NULL)
            return NULL;
        c->next = a->head;
        c->size = want;
        a->head = c;
        a->used = 0;
        a->capacity = want;
        a->total += want;
        at = 0;
    }
    void *p = a->head->data + at;
    a->used = at + size;
    return p;
}

void *arena_alloc(arena *a, size_t size)
{
    return arena_take(a, size, alignof(max_align_t));
}

char *arena_alloc_bytes(arena *a, size_t size)
{
    return arena_take(a, size, 1);
}

void *arena_calloc(arena *a, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = arena_alloc(a, count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t len)
{
    char *p = arena_take(a, len + 1, 1);
    if (p == NULL)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void arena_release(arena *a)
{
    arena_chunk *c = a->head;
    while (c != NULL) {
        arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    arena_init(a);
}

/* One arena per long-lived object (a compiled policy, a scenario file): built
 * once, freed by one call. With IAMEVAL_ARENA_DEBUG defined, every allocation
 * is its own malloc so that ASan and valgrind see each block's bounds. */
#ifndef IAMEVAL_ARENA_H
#define IAMEVAL_ARENA_H

#include <stddef.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
    arena_chunk *head;
    size_t used;        /* bytes handed out from head */
    size_t capacity;    /* bytes usable in head */
    size_t total;       /* bytes of every chunk: the arena's footprint */
    size_t first_chunk; /* 0, or the size arena_expect asked for */
} arena;

void arena_init(arena *a);
/* Aligned to max_align_t; NULL when memory runs out. Never returns the same
 * block twice; blocks live until arena_release. */
void *arena_alloc(arena *a, size_t size);
void *arena_calloc(arena *a, size_t count, size_t size);
/* Unaligned, for bytes and strings. */
char *arena_alloc_bytes(arena *a, size_t size);
/* Copies s[0..len) and appends a NUL. */
char *arena_strndup(arena *a, const char *s, size_t len);
void arena_release(arena *a);
/* Sizes the first chunk for an expected footprint (before any allocation):
 * a compiled policy's is about proportional to its JSON, and the chunks'
 * unused tails are most of what an arena wastes. */
void arena_expect(arena *a, size_t bytes);

#endif

/* Pieces every fuzz harness shares. */
#ifndef IAMEVAL_FUZZ_COMMON_H
#define IAMEVAL_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes an input to stderr in hex, 32 bytes a line, so a finding can be
 * rebuilt from a report alone. */
static inline void print_hex(const uint8_t *data, size_t size)
{
    for (size_t k = 0; k < size; k++)
        fprintf(stderr, "%s%02X", k % 32 ? " " : "\n  ", data[k]);
    fprintf(stderr, "\n");
}

#endif

/*
 * hash.h — the 64-bit hashing behind type ids and content hashes, and a small
 * open-addressing map from 64-bit keys to 32-bit values (DIE offset -> type,
 * id -> type). Ids must be identical on every machine, so the hash is fully
 * specified here (FNV-1a over a length-prefixed field stream, finished with
 * the splitmix64 mixer) and never seeded.
 */
#ifndef ABIGUARD_HASH_H
#define ABIGUARD_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ag_hasher {
    uint64_t h;
} ag_hasher;

void ag_hash_init(ag_hasher *hs);
void ag_hash_bytes(ag_hasher *hs, const void *data, size_t len);
void ag_hash_u64(ag_hasher *hs, uint64_t v);
/* Strings are length-prefixed, and NULL differs from "". */
void ag_hash_str(ag_hasher *hs, const char *s);
uint64_t ag_hash_final(const ag_hasher *hs);

uint64_t ag_hash_mix(uint64_t x);

/* Map from uint64 keys to uint32 values. Key UINT64_MAX is reserved. */
typedef struct ag_u64map {
    uint64_t *keys;
    uint32_t *values;
    size_t cap;   /* power of two */
    size_t count;
} ag_u64map;

bool ag_u64map_init(ag_u64map *m, size_t expected);
void ag_u64map_free(ag_u64map *m);
/* Returns false when out of memory. Replaces an existing value. */
bool ag_u64map_put(ag_u64map *m, uint64_t key, uint32_t value);
/* Returns true and sets *value when found. */
bool ag_u64map_get(const ag_u64map *m, uint64_t key, uint32_t *value);

#endif

/*
 * hash.c — see hash.h. FNV-1a is not a strong hash on its own; the splitmix64
 * finish spreads its bits, which is all a 64-bit content id needs.
 */
#include "hash.h"

#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL
#define EMPTY_KEY UINT64_MAX

uint64_t ag_hash_mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void ag_hash_init(ag_hasher *hs)
{
    hs->h = FNV_OFFSET;
}

void ag_hash_bytes(ag_hasher *hs, const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = hs->h;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    hs->h = h;
}

void ag_hash_u64(ag_hasher *hs, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    ag_hash_bytes(hs, b, sizeof b);
}

void ag_hash_str(ag_hasher *hs, const char *s)
{
    if (!s) {
        ag_hash_u64(hs, UINT64_MAX);
        return;
    }
    size_t n = strlen(s);
    ag_hash_u64(hs, n);
    ag_hash_bytes(hs, s, n);
}

uint64_t ag_hash_final(const ag_hasher *hs)
{
    return ag_hash_mix(hs->h);
}

bool ag_u64map_init(ag_u64map *m, size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2)
        cap <<= 1;
    m->keys = malloc(cap * sizeof *m->keys);
    m->values = malloc(cap * sizeof *m->values);
    if (!m->keys || !m->values) {
        free(m->keys);
        free(m->values);
        m->keys = NULL;
        m->values = NULL;
        return false;
    }
    memset(m->keys, 0xff, cap * sizeof *m->keys);
    m->cap = cap;
    m->count = 0;
    return true;
}

void ag_u64map_free(ag_u64map *m)
{
    free(m->keys);
    free(m->values);
    m->keys = NULL;
    m->values = NULL;
    m->cap = m->count = 0;
}

static size_t slot_of(const ag_u64map *m, uint64_t key)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)ag_hash_mix(key) & mask;
    while (m->keys[i] != EMPTY_KEY && m->keys[i] != key)
        i = (i + 1) & mask;
    return i;
}

static bool grow(ag_u64map *m)
{
    ag_u64map bigger;
    if (!ag_u64map_init(&bigger, m->cap))
        return false;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == EMPTY_KEY)
            continue;
        size_t j = slot_of(&bigger, m->keys[i]);
        bigger.keys[j] = m->keys[i];
        bigger.values[j] = m->values[i];
        bigger.count++;
    }
    ag_u64map_free(m);
    *m = bigger;
    return true;
}

bool ag_u64map_put(ag_u64map *m, uint64_t key, uint32_t value)
{
    if ((m->count + 1) * 4 > m->cap * 3 && !grow(m))
        return false;
    size_t i = slot_of(m, key);
    if (m->keys[i] == EMPTY_KEY) {
        m->keys[i] = key;
        m->count++;
    }
    m->values[i] = value;
    return true;
}

bool ag_u64map_get(const ag_u64map *m, uint64_t key, uint32_t *value)
{
    if (!m->cap)
        return false;
    size_t i = slot_of(m, key);
    if (m->keys[i] == EMPTY_KEY)
        return false;
    *value = m->values[i];
    return true;
}

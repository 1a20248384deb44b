/*
 * sha256.h — SHA-256 (FIPS 180-4), for the file digest in a corpus identity.
 */
#ifndef ABIGUARD_SHA256_H
#define ABIGUARD_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct ag_sha256 {
    uint32_t state[8];
    uint64_t length;
    uint8_t block[64];
    size_t used;
} ag_sha256;

void ag_sha256_init(ag_sha256 *s);
void ag_sha256_update(ag_sha256 *s, const void *data, size_t len);
void ag_sha256_final(ag_sha256 *s, uint8_t out[32]);
/* Lowercase hex of the digest into hex[65]. */
void ag_sha256_hex(const uint8_t digest[32], char hex[65]);

#endif

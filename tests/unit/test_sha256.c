/*
 * test_sha256.c — SHA-256 against the FIPS 180-4 / NIST example vectors,
 * fed both in one piece and in awkward chunk sizes (the block-boundary
 * bookkeeping in ag_sha256_update is where implementations go wrong).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

static void digest_hex(const void *data, size_t len, size_t chunk, char hex[65])
{
    ag_sha256 s;
    uint8_t digest[32];
    const unsigned char *p = data;
    ag_sha256_init(&s);
    while (len > 0) {
        size_t n = chunk && chunk < len ? chunk : len;
        ag_sha256_update(&s, p, n);
        p += n;
        len -= n;
    }
    ag_sha256_final(&s, digest);
    ag_sha256_hex(digest, hex);
}

static void expect_digest(const char *msg, const char *expected)
{
    static const size_t chunks[] = {0, 1, 3, 55, 56, 63, 64, 65};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        char hex[65];
        digest_hex(msg, strlen(msg), chunks[i], hex);
        cr_expect_str_eq(hex, expected, "message of %zu bytes in chunks of %zu", strlen(msg), chunks[i]);
    }
}

Test(sha256, empty_message)
{
    expect_digest("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

Test(sha256, abc)
{
    expect_digest("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(sha256, two_block_448_bit_message)
{
    expect_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, message_of_896_bits)
{
    expect_digest("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                  "mnopqrstnopqrstu",
                  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

Test(sha256, one_million_a)
{
    size_t len = 1000000;
    char *msg = malloc(len);
    cr_assert_not_null(msg);
    memset(msg, 'a', len);
    char hex[65];
    digest_hex(msg, len, 0, hex);
    cr_expect_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    digest_hex(msg, len, 1000, hex);
    cr_expect_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(msg);
}

Test(sha256, hex_is_lowercase_and_terminated)
{
    uint8_t digest[32];
    char hex[65];
    memset(hex, 'x', sizeof hex);
    for (int i = 0; i < 32; i++)
        digest[i] = (uint8_t)(0xf0 + (i & 0xf));
    ag_sha256_hex(digest, hex);
    cr_expect_eq(hex[64], '\0');
    cr_expect_eq(strncmp(hex, "f0f1f2f3", 8), 0);
}

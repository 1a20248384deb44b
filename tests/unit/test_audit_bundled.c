/*
 * test_audit_bundled.c — the names of bundled libraries (audit.h): the
 * SONAME a grafted copy had before auditwheel renamed it.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "audit.h"

static void expect_unhashed(const char *soname, const char *want)
{
    char *got = ag_unhashed_soname(soname);
    cr_assert(got);
    cr_expect_str_eq(got, want, "%s", soname);
    free(got);
}

Test(audit_bundled, auditwheel_hash_is_undone)
{
    expect_unhashed("libdep-579c423b.so.1", "libdep.so.1");
    expect_unhashed("libgfortran-040039e1.so.5.0.0", "libgfortran.so.5.0.0");
    expect_unhashed("libopenblas64_p-r0-15028c96.3.21.so", "libopenblas64_p-r0.3.21.so");
    expect_unhashed("libz-a1b2c3d4.so", "libz.so");
}

Test(audit_bundled, names_without_a_hash_stay)
{
    expect_unhashed("libdep.so.1", "libdep.so.1");
    expect_unhashed("libfoo-1.2.so", "libfoo-1.2.so");            /* a version, not 8 hex digits */
    expect_unhashed("libfoo-ABCDEF12.so.1", "libfoo-ABCDEF12.so.1"); /* auditwheel's hash is lower case */
    expect_unhashed("libfoo-579c423b9.so.1", "libfoo-579c423b9.so.1");
    expect_unhashed("libfoo579c423b.so", "libfoo579c423b.so");
    expect_unhashed("lib-579c423b", "lib-579c423b");
}

/*
 * test_guard_layout_row.c — the one layout row the Java and JavaScript
 * guards embed (ag_guard_layout_row): members, and enumerators printed as
 * their enum's underlying type says (an unsigned value above INT64_MAX
 * stays unsigned, a negative signed one stays negative), with the Java
 * table's "C type|" lead and newline only when asked for.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>

#include "guard_internal.h"

Test(guard_layout_row, enumerators_as_their_underlying_type)
{
    ag_enumerator e[] = {
        {.name = "GEO_NEG", .value = -2, .value_unsigned = false},
        {.name = "GEO_BIG", .value = (int64_t)UINT64_C(0xffffffffffffffff), .value_unsigned = true},
        {.name = "GEO_ONE", .value = 1, .value_unsigned = true},
    };
    ag_guard_layout l = {.name = "enum geo_kind", .tag = "geo_kind", .kind = AG_T_ENUM, .size = 8, .align = 8,
                         .enumerators = e, .n_enumerators = 3};
    char *row = ag_guard_layout_row(&l, false);
    cr_assert_not_null(row);
    cr_expect_str_eq(row, "enum|8|8|GEO_NEG=-2;GEO_BIG=18446744073709551615;GEO_ONE=1");
    free(row);
    row = ag_guard_layout_row(&l, true);
    cr_assert_not_null(row);
    cr_expect_str_eq(row, "enum geo_kind|enum|8|8|GEO_NEG=-2;GEO_BIG=18446744073709551615;GEO_ONE=1\n");
    free(row);
}

Test(guard_layout_row, members)
{
    ag_guard_field f[] = {
        {.name = "x", .offset = 0, .size = 8},
        {.name = "flags", .offset = 8, .size = 4, .bit_offset = 67, .bit_size = 3},
    };
    ag_guard_layout l = {.name = "struct geo_point", .tag = "geo_point", .kind = AG_T_STRUCT, .size = 16,
                         .align = 0, .fields = f, .n_fields = 2};
    char *row = ag_guard_layout_row(&l, true);
    cr_assert_not_null(row);
    cr_expect_str_eq(row, "struct geo_point|struct|16|0|x,0,8,0,0;flags,8,4,67,3\n");
    free(row);
}

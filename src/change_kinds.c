/*
 * change_kinds.c — the table behind change_kinds.h. Each row is a promise to
 * users: the id never changes once released, and the sentence says, in the
 * binding maintainer's terms, why the verdict is what it is.
 *
 * Where abiguard is stricter than abidiff (which sets its "incompatible" bit
 * only for removed or changed symbols, never for type layout changes), the
 * reason is the binding's point of view: a binding compiled against the old
 * headers keeps the old layout baked in, so a moved member is a silent
 * corruption, not a warning.
 */
#include "change_kinds.h"

#include <string.h>

#define B AG_VERDICT_BREAKING
#define A AG_VERDICT_API_BREAK
#define R AG_VERDICT_RISKY
#define C AG_VERDICT_COMPATIBLE
#define H AG_VERDICT_HARMLESS

static const ag_change_kind_info kinds[AG_CK__COUNT] = {
    { AG_CK_FN_REMOVED, "fn-removed", B, AG_AREA_SYMBOLS,
      "a binary that calls this function no longer loads (undefined symbol) or fails at the first call" },
    { AG_CK_FN_ADDED, "fn-added", C, AG_AREA_SYMBOLS,
      "a new function: binaries built against the old release never call it" },
    { AG_CK_VAR_REMOVED, "var-removed", B, AG_AREA_SYMBOLS,
      "a binary that uses this variable no longer loads" },
    { AG_CK_VAR_ADDED, "var-added", C, AG_AREA_SYMBOLS,
      "a new variable: binaries built against the old release never use it" },
    { AG_CK_SYMBOL_VERSION_REMOVED, "symbol-version-removed", B, AG_AREA_SYMBOLS,
      "binaries bound to this symbol version (name@VERSION) no longer resolve it" },
    { AG_CK_VERSION_NODE_REMOVED, "version-node-removed", B, AG_AREA_SYMBOLS,
      "binaries that require this version node are refused by the dynamic loader" },
    { AG_CK_VERSION_NODE_ADDED, "version-node-added", C, AG_AREA_SYMBOLS,
      "a new version node: existing binaries do not require it" },
    { AG_CK_DEFAULT_VERSION_CHANGED, "default-version-changed", C, AG_AREA_SYMBOLS,
      "new builds bind to the new default version; old binaries keep the version they were linked with, which is still provided" },
    { AG_CK_SONAME_CHANGED, "soname-changed", B, AG_AREA_SYMBOLS,
      "binaries record the SONAME they were linked against; the loader will not pick this file for them" },
    { AG_CK_SONAME_ADDED, "soname-added", C, AG_AREA_SYMBOLS,
      "the library had no SONAME: old binaries recorded its file name, which the loader still finds; new builds record the SONAME" },
    { AG_CK_SYMBOL_TYPE_CHANGED, "symbol-type-changed", B, AG_AREA_SYMBOLS,
      "a function became data or the reverse: callers jump into data or read code" },
    { AG_CK_BINDING_WEAK_TO_GLOBAL, "binding-weak-to-global", H, AG_AREA_SYMBOLS,
      "a weak definition became global: resolution for existing binaries is unchanged" },
    { AG_CK_BINDING_GLOBAL_TO_WEAK, "binding-global-to-weak", R, AG_AREA_SYMBOLS,
      "a weak definition can be silently preempted by another object's symbol of the same name" },
    { AG_CK_VAR_SIZE_CHANGED, "var-size-changed", B, AG_AREA_SYMBOLS,
      "executables hold a copy relocation of the old size: the library reads or writes past it" },
    { AG_CK_TLS_SIZE_CHANGED, "tls-size-changed", B, AG_AREA_SYMBOLS,
      "thread-local storage is laid out with the old size; accesses overlap other TLS data" },
    { AG_CK_SYMBOL_REMOVED, "symbol-removed", R, AG_AREA_SYMBOLS,
      "an untyped symbol (an assembler label, neither function nor data) is gone: a binary that refers to it no longer loads, but compilers never emit such references from C" },
    { AG_CK_SYMBOL_ADDED, "symbol-added", C, AG_AREA_SYMBOLS,
      "a new untyped symbol (an assembler label): binaries built against the old release never refer to it" },
    { AG_CK_FN_RETURN_TYPE_CHANGED, "fn-return-type-changed", B, AG_AREA_FUNCTIONS,
      "callers read the return value as the old type" },
    { AG_CK_FN_RETURN_VALUE_ADDED, "fn-return-value-added", C, AG_AREA_FUNCTIONS,
      "a function that returned void now returns a value in registers: old callers ignore those registers, which a call clobbers anyway (returned in memory or on the x87 stack it is fn-return-type-changed)" },
    { AG_CK_FN_PARAM_TYPE_CHANGED, "fn-param-type-changed", B, AG_AREA_FUNCTIONS,
      "callers pass the old type; the function reads it as the new one" },
    { AG_CK_FN_PARAM_ADDED, "fn-param-added", B, AG_AREA_FUNCTIONS,
      "old callers do not pass the new parameter: the function reads garbage from a register or the stack" },
    { AG_CK_FN_PARAM_REMOVED, "fn-param-removed", B, AG_AREA_FUNCTIONS,
      "old callers pass an argument the function no longer expects; later arguments are read from the wrong registers or stack slots (removed at the end of a fixed-argument list with the others unchanged, the caller still cleans it up and only source passing it breaks: api-break)" },
    { AG_CK_FN_VARIADIC_CHANGED, "fn-variadic-changed", B, AG_AREA_FUNCTIONS,
      "variadic and fixed-argument calls use different conventions (e.g. %al on x86-64, floats promoted)" },
    { AG_CK_FN_PARAM_RENAMED, "fn-param-renamed", H, AG_AREA_FUNCTIONS,
      "parameter names are not part of the ABI or of the calling code" },
    { AG_CK_FN_CALLING_CONVENTION_CHANGED, "fn-calling-convention-changed", B, AG_AREA_FUNCTIONS,
      "arguments are passed in different registers or stack slots than old callers use" },
    { AG_CK_VAR_TYPE_CHANGED, "var-type-changed", B, AG_AREA_FUNCTIONS,
      "binaries read and write the variable with the old type" },
    { AG_CK_TYPE_SIZE_CHANGED, "type-size-changed", B, AG_AREA_TYPES,
      "code that allocates, embeds, copies or indexes arrays of this type uses the old size, and a library filling a caller's struct writes past it (risky only for a type `check` knows the binding holds through pointers alone)" },
    { AG_CK_TYPE_ALIGNMENT_CHANGED, "type-alignment-changed", B, AG_AREA_TYPES,
      "the type is placed at old alignments inside other types and on the stack" },
    { AG_CK_MEMBER_ADDED_AT_END, "struct-member-added-at-end", B, AG_AREA_TYPES,
      "existing members keep their offsets, but code that allocates, embeds or copies the public type uses the old size, and a library filling a caller's struct writes past it (risky only for a type `check` knows the binding holds through pointers alone)" },
    { AG_CK_MEMBER_ADDED_IN_MIDDLE, "struct-member-added-in-middle", B, AG_AREA_TYPES,
      "the new member takes bytes old binaries use for existing members: they read and write them the old way (the members that moved, changed or went are reported with their own changes)" },
    { AG_CK_MEMBER_ADDED_IN_PADDING, "struct-member-added-in-padding", C, AG_AREA_TYPES,
      "the new member fills bytes no old member used (padding, a reserved member, room inside a union): old binaries never touch them, and other offsets are unchanged" },
    { AG_CK_MEMBER_REMOVED, "struct-member-removed", B, AG_AREA_TYPES,
      "old binaries still read and write the removed member's bytes" },
    { AG_CK_MEMBER_OFFSET_CHANGED, "struct-member-offset-changed", B, AG_AREA_TYPES,
      "old binaries access the member at its old offset: they read and corrupt other data" },
    { AG_CK_MEMBER_TYPE_CHANGED, "struct-member-type-changed", B, AG_AREA_TYPES,
      "old binaries interpret the member's bytes as the old type" },
    { AG_CK_MEMBER_RENAMED, "struct-member-renamed", A, AG_AREA_TYPES,
      "the layout is unchanged, but code using the old name no longer compiles" },
    { AG_CK_BITFIELD_CHANGED, "bitfield-changed", B, AG_AREA_TYPES,
      "old binaries mask and shift the bit-field with its old width or position" },
    { AG_CK_STRUCT_UNION_CHANGED, "struct-union-changed", B, AG_AREA_TYPES,
      "members of a union overlap, members of a struct do not: every access changes meaning" },
    { AG_CK_ANONYMOUS_MEMBER_CHANGED, "anonymous-member-changed", B, AG_AREA_TYPES,
      "the layout of an anonymous struct or union member changed, moving the members it holds" },
    { AG_CK_TYPE_BECAME_OPAQUE, "type-became-opaque", R, AG_AREA_TYPES,
      "the definition is no longer published: code that allocates, embeds or reads members of it may break, and its layout can no longer be checked" },
    { AG_CK_TYPE_BECAME_COMPLETE, "type-became-complete", C, AG_AREA_TYPES,
      "a formerly opaque type now has a published layout" },
    { AG_CK_FLEXIBLE_ARRAY_CHANGED, "flexible-array-changed", B, AG_AREA_TYPES,
      "the trailing flexible array's element changed: old binaries index it with the old element size" },
    { AG_CK_MEMBER_QUALIFIER_CHANGED, "struct-member-qualifier-changed", A, AG_AREA_TYPES,
      "const or volatile on a member changes what compiles and how accesses are optimised, not the layout" },
    { AG_CK_MEMBER_ATOMIC_CHANGED, "struct-member-atomic-changed", R, AG_AREA_TYPES,
      "_Atomic may change size, alignment and the instructions used: old binaries access it non-atomically" },
    { AG_CK_MEMBER_WRAPPED_IN_UNION, "struct-member-wrapped-in-union", C, AG_AREA_TYPES,
      "the member is now inside a union that still holds the old type at the same offset: old binaries read and write the same bytes as before (api-break when the old member name is gone)" },
    { AG_CK_MEMBER_MADE_OPAQUE, "struct-member-made-opaque", A, AG_AREA_TYPES,
      "the member's bytes are now part of an array of bytes in the same place (opaque storage, e.g. unsigned char opaque[N]): the struct keeps its bytes, so old binaries that allocate it or pass it on are unaffected, but code naming the member no longer compiles" },
    { AG_CK_ENUMERATOR_VALUE_CHANGED, "enum-value-changed", B, AG_AREA_ENUMS,
      "old binaries pass and compare the old value" },
    { AG_CK_ENUMERATOR_ADDED_AT_END, "enum-value-added-at-end", C, AG_AREA_ENUMS,
      "a new value after all existing ones: old values are unchanged (old code may not handle the new value)" },
    { AG_CK_ENUMERATOR_ADDED_IN_MIDDLE, "enum-value-added-in-middle", C, AG_AREA_ENUMS,
      "a new value among existing ones; any value that moved is reported as enum-value-changed" },
    { AG_CK_ENUMERATOR_REMOVED, "enum-value-removed", B, AG_AREA_ENUMS,
      "old binaries may still pass the removed value, which the library no longer expects" },
    { AG_CK_ENUMERATOR_RENAMED, "enum-value-renamed", A, AG_AREA_ENUMS,
      "the value is unchanged, but code using the old name no longer compiles" },
    { AG_CK_ENUM_SIZE_CHANGED, "enum-size-changed", B, AG_AREA_ENUMS,
      "the enum is stored and passed with a different size" },
    { AG_CK_TYPEDEF_TARGET_CHANGED, "typedef-target-changed", B, AG_AREA_TYPES,
      "the typedef now names a type with a different layout" },
    { AG_CK_TYPEDEF_TARGET_RENAMED, "typedef-target-renamed", H, AG_AREA_TYPES,
      "the typedef names another type with the same layout" },
    { AG_CK_POINTER_LEVEL_CHANGED, "pointer-level-changed", B, AG_AREA_TYPES,
      "a pointer became a pointer to pointer or the reverse: it is dereferenced the wrong number of times" },
    { AG_CK_POINTEE_CONST_ADDED, "pointee-const-added", H, AG_AREA_TYPES,
      "const added to what a pointer points to: same machine code, and existing calls still compile" },
    { AG_CK_POINTEE_CONST_REMOVED, "pointee-const-removed", A, AG_AREA_TYPES,
      "const removed from what a pointer points to: same machine code, but code passing const data no longer compiles cleanly" },
    { AG_CK_ARRAY_DIMENSION_CHANGED, "array-dimension-changed", B, AG_AREA_TYPES,
      "the array has a different number of elements: sizes and offsets after it change" },
    { AG_CK_BASE_TYPE_CHANGED, "base-type-changed", B, AG_AREA_TYPES,
      "a scalar changed size, signedness or between integer and floating point: values are read differently" },
    { AG_CK_TYPE_KIND_CHANGED, "type-kind-changed", B, AG_AREA_TYPES,
      "the type became a different kind of type (e.g. a struct became a pointer)" },
    { AG_CK_CALLBACK_SIGNATURE_CHANGED, "callback-signature-changed", B, AG_AREA_CALLBACKS,
      "the library calls binding code through this function pointer with the new signature, often on a thread the runtime did not create: a mismatch crashes there" },
    { AG_CK_TYPE_TAG_RENAMED, "type-tag-renamed", A, AG_AREA_TYPES,
      "a struct, union or enum tag changed with the layout unchanged: binaries are unaffected, but code naming the old tag no longer compiles (harmless when an anonymous type only gained a tag)" },
    { AG_CK_TYPE_CHANGED_SAME_ABI, "type-changed-same-abi", A, AG_AREA_TYPES,
      "another type with the same size and register class (void * and T *, an enum and its integer type, int and long of one size, an array and a struct holding only that array): the machine code is unchanged; by value C converts implicitly (harmless), through pointers the types no longer match (api-break)" },
    { AG_CK_RELRO_DROPPED, "relro-dropped", R, AG_AREA_ELF,
      "relocation tables are no longer read-only after start-up: memory-corruption bugs are easier to exploit" },
    { AG_CK_BIND_NOW_DROPPED, "bind-now-dropped", R, AG_AREA_ELF,
      "lazy binding returned: the GOT stays writable and missing symbols surface only at first call" },
    { AG_CK_STACK_PROTECTOR_DROPPED, "stack-protector-dropped", R, AG_AREA_ELF,
      "functions are no longer built with stack canaries" },
    { AG_CK_STATIC_TLS_INTRODUCED, "static-tls-introduced", R, AG_AREA_ELF,
      "the library now needs static TLS: dlopen() from a binding (Python, Java, Node) can fail with 'cannot allocate memory in static TLS block'" },
    { AG_CK_CET_IBT_DROPPED, "cet-ibt-dropped", R, AG_AREA_ELF,
      "indirect-branch tracking is disabled for the whole process that loads this library" },
    { AG_CK_CET_SHSTK_DROPPED, "cet-shstk-dropped", R, AG_AREA_ELF,
      "the shadow stack is disabled for the whole process that loads this library" },
    { AG_CK_EXEC_STACK_INTRODUCED, "exec-stack-introduced", R, AG_AREA_ELF,
      "loading this library makes every thread stack in the process executable (and recent glibc refuses to dlopen it)" },
    { AG_CK_RUNPATH_CHANGED, "runpath-changed", R, AG_AREA_ELF,
      "the library's dependencies are looked up in different directories" },
    { AG_CK_NEEDED_ADDED, "needed-added", R, AG_AREA_ELF,
      "a new dependency must be present wherever the binding is deployed" },
    { AG_CK_NEEDED_REMOVED, "needed-removed", C, AG_AREA_ELF,
      "a dependency is no longer loaded (binaries that relied on it being pulled in indirectly may notice)" },
    { AG_CK_DEBUG_INFO_MISSING, "debug-info-missing", R, AG_AREA_ELF,
      "a release has no debug info, so no type or signature was compared: a layout or signature change there goes unseen (find its debug file: --debug-dir, debuginfod)" },
};

#undef B
#undef A
#undef R
#undef C
#undef H

static const char *const verdict_names[AG_VERDICT__COUNT] = {
    [AG_VERDICT_NONE] = "none",
    [AG_VERDICT_HARMLESS] = "harmless",
    [AG_VERDICT_COMPATIBLE] = "compatible",
    [AG_VERDICT_RISKY] = "risky",
    [AG_VERDICT_API_BREAK] = "api-break",
    [AG_VERDICT_BREAKING] = "breaking",
};

const char *ag_verdict_name(ag_verdict v)
{
    return (unsigned)v < AG_VERDICT__COUNT ? verdict_names[v] : "invalid";
}

int ag_verdict_from_name(const char *s)
{
    for (int v = 0; v < AG_VERDICT__COUNT; v++)
        if (s && strcmp(s, verdict_names[v]) == 0)
            return v;
    return -1;
}

const ag_change_kind_info *ag_change_kind_info_of(ag_change_kind k)
{
    if ((unsigned)k >= AG_CK__COUNT)
        return NULL;
    return &kinds[k];
}

int ag_change_kind_from_id(const char *id)
{
    for (int k = 0; k < AG_CK__COUNT; k++)
        if (id && strcmp(id, kinds[k].id) == 0)
            return k;
    /* Ids of kinds that were merged into another: suppression files and
       stored reports written with them keep working. */
    if (id && strcmp(id, "debug-info-lost") == 0)
        return AG_CK_DEBUG_INFO_MISSING;
    return -1;
}

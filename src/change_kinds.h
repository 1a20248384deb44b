/*
 * change_kinds.h — the one table of ABI change kinds: a stable id, a verdict
 * and one sentence of why, for every kind of change the diff reports. The
 * README's change-kind table is printed from this table (`abiguard
 * change-kinds`), so code and documentation cannot drift apart.
 */
#ifndef ABIGUARD_CHANGE_KINDS_H
#define ABIGUARD_CHANGE_KINDS_H

#include <stdbool.h>

/* Ordered from least to most severe: the overall verdict of a diff is the
   maximum over its changes. */
typedef enum ag_verdict {
    AG_VERDICT_NONE = 0,
    AG_VERDICT_HARMLESS,
    AG_VERDICT_COMPATIBLE,
    AG_VERDICT_RISKY,
    AG_VERDICT_API_BREAK,
    AG_VERDICT_BREAKING,
    AG_VERDICT__COUNT
} ag_verdict;

const char *ag_verdict_name(ag_verdict v);  /* "breaking", "api-break", ... "none" */
int ag_verdict_from_name(const char *s);    /* -1 if unknown */

typedef enum ag_change_kind {
    /* symbols */
    AG_CK_FN_REMOVED,
    AG_CK_FN_ADDED,
    AG_CK_VAR_REMOVED,
    AG_CK_VAR_ADDED,
    AG_CK_SYMBOL_VERSION_REMOVED,      /* name@V no longer provided */
    AG_CK_VERSION_NODE_REMOVED,        /* a version definition disappeared */
    AG_CK_VERSION_NODE_ADDED,
    AG_CK_DEFAULT_VERSION_CHANGED,
    AG_CK_SONAME_CHANGED,
    AG_CK_SONAME_ADDED,                /* none before: old binaries recorded the file name */
    AG_CK_SYMBOL_TYPE_CHANGED,         /* FUNC <-> OBJECT, ... */
    AG_CK_BINDING_WEAK_TO_GLOBAL,
    AG_CK_BINDING_GLOBAL_TO_WEAK,
    AG_CK_VAR_SIZE_CHANGED,
    AG_CK_TLS_SIZE_CHANGED,
    AG_CK_SYMBOL_REMOVED,              /* an untyped (NOTYPE) symbol: an assembler label */
    AG_CK_SYMBOL_ADDED,
    /* functions and variables */
    AG_CK_FN_RETURN_TYPE_CHANGED,
    AG_CK_FN_RETURN_VALUE_ADDED,       /* void -> T returned in registers */
    AG_CK_FN_PARAM_TYPE_CHANGED,
    AG_CK_FN_PARAM_ADDED,
    AG_CK_FN_PARAM_REMOVED,
    AG_CK_FN_VARIADIC_CHANGED,
    AG_CK_FN_PARAM_RENAMED,
    AG_CK_FN_CALLING_CONVENTION_CHANGED,
    AG_CK_VAR_TYPE_CHANGED,
    /* structs and unions */
    AG_CK_TYPE_SIZE_CHANGED,
    AG_CK_TYPE_ALIGNMENT_CHANGED,
    AG_CK_MEMBER_ADDED_AT_END,
    AG_CK_MEMBER_ADDED_IN_MIDDLE,
    AG_CK_MEMBER_ADDED_IN_PADDING,
    AG_CK_MEMBER_REMOVED,
    AG_CK_MEMBER_OFFSET_CHANGED,
    AG_CK_MEMBER_TYPE_CHANGED,
    AG_CK_MEMBER_RENAMED,
    AG_CK_BITFIELD_CHANGED,
    AG_CK_STRUCT_UNION_CHANGED,
    AG_CK_ANONYMOUS_MEMBER_CHANGED,
    AG_CK_TYPE_BECAME_OPAQUE,
    AG_CK_TYPE_BECAME_COMPLETE,
    AG_CK_FLEXIBLE_ARRAY_CHANGED,
    AG_CK_MEMBER_QUALIFIER_CHANGED,    /* const / volatile on a member */
    AG_CK_MEMBER_ATOMIC_CHANGED,       /* _Atomic on a member */
    AG_CK_MEMBER_WRAPPED_IN_UNION,     /* now inside a union that holds the old type at offset 0 */
    AG_CK_MEMBER_MADE_OPAQUE,          /* its bytes now part of a new array of bytes (opaque storage) */
    /* enums */
    AG_CK_ENUMERATOR_VALUE_CHANGED,
    AG_CK_ENUMERATOR_ADDED_AT_END,
    AG_CK_ENUMERATOR_ADDED_IN_MIDDLE,
    AG_CK_ENUMERATOR_REMOVED,
    AG_CK_ENUMERATOR_RENAMED,
    AG_CK_ENUM_SIZE_CHANGED,
    /* other types */
    AG_CK_TYPEDEF_TARGET_CHANGED,
    AG_CK_TYPEDEF_TARGET_RENAMED,      /* same layout under another name */
    AG_CK_POINTER_LEVEL_CHANGED,
    AG_CK_POINTEE_CONST_ADDED,
    AG_CK_POINTEE_CONST_REMOVED,
    AG_CK_ARRAY_DIMENSION_CHANGED,
    AG_CK_BASE_TYPE_CHANGED,
    AG_CK_TYPE_KIND_CHANGED,           /* e.g. a struct became an enum */
    AG_CK_CALLBACK_SIGNATURE_CHANGED,
    AG_CK_TYPE_TAG_RENAMED,            /* struct/union/enum tag renamed or added, same layout */
    AG_CK_TYPE_CHANGED_SAME_ABI,       /* void * <-> T *, enum <-> its integer: same machine code */
    /* ELF properties */
    AG_CK_RELRO_DROPPED,
    AG_CK_BIND_NOW_DROPPED,
    AG_CK_STACK_PROTECTOR_DROPPED,
    AG_CK_STATIC_TLS_INTRODUCED,
    AG_CK_CET_IBT_DROPPED,
    AG_CK_CET_SHSTK_DROPPED,
    AG_CK_EXEC_STACK_INTRODUCED,
    AG_CK_RUNPATH_CHANGED,
    AG_CK_NEEDED_ADDED,
    AG_CK_NEEDED_REMOVED,
    AG_CK_DEBUG_INFO_MISSING,          /* a side has no debug info: types were not compared */
    AG_CK__COUNT
} ag_change_kind;

typedef enum ag_change_area {
    AG_AREA_SYMBOLS,
    AG_AREA_FUNCTIONS,
    AG_AREA_TYPES,
    AG_AREA_ENUMS,
    AG_AREA_CALLBACKS,
    AG_AREA_ELF,
} ag_change_area;

typedef struct ag_change_kind_info {
    ag_change_kind kind;
    const char *id;      /* stable, e.g. "struct-member-offset-changed" */
    ag_verdict verdict;  /* the default verdict (some kinds are refined per case, see diff.c) */
    ag_change_area area;
    const char *why;     /* one sentence */
} ag_change_kind_info;

const ag_change_kind_info *ag_change_kind_info_of(ag_change_kind k);
/* -1 if unknown */
int ag_change_kind_from_id(const char *id);

#endif

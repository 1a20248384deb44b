/*
 * abi_return.h — how the calling convention of a corpus's machine returns a
 * value of a given type: in registers, or in memory the caller provides
 * (and passes the address of), or on the x87 stack. The diff uses it for a
 * function whose return type went from void to T: old callers ignore the
 * result, which is harmless only when it comes back in registers.
 *
 * Modelled: x86-64 (System V psABI 3.2.3, the eightbyte classification),
 * AArch64 (AAPCS64: composites over 16 bytes that are not homogeneous
 * floating-point aggregates are returned through x8) and i386 (System V:
 * aggregates through a hidden pointer, floating point on the x87 stack).
 * Anything else is AG_RET_UNKNOWN.
 */
#ifndef ABIGUARD_ABI_RETURN_H
#define ABIGUARD_ABI_RETURN_H

#include <stddef.h>

#include "corpus.h"

typedef enum ag_return_class {
    AG_RET_NOTHING,   /* no value at all (an empty struct) */
    AG_RET_REGISTERS, /* general-purpose or vector registers */
    AG_RET_MEMORY,    /* the caller passes the address of the result */
    AG_RET_X87,       /* on the x87 register stack, which the caller must pop */
    AG_RET_UNKNOWN,   /* a machine or a type this module does not model */
} ag_return_class;

/* The class of returning a value of type t (in c's types) on c's machine.
   how receives a phrase for a report, e.g. "returned in %rax (x86-64 psABI
   class INTEGER)" or "returned in memory: ... (larger than 16 bytes)". */
ag_return_class ag_return_class_of(const ag_corpus *c, ag_type_ref t, char *how, size_t how_len);

#endif

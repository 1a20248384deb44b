/*
 * audit_internal.h — shared by the audit's modules (audit.c runs the
 * checks, audit_bundled.c adds the bundled-library findings): adding a
 * finding to a (binary, target) result.
 */
#ifndef ABIGUARD_AUDIT_INTERNAL_H
#define ABIGUARD_AUDIT_INTERNAL_H

#include "audit.h"

/* Appends a finding (message from fmt) to r; an error marks r as not
   loading. NULL when out of memory. */
ag_audit_finding *ag_audit_add_finding(ag_audit_result *r, const char *check, ag_audit_severity sev,
                                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Appends one symbol (or library) to f; false when out of memory. f NULL: false. */
bool ag_audit_add_symbol(ag_audit_finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

#ifndef ABIGUARD_@I@_GUARD_H
#define ABIGUARD_@I@_GUARD_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes of abiguard_verify_@i@(): 0 and 1 load, 2 loads under the
   warn policy, 3 and up refuse. */
#define ABIGUARD_@I@_OK 0                 /* verified: a build known compatible (or ABIGUARD_POLICY=off) */
#define ABIGUARD_@I@_UNVERIFIED 1         /* accepted-unverified: an unknown build (a distribution's
                                             rebuild, say) whose SONAME, required symbols, versions
                                             and data-object sizes all match; msg says so */
#define ABIGUARD_@I@_WARNED 2             /* would be refused, but the policy is warn: go on, after
                                             showing msg to the user */
#define ABIGUARD_@I@_INCOMPATIBLE 3       /* refused: a release known incompatible */
#define ABIGUARD_@I@_MISMATCH 4           /* refused: an unknown build whose SONAME, symbols,
                                             versions or data-object sizes differ */
#define ABIGUARD_@I@_UNVERIFIED_REFUSED 5 /* refused by the strict policy: an unknown build */
#define ABIGUARD_@I@_NOT_LOADED 6         /* refused: the library is not loaded in this process */
/* Whether the binding must refuse to load. */
#define ABIGUARD_@I@_REFUSED(rc) ((rc) >= ABIGUARD_@I@_INCOMPATIBLE)

/* Checks the loaded library against the release this binding was built
   for. Writes one line (no newline) to msg when msglen > 0: why it was
   verified, accepted or refused. Call it once from the binding's init
   (PyInit_*, JNI_OnLoad, napi module init); it never exits or aborts, never
   allocates, and is safe from any thread. The policy is compiled in and
   overridden at run time by ABIGUARD_POLICY=default|strict|warn|off. */
int abiguard_verify_@i@(char *msg, size_t msglen);

/* The fingerprints of the required symbols, one "HEX16 NAME[@VERSION]"
   a line, for `abiguard fingerprint match LIBRARY --fingerprints FILE`. */
const char *abiguard_fingerprints_@i@(void);

#ifdef __cplusplus
}
#endif

#endif

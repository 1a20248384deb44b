/* version.h — the abiguard release number, printed by --version. */
#ifndef ABIGUARD_VERSION_H
#define ABIGUARD_VERSION_H
#define ABIGUARD_VERSION "0.1.0"
#endif

#ifndef MYNACARD_CPROCESSCONTROL_SHIM_H
#define MYNACARD_CPROCESSCONTROL_SHIM_H
#include <sys/prctl.h>
#include <sys/resource.h>

/* Keeps PINs out of core files and away from other processes of the same user: no core file
   (RLIMIT_CORE 0) and not dumpable (no core, no ptrace attach by the user, /proc/PID files
   owned by root). prctl is variadic, which Swift does not import; hence this shim.
   Returns 0, or -1 with errno set. */
static inline int myna_disable_core_dumps(void) {
    struct rlimit none = { 0, 0 };
    if (setrlimit(RLIMIT_CORE, &none) != 0) return -1;
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
#endif

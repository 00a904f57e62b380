"""Process-wide settings of the SQLite library, made once, at a process's start.

SQLite keeps memory statistics by default: every allocation and every free it makes
updates counters under one mutex shared by the whole process. Connections used from
several threads at once (the server's requests and its follower, a rebuild's lanes) then
queue for that mutex at every allocation. Measured on the 2-core bench machine, a rebuild
of 20k events ran 14–47 % faster in four alternating pairs of runs with the statistics off
(the two lanes of its derivations no longer slow each other down, and one thread's
statements run faster too). Nothing here reads
them: they only feed ``sqlite3_memory_used`` and the heap limits, which Python's
``sqlite3`` never sets.
"""

from __future__ import annotations

import _sqlite3
import ctypes

_SQLITE_CONFIG_MEMSTATUS = 9
"""``sqlite3_config``'s option number for the memory statistics (sqlite3.h)."""


def without_memory_statistics() -> bool:
    """Turn SQLite's memory statistics off for this process; whether it could.

    SQLite takes such a setting only while the library is shut down, so this shuts it down
    and starts it again: call it before the process opens its first connection (an entry
    point's first step), never once one is open. Where Python's ``sqlite3`` does not show
    the library's functions (a build that hides them), nothing changes and it says so."""
    try:
        library = ctypes.CDLL(_sqlite3.__file__)  # the module's own, or the one it loads
        shutdown, config, initialize = (library.sqlite3_shutdown, library.sqlite3_config,
                                        library.sqlite3_initialize)
    except (OSError, AttributeError):
        return False
    if shutdown() != 0:
        return False
    done = config(_SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == 0
    initialize()
    return done


"""SQLite-specific code — the ONE package with SQLite-only SQL.

Everything else in the store speaks portable SQLAlchemy, so the same store
can later run on PostgreSQL. Here the engine settings (:mod:`.engine`); the checks of a
file that may come from someone else, which are about the SQLite file
format itself: :mod:`.schema_check` (is the schema exactly ours? asked of
every file opened, and of every file merged), :mod:`.file_header` (how
big a file says it is), :mod:`.untrusted` and :mod:`.untrusted_values`
(a colleague's file read for a merge), :mod:`.first_look` (the open
document drawn before the store is loaded, read with the standard library). The
engine's settings:
- WAL journal (readers never block the writer; a crash loses nothing committed),
  switched on once the file is known to be ours (:func:`enable_wal`),
- ``synchronous=NORMAL`` (durable at checkpoints in WAL mode, fast commits),
- foreign keys on, a busy timeout so a second writer waits instead of failing,
- ``BEGIN IMMEDIATE`` for every transaction so two writers queue cleanly
  instead of failing with "database is locked" on lock upgrade — except on
  a connection marked with the :data:`READS_ONLY` execution option (the
  repository's reads outside a transaction): a plain ``BEGIN`` there, so a
  read never waits for another process's long write (WAL readers see the
  last committed state),
- ``trusted_schema`` off and ``PRAGMA integrity_check`` for untrusted files.
"""

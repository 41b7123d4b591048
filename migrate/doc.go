// Package migrate generates migrations from the models and applies them:
// Django's makemigrations/migrate for atomdb, on PostgreSQL, MySQL/MariaDB
// and SQLite. It works from a core.MetaData (orm.Registry.MetaData makes
// one from the models) and never imports the orm.
//
// # Making migrations
//
// Make compares the models with the Schema that the migration history
// builds (History.State replays every migration's operations, with no
// database) and writes the next migration to a directory: a .json file of
// dialect-neutral Operations, an up and a down .sql file per dialect, and
// atomdb.sum, which covers the whole directory. Diff orders the
// operations so that they run: renames, then drops of keys, then new
// tables in foreign-key order, then column changes, new keys, and dropped
// tables. Renames are declared (core.Column.RenamedFrom, set by the orm tag
// renamed_from=; core.Table.RenamedFrom, set by orm.Meta.RenamedFrom) or
// confirmed by DiffOptions.Ask. They are never guessed: without Ask, a
// removed and an added column with identical definitions is an
// *AmbiguousRenameError.
//
// # The SQL
//
// Render writes a list of operations for one dialect. Column definitions,
// types, defaults and CREATE TABLE come from core, the same code that
// orm.CreateTables runs, so make followed by up gives exactly the schema
// that CreateTables gives. On SQLite, an operation that ALTER TABLE cannot
// do is a rebuild of the table. Script.Rebuilt names the rebuilt tables,
// and the applier then runs the script with foreign keys off on a pinned
// connection, as sqlite.org/lang_altertable describes. Migration files are
// meant to be read and may be edited (then run Hash). Their directives are
// comment lines: -- atomdb:no-transaction, -- atomdb:irreversible and
// -- atomdb:rebuild "table".
//
// # Applying
//
// New loads a directory (an os.DirFS, or an embed.FS through fs.Sub) for a
// database. Up lints each pending migration (see Finding), then applies it
// under the lock (see Migrator.LockName) and records it with the SHA-256 of
// its file. Down undoes migrations, Status and Version report, PendingSQL
// is a dry run, Check compares the models with the history and the live
// database with the history (Inspect, Compare), and Baseline adopts an
// existing database. Command wraps all of this as sub-commands for a
// program's own main.
//
// # Errors
//
// Failures wrap the sentinels (ErrChecksum, ErrHistory, ErrDrift, ErrLint,
// ErrIrreversible, ErrLocked, ErrReadOnly, ErrAmbiguousRename,
// ErrUnsupported, ErrBadMigration), so errors.Is works on them. A failing
// statement is an *Error naming the migration, the statement's number
// and its SQL, and it wraps core's classified error.
package migrate

package core

import "context"

// CreateAll creates every table of the metadata in db, with its indexes and
// constraints, in foreign-key order (see CreateSQL). On PostgreSQL and
// SQLite it runs in one transaction (a savepoint inside the caller's), so
// either every table is created or none is. MySQL commits each DDL statement
// implicitly and can give no such guarantee; neither can WithForceRollback
// undo DDL there.
func (m *MetaData) CreateAll(ctx context.Context, db *Database, opts ...DDLOption) error {
	stmts, err := m.CreateSQL(db.Dialect(), opts...)
	if err != nil {
		return err
	}
	return db.runDDL(ctx, stmts)
}

// DropAll drops every table of the metadata from db, in reverse foreign-key
// order (see DropSQL), with the same transaction behaviour as CreateAll.
func (m *MetaData) DropAll(ctx context.Context, db *Database, opts ...DDLOption) error {
	stmts, err := m.DropSQL(db.Dialect(), opts...)
	if err != nil {
		return err
	}
	return db.runDDL(ctx, stmts)
}

func (db *Database) runDDL(ctx context.Context, stmts []string) error {
	run := func(ctx context.Context) error {
		for _, s := range stmts {
			if _, err := db.exec(ctx, statement{sql: s}); err != nil {
				return err
			}
		}
		return nil
	}
	if !db.dialect.caps.TransactionalDDL && (db.forced != nil || db.InTransaction(ctx)) {
		// MySQL commits DDL implicitly, which would destroy a savepoint;
		// the statements already share one connection here.
		return run(ctx)
	}
	// A transaction keeps every statement on one connection, which the
	// session settings of MySQL's cyclic-FK DDL rely on; on PostgreSQL and
	// SQLite it also makes the DDL all-or-nothing.
	return db.Transaction(ctx, run)
}

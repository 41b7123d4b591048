package core

import (
	"context"
	"sync"
	"time"
)

// Routing: which pool runs a statement of a Database opened with replicas
// (see replicas.go, and the rules in doc.go, "Read replicas").

type primaryKey struct{}

// UsePrimary returns a context whose statements all go to the primary, on
// every Database: for a read that must see the latest data, or raw SQL that
// writes and returns rows (INSERT ... RETURNING through FetchAll or Query).
// A statement made with it also counts as a write for the session ctx
// carries, if any (see WithSession).
func UsePrimary(ctx context.Context) context.Context {
	return context.WithValue(ctx, primaryKey{}, true)
}

func usesPrimary(ctx context.Context) bool {
	v, _ := ctx.Value(primaryKey{}).(bool)
	return v
}

type sessionKey struct{}

// session remembers the last write made through a context, per Database.
type session struct {
	mu     sync.Mutex
	writes map[*Database]lastWrite
}

type lastWrite struct {
	at  time.Time
	pos uint64 // the primary's WAL position after the write (WithCausalReads), or 0
}

// WithSession returns a context that carries a read-your-writes session:
// after a write made with it (or with a context derived from it, such as a
// Transaction's), its reads go to the primary for the read-your-writes
// window (WithReadYourWrites), or with WithCausalReads to a replica only once
// it has replayed the write. Make one per request or job, at its start, and
// pass it down: every call made with it shares the session, from any
// goroutine. When ctx already carries a session, WithSession returns ctx.
// Without a session, reads outside transactions go to replicas whatever was
// written just before. It changes nothing on a Database without replicas.
func WithSession(ctx context.Context) context.Context {
	if sessionFrom(ctx) != nil {
		return ctx
	}
	return context.WithValue(ctx, sessionKey{}, &session{})
}

func sessionFrom(ctx context.Context) *session {
	s, _ := ctx.Value(sessionKey{}).(*session)
	return s
}

func (s *session) record(db *Database, pos uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.writes == nil {
		s.writes = map[*Database]lastWrite{}
	}
	s.writes[db] = lastWrite{at: now(), pos: max(pos, s.writes[db].pos)}
}

func (s *session) last(db *Database) (lastWrite, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.writes[db]
	return w, ok
}

// wrote records that a statement made with ctx wrote (or may have written):
// in a transaction, for when it commits; otherwise in ctx's session.
func (db *Database) wrote(ctx context.Context) {
	if db.replicas == nil {
		return
	}
	if t := txFrom(ctx, db); t != nil {
		for t.parent != nil {
			t = t.parent
		}
		t.wrote.Store(true)
		return
	}
	db.recordWrite(ctx)
}

// recordWrite records a write that is now committed in ctx's session, with
// the primary's WAL position after it under WithCausalReads.
func (db *Database) recordWrite(ctx context.Context) {
	s := sessionFrom(ctx)
	if db.replicas == nil || s == nil {
		return
	}
	var pos uint64
	if db.replicas.causal {
		// The insert position, not pg_current_wal_lsn(): with
		// synchronous_commit off the commit record may not be written yet,
		// and a replica that has replayed up to the write position could
		// still lack it. Failing that, the window applies.
		v, err := queryValue(context.WithoutCancel(ctx), db.pool, "SELECT pg_current_wal_insert_lsn()::text")
		if str, ok := v.(string); ok && err == nil {
			pos, _ = parseLSN(str)
		}
	}
	s.record(db, pos)
}

// openRead runs a query that returns rows and opens its cursor: on a
// replica when the rules allow, otherwise where runnerFor says. A read that
// fails on a replica which then fails its health check runs again on
// another replica or the primary. The caller calls the result's done once
// the cursor is closed, and after for the hooks; errors come wrapped.
func (db *Database) openRead(ctx context.Context, st *statement) (read, error) {
	set := db.replicas
	primary := st.primary || usesPrimary(ctx)
	if set == nil || primary || txFrom(ctx, db) != nil || connFrom(ctx, db) != nil {
		r, done, err := db.runnerFor(ctx)
		if err != nil {
			return read{}, err
		}
		rd, err := db.query(ctx, r, st)
		if err != nil {
			done()
			return read{}, err
		}
		if primary {
			db.wrote(ctx)
		}
		rd.done = done
		return rd, nil
	}
	if db.closed.Load() {
		return read{}, ErrClosed
	}
	need, sticky := db.sessionNeeds(ctx)
	for tries := 0; ; tries++ {
		var rep *replica
		if !sticky && tries < len(set.list) {
			rep = set.pick(ctx, need)
		}
		if rep == nil {
			return db.query(ctx, db.pool, st)
		}
		st.replica = rep.index
		rd, err := db.query(ctx, rep.pool.Load().Pool, st)
		st.replica = 0
		if err == nil {
			return rd, nil
		}
		if !set.failed(ctx, rep) {
			return read{}, err
		}
	}
}

// read is a query's open cursor, with what is left to do when it closes.
type read struct {
	cur  Cursor
	done func()          // releases what runnerFor took
	ctx  context.Context // the hooks' context, for after
	ev   *QueryEvent     // for after, nil without hooks
}

// query opens the statement's cursor on r, telling the hooks; a failure is
// reported to them at once, success when the caller calls after.
func (db *Database) query(ctx context.Context, r Runner, st *statement) (read, error) {
	ctx, ev := db.before(ctx, QueryStatement, *st, nil)
	cur, err := r.Query(ctx, st.sql, st.args)
	if err != nil {
		err = wrapError(err, st.sql)
		db.after(ctx, ev, 0, err)
		return read{}, err
	}
	return read{cur: cur, done: noop, ctx: ctx, ev: ev}, nil
}

// sessionNeeds says what ctx's session asks of a read: a replica that has
// replayed up to need (0: any), or the primary (sticky).
func (db *Database) sessionNeeds(ctx context.Context) (need uint64, sticky bool) {
	s := sessionFrom(ctx)
	if s == nil {
		return 0, false
	}
	w, ok := s.last(db)
	if !ok {
		return 0, false
	}
	if db.replicas.causal && w.pos > 0 {
		return w.pos, false
	}
	return 0, now().Sub(w.at) < db.replicas.window
}

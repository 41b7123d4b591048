package tests

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/migrate"
	"github.com/atomdb/atomdb/orm"
	"github.com/atomdb/atomdb/tests/harness"
)

// The routing rules of a Database opened with replicas, without a real
// replica: the "replica" is the same database opened a second time, and the
// query hook records which pool ran each statement (QueryEvent.Replica).
// tests/topology runs the same rules against a streaming replica.

// served records, per SQL text, which pool ran the statements.
type served struct {
	mu  sync.Mutex
	log []core.QueryEvent
}

func (s *served) hook(_ context.Context, e core.QueryEvent) {
	s.mu.Lock()
	s.log = append(s.log, e)
	s.mu.Unlock()
}

// last returns the pool (0: primary, n: replica n) of the last statement
// whose SQL contains marker, failing the test when there is none.
func (s *served) last(t *testing.T, marker string) int {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.log) - 1; i >= 0; i-- {
		if strings.Contains(s.log[i].SQL, marker) {
			return s.log[i].Replica
		}
	}
	t.Fatalf("no statement containing %q ran", marker)
	return -1
}

// mark returns a position in the log, for onlyOn.
func (s *served) mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.log)
}

// onlyOn fails the test unless statements ran since the mark from, all on
// the pool given (0: primary, n: replica n).
func (s *served) onlyOn(t *testing.T, from, pool int, what string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) == from {
		t.Errorf("%s: no statement ran", what)
	}
	for _, e := range s.log[from:] {
		if e.Replica != pool {
			t.Errorf("%s: %q ran on pool %d, want %d (0 is the primary)", what, e.SQL, e.Replica, pool)
		}
	}
}

// eachWithReplica runs fn on every SQL backend with a fresh database opened
// with itself as its one replica, and the hook recording.
func eachWithReplica(t *testing.T, fn func(t *testing.T, db *core.Database, s *served), opts ...core.Option) {
	for _, name := range harness.SQLBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := harness.FreshURL(t, name)
			s := &served{}
			all := append([]core.Option{core.WithReplicas(u), core.WithQueryHook(s.hook)}, opts...)
			db, err := core.Open(context.Background(), u, all...)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := db.Close(); err != nil {
					t.Error(err)
				}
			})
			if _, err := db.Execute(context.Background(), "CREATE TABLE routed (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"); err != nil {
				t.Fatal(err)
			}
			fn(t, db, s)
		})
	}
}

type Routed struct {
	orm.Model `orm:"table=routed"`
	ID        int64 `db:"id" orm:"pk"`
	N         int64 `db:"n"`
}

// Reads outside a transaction go to the replica whatever method sends them;
// writes, locks, transactions, pinned connections and UsePrimary go to the
// primary, decided by the operation and never by the SQL text.
func TestReplicaRoutingByOperation(t *testing.T) {
	eachWithReplica(t, func(t *testing.T, db *core.Database, s *served) {
		ctx := context.Background()
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		want := func(marker string, pool int) {
			t.Helper()
			if got := s.last(t, marker); got != pool {
				t.Errorf("%q ran on pool %d, want %d (0 is the primary)", marker, got, pool)
			}
		}
		_, err := db.Execute(ctx, "INSERT INTO routed (id, n) VALUES (1, 10) /* exec-insert */")
		must(err)
		want("exec-insert", 0)

		// Reads: every method, raw SQL and goqu.
		_, err = db.FetchAll(ctx, "SELECT n FROM routed /* fetchall */")
		must(err)
		want("fetchall", 1)
		_, err = db.FetchOne(ctx, "SELECT n FROM routed /* fetchone */")
		must(err)
		want("fetchone", 1)
		_, err = db.FetchVal(ctx, "SELECT COUNT(*) FROM routed /* fetchval */")
		must(err)
		want("fetchval", 1)
		for _, err := range db.Iterate(ctx, "SELECT n FROM routed /* iterate */") {
			must(err)
		}
		want("iterate", 1)
		rows, err := db.Query(ctx, goqu.From("routed").Select(goqu.C("n").As("goqu_read")).Where(goqu.C("id").Eq(1)))
		must(err)
		must(rows.Close())
		want("goqu_read", 1)

		// The text of a statement does not route it: a SELECT sent through
		// Execute is the primary's, a write sent through FetchAll as a goqu
		// update or delete too.
		_, err = db.Execute(ctx, "SELECT 1 /* exec-select */")
		must(err)
		want("exec-select", 0)
		_, err = db.FetchAll(ctx, goqu.Update("routed").Set(goqu.Record{"n": 11}).Where(goqu.C("id").Eq(1)))
		must(err)
		want("UPDATE", 0)
		_, err = db.FetchAll(ctx, goqu.Delete("routed").Where(goqu.C("id").Eq(99)))
		must(err)
		want("DELETE", 0)
		if db.Dialect() != core.MySQL { // MariaDB has no WITH before UPDATE
			_, err = db.Execute(ctx, "WITH t AS (SELECT 1 AS one) UPDATE routed SET n = n + 1 WHERE id IN (SELECT one FROM t) /* with-update */")
			must(err)
			want("with-update", 0)
		}
		if db.Dialect() != core.SQLite { // SQLite has no row locks (goqu writes none)
			_, err = db.FetchAll(ctx, goqu.From("routed").Select("n").ForUpdate(exp.Wait))
			must(err)
			want("FOR UPDATE", 0)
		}
		if db.Dialect() == core.Postgres {
			res, err := db.Execute(ctx, "INSERT INTO routed (id, n) VALUES (2, 20) RETURNING id /* returning */")
			must(err)
			want("returning", 0)
			if res.LastInsertID != 2 {
				t.Errorf("RETURNING through Execute: LastInsertID = %d, want 2", res.LastInsertID)
			}
		}

		// UsePrimary, a transaction, a pinned connection.
		_, err = db.FetchAll(core.UsePrimary(ctx), "SELECT n FROM routed /* useprimary */")
		must(err)
		want("useprimary", 0)
		must(db.Transaction(ctx, func(ctx context.Context) error {
			_, err := db.FetchAll(ctx, "SELECT n FROM routed /* in-tx */")
			return err
		}))
		want("in-tx", 0)
		must(db.Conn(ctx, func(ctx context.Context) error {
			_, err := db.FetchVal(ctx, "SELECT n FROM routed /* pinned */")
			return err
		}))
		want("pinned", 0)

		// The orm: a read goes to the replica, ForUpdate (even outside a
		// transaction, and on SQLite where the SQL has no lock) and saves
		// to the primary.
		objs := orm.Objects[Routed](db)
		m := s.mark()
		all, err := objs.OrderBy("id").All(ctx)
		must(err)
		if len(all) == 0 {
			t.Fatal("orm read no rows")
		}
		_, err = objs.Filter(lookups.Q{"n__lt": 1000}).Count(ctx)
		must(err)
		s.onlyOn(t, m, 1, "orm All and Count")
		m = s.mark()
		_, err = objs.Filter(lookups.Q{"n__gte": 0}).ForUpdate().All(ctx)
		must(err)
		s.onlyOn(t, m, 0, "orm ForUpdate")
		m = s.mark()
		must(objs.Save(ctx, &Routed{ID: 3, N: 30}))
		must(objs.BulkCreate(ctx, []*Routed{{ID: 4, N: 40}, {ID: 5, N: 41}}))
		s.onlyOn(t, m, 0, "orm Save and BulkCreate")
	})
}

// A session (WithSession) keeps its reads on the primary for the window
// after a write, a committed transaction's included; a context without one,
// or after the window, reads from the replica.
func TestReplicaReadYourWritesWindow(t *testing.T) {
	const window = 300 * time.Millisecond
	eachWithReplica(t, func(t *testing.T, db *core.Database, s *served) {
		bg := context.Background()
		read := func(ctx context.Context, marker string) int {
			t.Helper()
			if _, err := db.FetchAll(ctx, "SELECT n FROM routed /* "+marker+" */"); err != nil {
				t.Fatal(err)
			}
			return s.last(t, marker)
		}
		ctx := core.WithSession(bg)
		if core.WithSession(ctx) != ctx {
			t.Error("WithSession on a context with a session made another one")
		}
		if got := read(ctx, "before-write"); got != 1 {
			t.Errorf("a session read before any write ran on pool %d, want the replica", got)
		}
		start := time.Now()
		if _, err := db.Execute(ctx, "INSERT INTO routed (id, n) VALUES (1, 1)"); err != nil {
			t.Fatal(err)
		}
		after := read(ctx, "after-write")
		other := read(bg, "no-session")
		if time.Since(start) < window {
			if after != 0 {
				t.Errorf("a session read just after its write ran on pool %d, want the primary", after)
			}
		}
		if other != 1 {
			t.Errorf("a read without the session ran on pool %d, want the replica", other)
		}
		time.Sleep(time.Until(start.Add(window + 50*time.Millisecond)))
		if got := read(ctx, "after-window"); got != 1 {
			t.Errorf("a session read after the window ran on pool %d, want the replica", got)
		}

		// A write in a transaction counts from its commit; a read-only
		// transaction is no write.
		err := db.Transaction(ctx, func(ctx context.Context) error {
			_, err := db.FetchAll(ctx, "SELECT n FROM routed")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := read(ctx, "after-read-tx"); got != 1 {
			t.Errorf("a session read after a read-only transaction ran on pool %d, want the replica", got)
		}
		start = time.Now()
		err = db.Transaction(ctx, func(ctx context.Context) error {
			return db.Transaction(ctx, func(ctx context.Context) error { // a savepoint's write counts too
				_, err := db.Execute(ctx, "UPDATE routed SET n = 2")
				return err
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := read(ctx, "after-tx"); got != 0 && time.Since(start) < window {
			t.Errorf("a session read after a committed write ran on pool %d, want the primary", got)
		}
		// A goroutine sharing the context shares the session.
		time.Sleep(window + 50*time.Millisecond)
		start = time.Now()
		var wg sync.WaitGroup
		wg.Go(func() {
			if _, err := db.Execute(ctx, "UPDATE routed SET n = 3"); err != nil {
				t.Error(err)
			}
		})
		wg.Wait()
		if got := read(ctx, "after-goroutine"); got != 0 && time.Since(start) < window {
			t.Errorf("a session read after another goroutine's write ran on pool %d, want the primary", got)
		}
	}, core.WithReadYourWrites(window))
}

// WithReadYourWrites(0) turns the window off.
func TestReplicaReadYourWritesOff(t *testing.T) {
	eachWithReplica(t, func(t *testing.T, db *core.Database, s *served) {
		ctx := core.WithSession(context.Background())
		if _, err := db.Execute(ctx, "INSERT INTO routed (id, n) VALUES (1, 1)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FetchAll(ctx, "SELECT n FROM routed /* read */"); err != nil {
			t.Fatal(err)
		}
		if got := s.last(t, "read"); got != 1 {
			t.Errorf("with no window, a session read after a write ran on pool %d, want the replica", got)
		}
	}, core.WithReadYourWrites(0))
}

// A replica that cannot be reached leaves Open working, shows in Stats, and
// reads go to the primary without an error.
func TestReplicaUnreachable(t *testing.T) {
	for _, name := range harness.SQLBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := harness.FreshURL(t, name)
			dead := map[string]string{
				harness.SQLite:   "sqlite:///" + t.TempDir() + "/no/such/dir/x.db",
				harness.Postgres: "postgres://nobody:s3cret@127.0.0.1:1/x",
				harness.MySQL:    "mysql://nobody:s3cret@127.0.0.1:1/x",
			}[name]
			s := &served{}
			ctx := context.Background()
			db, err := core.Open(ctx, u, core.WithReplicas(dead), core.WithQueryHook(s.hook),
				core.WithReplicaHealthCheck(50*time.Millisecond))
			if err != nil {
				t.Fatalf("Open with an unreachable replica: %v", err)
			}
			defer db.Close()
			if _, err := db.FetchVal(ctx, "SELECT 1 /* read */"); err != nil {
				t.Fatalf("read with the replica down: %v", err)
			}
			if got := s.last(t, "read"); got != 0 {
				t.Errorf("read ran on pool %d, want the primary", got)
			}
			time.Sleep(120 * time.Millisecond) // a few health checks
			st := db.Stats()
			if len(st.Replicas) != 1 {
				t.Fatalf("Stats().Replicas = %+v, want one", st.Replicas)
			}
			r := st.Replicas[0]
			if r.Healthy || r.Err == nil || r.Replica != 1 || r.Open != 0 {
				t.Errorf("unreachable replica's stats = %+v, want unhealthy, with its error", r)
			}
			if strings.Contains(r.URL, "s3cret") || (name != harness.SQLite && !strings.Contains(r.URL, "***")) {
				t.Errorf("replica URL in Stats = %q: password not masked", r.URL)
			}
		})
	}
}

// Stats reports each pool's connections and waits.
func TestPoolStats(t *testing.T) {
	eachWithReplica(t, func(t *testing.T, db *core.Database, s *served) {
		ctx := context.Background()
		st := db.Stats()
		if st.Primary.Open < 1 || st.Primary.Open != st.Primary.Idle+st.Primary.InUse {
			t.Errorf("primary stats = %+v: want an open connection, open = idle + in use", st.Primary)
		}
		if len(st.Replicas) != 1 || !st.Replicas[0].Healthy || st.Replicas[0].Err != nil || st.Replicas[0].Open < 1 {
			t.Fatalf("replica stats = %+v, want one healthy replica with a connection", st.Replicas)
		}
		// A Conn holds a primary connection: it shows as in use.
		err := db.Conn(ctx, func(ctx context.Context) error {
			if got := db.Stats().Primary.InUse; got != 1 {
				t.Errorf("in use while a Conn runs = %d, want 1", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	// Waits: a one-connection pool, held by one goroutine while another asks.
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		before := db.Stats().Primary
		if before.MaxOpen != 1 {
			t.Errorf("MaxOpen = %d, want 1", before.MaxOpen)
		}
		held := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			_ = db.Conn(ctx, func(ctx context.Context) error {
				close(held)
				time.Sleep(100 * time.Millisecond)
				return nil
			})
		})
		<-held
		if _, err := db.FetchVal(ctx, "SELECT 1"); err != nil {
			t.Error(err)
		}
		wg.Wait()
		after := db.Stats().Primary
		if after.Waits <= before.Waits || after.WaitTime < 50*time.Millisecond {
			t.Errorf("stats after waiting for the only connection: %+v (before %+v): want one more wait of about 100ms", after, before)
		}
	}, core.WithMaxConns(1))
}

// Misused replica options are errors at Open, naming what is wrong.
func TestReplicaOptionErrors(t *testing.T) {
	ctx := context.Background()
	file := "sqlite:///" + t.TempDir() + "/x.db"
	for _, c := range []struct {
		name string
		url  string
		opts []core.Option
		want string
	}{
		{"causal on sqlite", file, []core.Option{core.WithReplicas(file), core.WithCausalReads()}, "PostgreSQL"},
		{"other scheme", file, []core.Option{core.WithReplicas("postgres://h/db")}, "not a sqlite URL"},
		{"options without replica", file, []core.Option{core.WithReadYourWrites(time.Second)}, "no replica"},
		{"negative window", file, []core.Option{core.WithReplicas(file), core.WithReadYourWrites(-1)}, "negative"},
		{"force rollback", file, []core.Option{core.WithReplicas(file), core.WithForceRollback()}, "WithForceRollback"},
		{"bad replica URL", file, []core.Option{core.WithReplicas("sqlite://nope")}, "replica"},
		{"sqlite replica option", file + "?replica=h", nil, "no host"},
	} {
		db, err := core.Open(ctx, c.url, c.opts...)
		if err == nil {
			db.Close()
			t.Errorf("%s: Open succeeded", c.name)
			continue
		}
		if !errors.Is(err, core.ErrBadURL) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrBadURL mentioning %q", c.name, err, c.want)
		}
	}
}

// The URL's replica options name replica hosts: the primary's URL with
// another host, the rest (user, password, database, options) kept.
func TestReplicaURLOption(t *testing.T) {
	for _, name := range []string{harness.Postgres, harness.MySQL} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u, err := core.ParseURL(harness.FreshURL(t, name))
			if err != nil {
				t.Fatal(err)
			}
			host := u.Host
			if u.Port != 0 {
				host += ":" + strconv.Itoa(u.Port)
			}
			u.Options.Add("replica", host)
			u.Options.Add("replica", "127.0.0.1:1")
			s := &served{}
			db, err := core.OpenURL(context.Background(), u, core.WithQueryHook(s.hook))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			st := db.Stats()
			if len(st.Replicas) != 2 || !st.Replicas[0].Healthy || st.Replicas[1].Healthy {
				t.Fatalf("replicas = %+v, want the first healthy, the second (port 1) not", st.Replicas)
			}
			for _, r := range st.Replicas {
				if strings.Contains(r.URL, "replica=") {
					t.Errorf("replica URL %q keeps the replica option", r.URL)
				}
			}
			if _, err := db.FetchVal(context.Background(), "SELECT 1 /* read */"); err != nil {
				t.Fatal(err)
			}
			if got := s.last(t, "read"); got != 1 {
				t.Errorf("read ran on pool %d, want replica 1", got)
			}
		})
	}
	for _, bad := range []string{"", "a:b", "u@h", "h/x", "h:70000"} {
		if _, err := core.ParseURL("postgres://app@h/db?replica=" + bad); !errors.Is(err, core.ErrBadURL) {
			t.Errorf("replica=%q: %v, want ErrBadURL", bad, err)
		}
	}
}

// migrate refuses a database opened with replicas: it reads the schema and
// the history, which a replica may serve stale.
func TestMigrateRefusesReplicas(t *testing.T) {
	eachWithReplica(t, func(t *testing.T, db *core.Database, s *served) {
		if _, err := migrate.NewFromHistory(db, &migrate.History{}); !errors.Is(err, migrate.ErrReplicas) {
			t.Errorf("migrate.NewFromHistory: %v, want ErrReplicas", err)
		}
		if _, err := migrate.Inspect(context.Background(), db); !errors.Is(err, migrate.ErrReplicas) {
			t.Errorf("migrate.Inspect: %v, want ErrReplicas", err)
		}
	})
}

// WithCausalReads on PostgreSQL: the "replica" here is the primary itself,
// which replays nothing (pg_last_wal_replay_lsn() is NULL) and so has every
// write: a session's read right after a write may go to it.
func TestReplicaCausalReadsOnAPrimary(t *testing.T) {
	u := harness.FreshURL(t, harness.Postgres)
	s := &served{}
	ctx := context.Background()
	db, err := core.Open(ctx, u, core.WithReplicas(u), core.WithCausalReads(), core.WithQueryHook(s.hook))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sess := core.WithSession(ctx)
	if _, err := db.Execute(sess, "CREATE TABLE causal (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FetchAll(sess, "SELECT n FROM causal /* read */"); err != nil {
		t.Fatal(err)
	}
	if got := s.last(t, "read"); got != 1 {
		t.Errorf("read ran on pool %d, want the replica (it has every write)", got)
	}
}

// Fifty goroutines reading and writing with sessions while the health
// checks run: no race, no error, no write lost.
func TestReplicaConcurrentSessions(t *testing.T) {
	eachWithReplica(t, func(t *testing.T, db *core.Database, s *served) {
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Go(func() {
				ctx := core.WithSession(context.Background())
				for j := range 4 {
					if _, err := db.FetchAll(ctx, "SELECT n FROM routed"); err != nil {
						t.Error(err)
						return
					}
					if _, err := db.Execute(ctx, "INSERT INTO routed (id, n) VALUES (:id, 0)", core.Params{"id": i*10 + j}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		n, err := db.FetchVal(core.UsePrimary(context.Background()), "SELECT COUNT(*) FROM routed")
		if err != nil || n != int64(200) {
			t.Errorf("count = %v, %v; want 200", n, err)
		}
	}, core.WithReplicaHealthCheck(5*time.Millisecond), core.WithReadYourWrites(time.Minute))
}

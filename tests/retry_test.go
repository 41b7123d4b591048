package tests

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
)

// retryURL is a fresh database of the backend, with the options the retry
// tests need: deferred transactions on SQLite (an immediate one takes the
// write lock at BEGIN, so no snapshot can go stale) and extra ones given.
func retryURL(t *testing.T, backend string, extra url.Values) string {
	t.Helper()
	raw := harness.FreshURL(t, backend)
	q := url.Values{}
	if backend == harness.SQLite {
		q.Set("_txlock", "deferred")
	}
	for k, v := range extra {
		q[k] = v
	}
	if len(q) == 0 {
		return raw
	}
	sep := "?"
	if strings.Contains(raw, "?") {
		sep = "&"
	}
	return raw + sep + q.Encode()
}

// eachRetry runs fn on every SQL backend with a database made by retryURL
// (with the options extra gives for the backend) that holds counters (rows
// 1 and 2 at 0) and ballast (empty).
func eachRetry(t *testing.T, extra func(backend string) url.Values, fn func(t *testing.T, backend string, db *core.Database)) {
	for _, backend := range harness.SQLBackends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			var q url.Values
			if extra != nil {
				q = extra(backend)
			}
			fn(t, backend, openRetry(t, retryURL(t, backend, q)))
		})
	}
}

func openRetry(t *testing.T, rawURL string) *core.Database {
	t.Helper()
	ctx := context.Background()
	db, err := core.Open(ctx, rawURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	for _, s := range []string{
		"CREATE TABLE IF NOT EXISTS counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, bumps INTEGER NOT NULL)",
		"CREATE TABLE IF NOT EXISTS ballast (id INTEGER PRIMARY KEY)",
	} {
		if _, err := db.Execute(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Execute(ctx, "DELETE FROM counters"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Execute(ctx, "INSERT INTO counters (id, n, bumps) VALUES (1, 0, 0), (2, 0, 0)"); err != nil {
		t.Fatal(err)
	}
	return db
}

// conflictKind is the error kind conflict produces on a backend.
func conflictKind(backend string) error {
	if backend == harness.MySQL {
		return core.ErrDeadlock
	}
	return core.ErrSerialization
}

// conflict adds one to counter 1 in the transaction ctx carries and makes
// that fail with a real error of conflictKind, produced with a second
// connection (bg carries no transaction): on PostgreSQL (the transaction
// REPEATABLE READ) and SQLite (deferred, WAL) a write commits over the
// transaction's snapshot before it writes (40001, SQLITE_BUSY_SNAPSHOT); on
// MySQL the transaction deadlocks with a heavier one, so that InnoDB
// chooses it as the victim (1213).
func conflict(ctx, bg context.Context, backend string, db *core.Database) error {
	if backend == harness.MySQL {
		return deadlock(ctx, bg, db)
	}
	if _, err := db.FetchVal(ctx, "SELECT n FROM counters WHERE id = 1"); err != nil {
		return err
	}
	if _, err := db.Execute(bg, "UPDATE counters SET bumps = bumps + 1 WHERE id = 1"); err != nil {
		return fmt.Errorf("the other connection: %w", err)
	}
	_, err := db.Execute(ctx, "UPDATE counters SET n = n + 1 WHERE id = 1")
	return err
}

var errRollBack = errors.New("roll back")

func deadlock(ctx, bg context.Context, db *core.Database) error {
	if _, err := db.Execute(ctx, "UPDATE counters SET n = n + 1 WHERE id = 1"); err != nil {
		return err
	}
	locked := make(chan struct{})
	other := make(chan error, 1)
	go func() {
		other <- db.Transaction(bg, func(ctx context.Context) error {
			var values []string
			for i := range 20 {
				values = append(values, fmt.Sprintf("(%d)", i+1))
			}
			if _, err := db.Execute(ctx, "INSERT INTO ballast (id) VALUES "+strings.Join(values, ", ")); err != nil {
				close(locked)
				return err
			}
			if _, err := db.Execute(ctx, "UPDATE counters SET bumps = bumps + 1 WHERE id = 2"); err != nil {
				close(locked)
				return err
			}
			close(locked)
			if _, err := db.Execute(ctx, "UPDATE counters SET bumps = bumps + 1 WHERE id = 1"); err != nil {
				return err
			}
			return errRollBack
		})
	}()
	<-locked
	// Wait until the other transaction waits for our lock on row 1.
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(20 * time.Millisecond) {
		v, err := db.FetchVal(bg, "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'")
		if err != nil {
			return err
		}
		if n, _ := v.(int64); n > 0 {
			break
		}
	}
	_, err := db.Execute(ctx, "UPDATE counters SET n = n + 1 WHERE id = 2")
	if oerr := <-other; !errors.Is(oerr, errRollBack) {
		return errors.Join(err, fmt.Errorf("the other transaction: %w", oerr))
	}
	return err
}

func counter(t *testing.T, db *core.Database, id int) int64 {
	t.Helper()
	v, err := db.FetchVal(context.Background(), "SELECT n FROM counters WHERE id = :id", core.Params{"id": id})
	if err != nil {
		t.Fatal(err)
	}
	n, _ := v.(int64)
	return n
}

var repeatable = core.WithIsolation(core.RepeatableRead)

// A conflict on the first attempt is retried, and the second commits once.
func TestRetryConflict(t *testing.T) {
	eachRetry(t, nil, func(t *testing.T, backend string, db *core.Database) {
		bg := context.Background()
		var attempts atomic.Int32
		err := db.Transaction(bg, func(ctx context.Context) error {
			if attempts.Add(1) == 1 {
				return conflict(ctx, bg, backend, db)
			}
			_, err := db.Execute(ctx, "UPDATE counters SET n = n + 1 WHERE id = 1")
			return err
		}, core.Retry(3, time.Millisecond), repeatable)
		if err != nil {
			t.Fatal(err)
		}
		if attempts.Load() != 2 || counter(t, db, 1) != 1 {
			t.Errorf("%d attempts, counter %d; want 2 attempts and 1", attempts.Load(), counter(t, db, 1))
		}
		// Without Retry the same conflict is the caller's error.
		attempts.Store(0)
		err = db.Transaction(bg, func(ctx context.Context) error {
			attempts.Add(1)
			return conflict(ctx, bg, backend, db)
		}, repeatable)
		if !errors.Is(err, conflictKind(backend)) || attempts.Load() != 1 {
			t.Errorf("without Retry: %d attempts, %v", attempts.Load(), err)
		}
	})
}

// Retry(n) runs fn n+1 times at most, then returns the last error wrapped.
func TestRetryExhausted(t *testing.T) {
	eachRetry(t, nil, func(t *testing.T, backend string, db *core.Database) {
		bg := context.Background()
		var attempts atomic.Int32
		err := db.Transaction(bg, func(ctx context.Context) error {
			attempts.Add(1)
			return conflict(ctx, bg, backend, db)
		}, core.Retry(2, time.Millisecond), repeatable)
		if !errors.Is(err, conflictKind(backend)) || !strings.Contains(err.Error(), "after 3 attempts") {
			t.Fatalf("err = %v", err)
		}
		var ce *core.Error
		if !errors.As(err, &ce) {
			t.Errorf("the driver's error is not reachable: %v", err)
		}
		if attempts.Load() != 3 || counter(t, db, 1) != 0 {
			t.Errorf("%d attempts, counter %d; want 3 and 0 (nothing committed)", attempts.Load(), counter(t, db, 1))
		}
	})
}

// A context that ends while Transaction waits to retry stops it at once.
func TestRetryContextEnds(t *testing.T) {
	eachRetry(t, nil, func(t *testing.T, backend string, db *core.Database) {
		bg := context.Background()
		ctx, cancel := context.WithCancel(bg)
		defer cancel()
		var attempts atomic.Int32
		var failed time.Time
		err := db.Transaction(ctx, func(ctx context.Context) error {
			attempts.Add(1)
			err := conflict(ctx, bg, backend, db)
			failed = time.Now()
			time.AfterFunc(100*time.Millisecond, cancel) // during the wait to retry
			return err
		}, core.Retry(100, time.Minute), repeatable) // the first wait: 30 s or more
		if !errors.Is(err, context.Canceled) || !errors.Is(err, conflictKind(backend)) {
			t.Fatalf("err = %v; want the cancellation joined with the last attempt's error", err)
		}
		if attempts.Load() != 1 || time.Since(failed) > 10*time.Second {
			t.Errorf("%d attempts, returned %s after the failure", attempts.Load(), time.Since(failed))
		}
		// A context already ended runs nothing.
		attempts.Store(0)
		err = db.Transaction(ctx, func(ctx context.Context) error { attempts.Add(1); return nil }, core.Retry(3, time.Millisecond))
		if !errors.Is(err, context.Canceled) || attempts.Load() != 0 {
			t.Errorf("an ended context: %d attempts, %v", attempts.Load(), err)
		}
	})
}

// An error that running fn again cannot fix is returned at once.
func TestRetryNotRetryable(t *testing.T) {
	eachRetry(t, nil, func(t *testing.T, backend string, db *core.Database) {
		bg := context.Background()
		var attempts atomic.Int32
		err := db.Transaction(bg, func(ctx context.Context) error {
			attempts.Add(1)
			_, err := db.Execute(ctx, "INSERT INTO counters (id, n, bumps) VALUES (1, 0, 0)")
			return err
		}, core.Retry(5, time.Millisecond))
		if !errors.Is(err, core.ErrUniqueViolation) || attempts.Load() != 1 {
			t.Errorf("%d attempts, %v", attempts.Load(), err)
		}
		mine := errors.New("mine")
		attempts.Store(0)
		err = db.Transaction(bg, func(ctx context.Context) error { attempts.Add(1); return mine }, core.Retry(5, time.Millisecond))
		if err != mine || attempts.Load() != 1 {
			t.Errorf("fn's own error: %d attempts, %v", attempts.Load(), err)
		}
	})
}

// Retry on a nested Transaction is ignored: the failure goes out to the
// outermost one, which retries the whole when it has Retry itself.
func TestRetryNested(t *testing.T) {
	eachRetry(t, nil, func(t *testing.T, backend string, db *core.Database) {
		bg := context.Background()
		var outer, inner atomic.Int32
		body := func(ctx context.Context) error {
			outer.Add(1)
			return db.Transaction(ctx, func(ctx context.Context) error {
				if inner.Add(1) == 1 {
					return conflict(ctx, bg, backend, db)
				}
				_, err := db.Execute(ctx, "UPDATE counters SET n = n + 1 WHERE id = 1")
				return err
			}, core.Retry(5, time.Millisecond))
		}
		err := db.Transaction(bg, body, repeatable)
		if !errors.Is(err, conflictKind(backend)) || outer.Load() != 1 || inner.Load() != 1 {
			t.Errorf("outer without Retry: outer %d, inner %d attempts, %v", outer.Load(), inner.Load(), err)
		}
		outer.Store(0)
		inner.Store(0)
		if err := db.Transaction(bg, body, core.Retry(5, time.Millisecond), repeatable); err != nil {
			t.Fatal(err)
		}
		if outer.Load() != 2 || inner.Load() != 2 || counter(t, db, 1) != 1 {
			t.Errorf("outer with Retry: outer %d, inner %d attempts, counter %d", outer.Load(), inner.Load(), counter(t, db, 1))
		}
	})
}

// A lock wait that times out is retried only when asked.
func TestRetryLockTimeout(t *testing.T) {
	extra := func(backend string) url.Values {
		switch backend {
		case harness.Postgres:
			return url.Values{"lock_timeout": {"200ms"}}
		case harness.MySQL:
			return url.Values{"innodb_lock_wait_timeout": {"1"}} // seconds
		}
		return url.Values{"_busy_timeout": {"200"}} // milliseconds
	}
	eachRetry(t, extra, func(t *testing.T, backend string, db *core.Database) {
		bg := context.Background()
		for _, retryIt := range []bool{false, true} {
			// Another transaction holds the lock on row 1 (on SQLite, the
			// database's write lock) until the second attempt begins.
			hctx, holder, err := db.Begin(bg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Execute(hctx, "UPDATE counters SET bumps = bumps + 1 WHERE id = 1"); err != nil {
				t.Fatal(err)
			}
			opts := []core.TxOption{core.Retry(3, time.Millisecond)}
			if retryIt {
				opts = append(opts, core.RetryLockTimeout())
			}
			var attempts atomic.Int32
			err = db.Transaction(bg, func(ctx context.Context) error {
				if attempts.Add(1) == 2 {
					if err := holder.Commit(hctx); err != nil {
						return err
					}
				}
				_, err := db.Execute(ctx, "UPDATE counters SET n = n + 1 WHERE id = 1")
				return err
			}, opts...)
			_ = holder.Rollback(hctx)
			switch {
			case !retryIt && (!errors.Is(err, core.ErrLockTimeout) || attempts.Load() != 1):
				t.Errorf("by default: %d attempts, %v; want ErrLockTimeout after 1", attempts.Load(), err)
			case retryIt && (err != nil || attempts.Load() != 2):
				t.Errorf("with RetryLockTimeout: %d attempts, %v; want success after 2", attempts.Load(), err)
			}
		}
		if n := counter(t, db, 1); n != 1 {
			t.Errorf("counter %d, want 1", n)
		}
	})
}

// A connection lost before COMMIT is retried; one lost during COMMIT is
// ErrCommitUnknown and never retried, even though (as here) the server
// committed: running fn again would write twice.
func TestRetryConnectionLost(t *testing.T) {
	for _, backend := range []string{harness.Postgres, harness.MySQL} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			raw := retryURL(t, backend, nil)
			direct := openRetry(t, raw)
			proxy, via := proxied(t, raw)
			db, err := core.Open(context.Background(), via)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			bg := context.Background()
			var attempts atomic.Int32
			proxy.arm("marker_lost", false)
			err = db.Transaction(bg, func(ctx context.Context) error {
				attempts.Add(1)
				_, err := db.Execute(ctx, "UPDATE counters SET n = n + 1 WHERE id = 1 AND 'marker_lost' <> ''")
				return err
			}, core.Retry(3, time.Millisecond))
			if err != nil || attempts.Load() != 2 || proxy.cuts.Load() != 1 || counter(t, direct, 1) != 1 {
				t.Errorf("lost before COMMIT: %d attempts, %d cuts, counter %d, %v; want 2, 1, 1, nil",
					attempts.Load(), proxy.cuts.Load(), counter(t, direct, 1), err)
			}

			attempts.Store(0)
			proxy.arm("commit", true)
			err = db.Transaction(bg, func(ctx context.Context) error {
				attempts.Add(1)
				_, err := db.Execute(ctx, "UPDATE counters SET n = n + 1 WHERE id = 1")
				return err
			}, core.Retry(3, time.Millisecond))
			if !errors.Is(err, core.ErrCommitUnknown) || !errors.Is(err, core.ErrConnectionLost) {
				t.Fatalf("lost during COMMIT: %v; want ErrCommitUnknown wrapping ErrConnectionLost", err)
			}
			if attempts.Load() != 1 || counter(t, direct, 1) != 2 {
				t.Errorf("lost during COMMIT: %d attempts, counter %d; want 1 attempt, and the commit the server made: 2",
					attempts.Load(), counter(t, direct, 1))
			}
			// The Database goes on with a new connection.
			if err := db.Transaction(bg, func(ctx context.Context) error {
				_, err := db.Execute(ctx, "UPDATE counters SET n = n + 1 WHERE id = 1")
				return err
			}); err != nil || counter(t, direct, 1) != 3 {
				t.Errorf("after the lost connection: %v, counter %d", err, counter(t, direct, 1))
			}
		})
	}
}

// Retry's settings are checked, and Begin, which cannot run anything
// again, refuses it.
func TestRetryOptions(t *testing.T) {
	db := harness.Open(t, harness.SQLite)
	bg := context.Background()
	if _, _, err := db.Begin(bg, core.Retry(3, time.Millisecond)); !errors.Is(err, core.ErrBadQuery) {
		t.Errorf("Begin with Retry: %v", err)
	}
	ran := false
	fn := func(context.Context) error { ran = true; return nil }
	for name, opts := range map[string][]core.TxOption{
		"negative count":             {core.Retry(-1, time.Millisecond)},
		"negative backoff":           {core.Retry(1, -time.Millisecond)},
		"lock timeout without Retry": {core.RetryLockTimeout()},
	} {
		if err := db.Transaction(bg, fn, opts...); !errors.Is(err, core.ErrBadQuery) || ran {
			t.Errorf("%s: ran %v, %v", name, ran, err)
		}
	}
	// Retry(0, 0) is a plain transaction.
	if err := db.Transaction(bg, fn, core.Retry(0, 0)); err != nil || !ran {
		t.Errorf("Retry(0, 0): ran %v, %v", ran, err)
	}
}

// A MySQL URL's failover addresses are tried in order after its host: the
// first here refuses connections, the second is the server.
func TestMySQLFailover(t *testing.T) {
	raw := harness.FreshURL(t, harness.MySQL)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	server := u.Host
	closed := newCutProxy(t, server)
	dead := closed.ln.Addr().String()
	_ = closed.ln.Close() // nothing listens there any more
	u.Host = dead
	q := u.Query()
	q.Set("failover", "127.0.0.1:1,"+server)
	u.RawQuery = q.Encode()
	ctx := context.Background()
	db, err := core.Open(ctx, u.String())
	if err != nil {
		t.Fatalf("open with failover: %v", err)
	}
	defer db.Close()
	if v, err := db.FetchVal(ctx, "SELECT 1"); err != nil || v != int64(1) {
		t.Errorf("SELECT 1 through the failover address: %v, %v", v, err)
	}
	for _, bad := range []string{"failover=", "failover=:3306", "failover=host:port", "failover=h:70000"} {
		if _, err := core.Open(ctx, "mysql://root@"+dead+"/test?"+bad); !errors.Is(err, core.ErrBadURL) {
			t.Errorf("%s: %v; want ErrBadURL", bad, err)
		}
	}
}

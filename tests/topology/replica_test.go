// Package topology tests atomdb against multi-server topologies that the
// harness starts in containers: a PostgreSQL primary with a streaming
// replica, and a 3-node MariaDB Galera cluster. Without a Docker engine (or the images of scripts/images.sh)
// the tests are skipped with the reason, unless ATOMDB_TEST_REQUIRE names
// docker, as CI's does.
package topology

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
)

// TestMain removes the containers and networks the harness started.
func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }

// openRouted opens the primary with the replica, and a plain connection to
// the replica for pausing its replay.
func openRouted(t *testing.T, r *harness.PGReplica, opts ...core.Option) (db, replica *core.Database) {
	t.Helper()
	ctx := context.Background()
	opts = append([]core.Option{core.WithReplicas(r.ReplicaURL)}, opts...)
	db, err := core.Open(ctx, r.PrimaryURL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	replica, err = core.Open(ctx, r.ReplicaURL, core.WithMaxConns(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { replica.Close() })
	return db, replica
}

// inRecovery asks, through db's routing, whether the server that answers
// is a standby.
func inRecovery(t *testing.T, ctx context.Context, db *core.Database) bool {
	t.Helper()
	v, err := db.FetchVal(ctx, "SELECT pg_is_in_recovery()")
	if err != nil {
		t.Fatal(err)
	}
	return v == true
}

func exec(t *testing.T, ctx context.Context, db *core.Database, sql string) {
	t.Helper()
	if _, err := db.Execute(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func count(t *testing.T, ctx context.Context, db *core.Database) int64 {
	t.Helper()
	v, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM items")
	if err != nil {
		t.Fatal(err)
	}
	return v.(int64)
}

// eventually polls cond for up to 20 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 20s: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Reads outside a transaction land on the replica, checked through the
// same pool and routing; the rest on the primary.
func TestReadsLandOnTheReplica(t *testing.T) {
	r := harness.PostgresReplica(t)
	db, _ := openRouted(t, r)
	ctx := context.Background()
	for range 5 {
		if !inRecovery(t, ctx, db) {
			t.Fatal("a read outside a transaction was answered by the primary")
		}
	}
	if inRecovery(t, core.UsePrimary(ctx), db) {
		t.Error("a read with UsePrimary was answered by the replica")
	}
	err := db.Transaction(ctx, func(ctx context.Context) error {
		if inRecovery(t, ctx, db) {
			t.Error("a read in a transaction was answered by the replica")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A write goes to the primary (the replica would refuse it), and
	// reaches the replica by streaming replication.
	exec(t, ctx, db, "CREATE TABLE items (id SERIAL PRIMARY KEY, name TEXT)")
	exec(t, ctx, db, "INSERT INTO items (name) VALUES ('a')")
	eventually(t, "the write replicated", func() bool {
		v, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM items")
		return err == nil && v == int64(1)
	})
	st := db.Stats()
	if len(st.Replicas) != 1 || !st.Replicas[0].Healthy || st.Replicas[0].Open < 1 || st.Primary.Open < 1 {
		t.Errorf("Stats() = %+v: want a healthy replica, both pools with connections", st)
	}
}

// With the replica's replay paused, a session's read after its write still
// sees the write (on the primary), while a read without the session, from
// the replica, does not: for the window, and with WithCausalReads until the
// replica has replayed past the write.
func TestReadYourWritesWithReplayPaused(t *testing.T) {
	r := harness.PostgresReplica(t)
	for _, mode := range []struct {
		name string
		opt  core.Option
	}{
		{"window", core.WithReadYourWrites(time.Minute)},
		{"causal", core.WithCausalReads()},
	} {
		t.Run(mode.name, func(t *testing.T) {
			db, replica := openRouted(t, r, mode.opt)
			bg := context.Background()
			exec(t, bg, db, "DROP TABLE IF EXISTS items")
			exec(t, bg, db, "CREATE TABLE items (id SERIAL PRIMARY KEY, name TEXT)")
			eventually(t, "the table replicated", func() bool {
				_, err := db.FetchVal(bg, "SELECT COUNT(*) FROM items")
				return err == nil
			})
			exec(t, bg, replica, "SELECT pg_wal_replay_pause()")
			resumed := false
			defer func() {
				if !resumed {
					exec(t, bg, replica, "SELECT pg_wal_replay_resume()")
				}
			}()
			eventually(t, "replay paused", func() bool {
				v, err := replica.FetchVal(bg, "SELECT pg_get_wal_replay_pause_state()")
				return err == nil && v == "paused"
			})

			ctx := core.WithSession(bg)
			exec(t, ctx, db, "INSERT INTO items (name) VALUES ('mine')")
			if n := count(t, ctx, db); n != 1 {
				t.Errorf("the session read after its write counts %d rows, want 1", n)
			}
			if inRecovery(t, ctx, db) {
				t.Error("the session's read after its write was answered by the paused replica")
			}
			if n := count(t, bg, db); n != 0 {
				t.Errorf("a read without the session counts %d rows: want 0 from the paused replica", n)
			}
			if mode.name == "causal" {
				// Once the replica has replayed the write, the session reads
				// from it again.
				exec(t, bg, replica, "SELECT pg_wal_replay_resume()")
				resumed = true
				eventually(t, "the session's reads back on the replica", func() bool {
					return inRecovery(t, ctx, db)
				})
				if n := count(t, ctx, db); n != 1 {
					t.Errorf("the session read on the caught-up replica counts %d rows, want 1", n)
				}
			}
		})
	}
}

// The replica stopped: reads go on, on the primary, without an error; it
// started again: reads go back to it.
func TestReplicaStoppedThenRestarted(t *testing.T) {
	r := harness.PostgresReplica(t)
	db, _ := openRouted(t, r, core.WithReplicaHealthCheck(200*time.Millisecond))
	ctx := context.Background()
	if !inRecovery(t, ctx, db) {
		t.Fatal("a read was not answered by the replica")
	}
	r.StopReplica(t)
	for range 10 { // the first finds the replica's connections dead
		if inRecovery(t, ctx, db) {
			t.Fatal("a read was answered by the stopped replica")
		}
	}
	st := db.Stats().Replicas[0]
	if st.Healthy || st.Err == nil {
		t.Errorf("the stopped replica's stats = %+v, want unhealthy with its error", st)
	}
	r.StartReplica(t)
	eventually(t, "reads back on the restarted replica", func() bool {
		return inRecovery(t, ctx, db)
	})
	if st := db.Stats().Replicas[0]; !st.Healthy || st.Err != nil {
		t.Errorf("the restarted replica's stats = %+v, want healthy", st)
	}
}

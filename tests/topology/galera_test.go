package topology

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
)

// conflicts counts the statements and COMMITs that failed with error 1213,
// which Galera returns for a certification conflict (and InnoDB for a
// deadlock), through a query hook.
// Other failed statements (a connection lost, a node shutting down) are
// counted apart.
type conflicts struct{ commit, statement, other atomic.Int64 }

func (c *conflicts) hook(_ context.Context, e core.QueryEvent) {
	if e.Err == nil {
		return
	}
	var me *mysql.MySQLError
	if !errors.As(e.Err, &me) || me.Number != 1213 {
		c.other.Add(1)
		return
	}
	if e.SQL == "COMMIT" {
		c.commit.Add(1)
	} else {
		c.statement.Add(1)
	}
}

func gopen(t *testing.T, url string, opts ...core.Option) *core.Database {
	t.Helper()
	db, err := core.Open(context.Background(), url, append([]core.Option{core.WithMaxConns(8)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func gexec(t *testing.T, db *core.Database, sql string) {
	t.Helper()
	if _, err := db.Execute(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func gval(t *testing.T, db *core.Database, sql string) int64 {
	t.Helper()
	v, err := db.FetchVal(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	n, ok := v.(int64)
	if !ok {
		t.Fatalf("%s: %T %v", sql, v, v)
	}
	return n
}

const (
	workers    = 8
	increments = 50
)

// One cluster serves the subtests in order; the last stops a node.
func TestGalera(t *testing.T) {
	cluster := harness.Galera(t, 3)
	t.Run("Counter", func(t *testing.T) { testCounter(t, cluster) })
	t.Run("CausalReads", func(t *testing.T) { testCausalReads(t, cluster) })
	t.Run("PrimaryKeys", func(t *testing.T) { testPrimaryKeys(t, cluster) })
	t.Run("Migrate", func(t *testing.T) { testMigrate(t, cluster) })
	t.Run("NodeStopped", func(t *testing.T) { testNodeStopped(t, cluster) })
}

// 8 goroutines add 1 to one counter 50 times each, spread over the three
// nodes, each increment a Transaction with Retry: the certification
// conflicts are retried and the total is exact.
func testCounter(t *testing.T, c *harness.GaleraCluster) {
	var seen conflicts
	var dbs []*core.Database
	for _, n := range c.Nodes {
		dbs = append(dbs, gopen(t, n.URL, core.WithQueryHook(seen.hook)))
	}
	gexec(t, dbs[0], "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
	gexec(t, dbs[0], "INSERT INTO counter (id, n) VALUES (1, 0)")
	gexec(t, dbs[0], "CREATE TABLE counter_ledger (worker INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (worker, seq))")
	var attempts atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		db := dbs[w%len(dbs)]
		wg.Go(func() {
			for seq := range increments {
				err := db.Transaction(context.Background(), func(ctx context.Context) error {
					attempts.Add(1)
					p := core.Params{"w": w, "s": seq}
					if _, err := db.Execute(ctx, "INSERT INTO counter_ledger (worker, seq) VALUES (:w, :s)", p); err != nil {
						return err
					}
					_, err := db.Execute(ctx, "UPDATE counter SET n = n + 1 WHERE id = 1")
					return err
				}, core.Retry(100, time.Millisecond))
				if err != nil {
					t.Errorf("worker %d: %v", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	retried := attempts.Load() - workers*increments
	t.Logf("%d increments in %d attempts: %d retried; error 1213 at COMMIT (certification conflicts) %d times, on a statement %d times",
		workers*increments, attempts.Load(), retried, seen.commit.Load(), seen.statement.Load())
	if retried != seen.commit.Load()+seen.statement.Load() {
		t.Errorf("%d retries for %d conflicts", retried, seen.commit.Load()+seen.statement.Load())
	}
	for i, n := range c.Nodes {
		db := gopen(t, n.URL+"?wsrep_sync_wait=1")
		if got := gval(t, db, "SELECT n FROM counter WHERE id = 1"); got != workers*increments {
			t.Errorf("node %d: counter %d, want %d", i+1, got, workers*increments)
		}
		if got := gval(t, db, "SELECT COUNT(*) FROM counter_ledger"); got != workers*increments {
			t.Errorf("node %d: ledger %d rows, want %d", i+1, got, workers*increments)
		}
	}
}

// wsrep_sync_wait, a URL option set on every connection, makes a read on
// one node wait until that node has applied what the cluster committed
// before it: a read after a write on another node sees the write.
func testCausalReads(t *testing.T, c *harness.GaleraCluster) {
	writer := gopen(t, c.Nodes[0].URL)
	reader := gopen(t, c.Nodes[1].URL+"?wsrep_sync_wait=1")
	if got := gval(t, reader, "SELECT @@wsrep_sync_wait"); got != 1 {
		t.Fatalf("wsrep_sync_wait = %d on the reader's connection", got)
	}
	gexec(t, writer, "CREATE TABLE causal (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)")
	ctx := context.Background()
	for i := range 50 {
		if _, err := writer.Execute(ctx, "INSERT INTO causal (id, v) VALUES (:id, :id)", core.Params{"id": i}); err != nil {
			t.Fatal(err)
		}
		v, err := reader.FetchVal(ctx, "SELECT COUNT(*) FROM causal WHERE id = :id", core.Params{"id": i})
		if err != nil || v != int64(1) {
			t.Fatalf("read %d on node 2 after its write on node 1: %v, %v", i, v, err)
		}
	}
}

// The cluster requires a primary key on every table
// (wsrep_mode=REQUIRED_PRIMARY_KEY): what atomdb creates has one.
func testPrimaryKeys(t *testing.T, c *harness.GaleraCluster) {
	db := gopen(t, c.Nodes[0].URL)
	if _, err := db.Execute(context.Background(), "CREATE TABLE no_key (v INTEGER)"); err == nil {
		t.Fatal("the cluster accepts a table without a primary key: the test proves nothing")
	}
	testModels(t, db)
}

// A node is stopped while 8 workers increment a counter through Databases
// that fail over to the other nodes: every increment lands exactly once.
// Each increment also inserts its (worker, seq) into a ledger, so that a
// COMMIT whose outcome is unknown (the node went away while committing)
// can be resolved by reading the ledger on a node that is up.
func testNodeStopped(t *testing.T, c *harness.GaleraCluster) {
	var seen conflicts
	var dbs []*core.Database
	for i, n := range c.Nodes {
		var others []string
		for j, o := range c.Nodes {
			if j != i {
				others = append(others, o.HostPort)
			}
		}
		dbs = append(dbs, gopen(t, n.URL+"?failover="+strings.Join(others, ","), core.WithQueryHook(seen.hook)))
	}
	gexec(t, dbs[0], "CREATE TABLE stop_counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
	gexec(t, dbs[0], "CREATE TABLE stop_ledger (worker INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (worker, seq))")
	gexec(t, dbs[0], "INSERT INTO stop_counter (id, n) VALUES (1, 0)")
	checker := gopen(t, c.Nodes[0].URL+"?wsrep_sync_wait=1&failover="+c.Nodes[1].HostPort)

	var done, unknown, attempts atomic.Int64
	var atStop, afterStop int64
	stopped := make(chan error, 1)
	go func() {
		for done.Load() < workers*increments/4 {
			time.Sleep(5 * time.Millisecond)
		}
		atStop = done.Load()
		err := c.Stop(2)
		afterStop = done.Load()
		stopped <- err
	}()
	var wg sync.WaitGroup
	for w := range workers {
		db := dbs[w%len(dbs)]
		wg.Go(func() {
			for seq := 0; seq < increments; {
				err := db.Transaction(context.Background(), func(ctx context.Context) error {
					attempts.Add(1)
					p := core.Params{"w": w, "s": seq}
					if _, err := db.Execute(ctx, "INSERT INTO stop_ledger (worker, seq) VALUES (:w, :s)", p); err != nil {
						return err
					}
					_, err := db.Execute(ctx, "UPDATE stop_counter SET n = n + 1 WHERE id = 1")
					return err
				}, core.Retry(100, time.Millisecond))
				if errors.Is(err, core.ErrCommitUnknown) {
					unknown.Add(1)
					n, cerr := checker.FetchVal(context.Background(),
						"SELECT COUNT(*) FROM stop_ledger WHERE worker = :w AND seq = :s", core.Params{"w": w, "s": seq})
					if cerr != nil {
						t.Errorf("worker %d: resolving %v: %v", w, err, cerr)
						return
					}
					if n == int64(0) {
						continue // not committed: run it again
					}
					err = nil
				}
				if err != nil {
					t.Errorf("worker %d, increment %d: %v", w, seq, err)
					return
				}
				done.Add(1)
				seq++
				time.Sleep(20 * time.Millisecond) // so that the run outlasts the node's shutdown
			}
		})
	}
	wg.Wait()
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	t.Logf("node 3 stopped after %d increments, gone after %d; %d increments in %d attempts; %d COMMITs of unknown outcome resolved; "+
		"error 1213 at COMMIT %d times, on a statement %d times; %d statements failed otherwise (the node going away)",
		atStop, afterStop, done.Load(), attempts.Load(), unknown.Load(), seen.commit.Load(), seen.statement.Load(), seen.other.Load())
	if afterStop >= workers*increments {
		t.Errorf("the node was gone only after the run: the test proves nothing")
	}
	if got := gval(t, checker, "SELECT n FROM stop_counter WHERE id = 1"); got != workers*increments {
		t.Errorf("counter %d, want %d", got, workers*increments)
	}
	if got := gval(t, checker, "SELECT COUNT(*) FROM stop_ledger"); got != workers*increments {
		t.Errorf("ledger %d rows, want %d", got, workers*increments)
	}
}

package topology

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/migrate"
	"github.com/atomdb/atomdb/tests/harness"
)

// migrate's default lock on MySQL, GET_LOCK, holds on one Galera node
// only, so on a cluster up refuses it and names WithLeaseLock, whose lease
// is a row (with a primary key) replicated like any other.
func testMigrate(t *testing.T, c *harness.GaleraCluster) {
	ctx := context.Background()
	md := core.NewMetaData()
	if err := md.Add(core.NewTable("migrated",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "name", Type: core.String(50)},
	)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := migrate.Make(md, dir, "init", migrate.MakeOptions{}); err != nil {
		t.Fatal(err)
	}
	db := gopen(t, c.Nodes[0].URL)
	m, err := migrate.New(db, os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(ctx, 0); !errors.Is(err, migrate.ErrLocked) {
		t.Fatalf("up with GET_LOCK on Galera: %v; want ErrLocked naming WithLeaseLock", err)
	}
	m, err = migrate.New(db, os.DirFS(dir), migrate.WithLeaseLock(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if applied, err := m.Up(ctx, 0); err != nil || len(applied) != 1 {
		t.Fatalf("up with a lease on Galera: %v, %v", applied, err)
	}
	other := gopen(t, c.Nodes[1].URL+"?wsrep_sync_wait=1")
	if n := gval(t, other, "SELECT COUNT(*) FROM atomdb_migrations"); n != 1 {
		t.Errorf("node 2 sees %d applied migrations", n)
	}
}

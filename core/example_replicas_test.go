package core_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/atomdb/atomdb/core"
)

// A Database with a read replica: here the replica is the same SQLite file
// opened a second time, and the query hook shows which pool ran each
// statement (0: the primary, 1: the first replica).
func ExampleWithReplicas() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "atomdb-example")
	defer os.RemoveAll(dir)
	file := "sqlite:///" + filepath.Join(dir, "shop.db")
	db, err := core.Open(ctx, file, core.WithReplicas(file),
		core.WithQueryHook(func(_ context.Context, e core.QueryEvent) {
			fmt.Printf("pool %d: %s\n", e.Replica, e.SQL)
		}))
	if err != nil {
		panic(err)
	}
	defer db.Close()

	_, _ = db.Execute(ctx, "CREATE TABLE items (n INTEGER)")
	_, _ = db.FetchVal(ctx, "SELECT COUNT(*) FROM items")                  // a read: the replica
	_, _ = db.FetchVal(core.UsePrimary(ctx), "SELECT COUNT(*) FROM items") // forced to the primary

	session := core.WithSession(ctx)
	_, _ = db.Execute(session, "INSERT INTO items (n) VALUES (1)")
	_, _ = db.FetchVal(session, "SELECT n FROM items") // read-your-writes: the primary
	fmt.Println("healthy replica:", db.Stats().Replicas[0].Healthy)
	// Output:
	// pool 0: CREATE TABLE items (n INTEGER)
	// pool 1: SELECT COUNT(*) FROM items
	// pool 0: SELECT COUNT(*) FROM items
	// pool 0: INSERT INTO items (n) VALUES (1)
	// pool 0: SELECT n FROM items
	// healthy replica: true
}

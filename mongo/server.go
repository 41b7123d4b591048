package mongo

import (
	"context"
	"runtime"
	"sync"
	"weak"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// servers remembers, per client, whether its server is FerretDB, whose v1
// answers some commands wrongly rather than with an error (a $group
// computes only its first accumulator): those are refused there.
var servers sync.Map // weak.Pointer[mongodriver.Client] -> bool

// isFerretDB asks the server once per client (buildInfo names FerretDB's
// version).
func isFerretDB(ctx context.Context, client *mongodriver.Client) (bool, error) {
	key := weak.Make(client)
	if v, ok := servers.Load(key); ok {
		return v.(bool), nil
	}
	raw, err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Raw()
	if err != nil {
		return false, err
	}
	_, err = raw.LookupErr("ferretdbVersion")
	ferret := err == nil
	if _, loaded := servers.LoadOrStore(key, ferret); !loaded {
		runtime.AddCleanup(client, func(k weak.Pointer[mongodriver.Client]) { servers.Delete(k) }, key)
	}
	return ferret, nil
}

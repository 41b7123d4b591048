package mongo

import (
	"context"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// txState is what a Transaction knows of its function's writes: how to undo
// the state the objects took on (loaded, snapshot, generated _id, version)
// when the transaction does not commit.
type txState struct {
	mu     sync.Mutex
	undo   []func()
	failed error // the error of a nested Transaction's function
}

type txKey struct{}

func txOf(ctx context.Context) *txState {
	tx, _ := ctx.Value(txKey{}).(*txState)
	return tx
}

// onAbort records how to undo one object's state.
func (tx *txState) onAbort(f func()) {
	if tx == nil {
		return
	}
	tx.mu.Lock()
	tx.undo = append(tx.undo, f)
	tx.mu.Unlock()
}

// abort undoes the objects' states, last write first.
func (tx *txState) abort() {
	tx.mu.Lock()
	undo := tx.undo
	tx.undo = nil
	tx.mu.Unlock()
	for i := len(undo) - 1; i >= 0; i-- {
		undo[i]()
	}
}

// Transaction runs fn in a MongoDB transaction on a session of client: every
// call made with the context fn receives (or one derived from it) is part
// of it, and the transaction commits when fn returns nil and aborts when it
// returns an error (which Transaction returns). The driver's
// WithTransaction runs it, so fn may run again when the server reports a
// transient error: keep it free of other side effects.
//
// The context also carries a scope (see WithScope) for fn's objects, dropped
// when Transaction returns. When the transaction does not commit, the
// objects fn saved or deleted get back the state they had (loaded or not,
// what Save compares with, a generated _id or version), so none claims to
// hold a document that is not there. Their fields keep fn's values.
//
// A Transaction inside fn joins the outer one (MongoDB has no savepoints):
// an error from the inner fn aborts the whole transaction, even when the
// outer fn goes on and returns nil.
//
// Transactions need a replica set or a sharded cluster. On a server without
// them (a standalone mongod, FerretDB v1) Transaction returns an error
// wrapping ErrUnsupported and does not call fn.
func Transaction(ctx context.Context, client *mongodriver.Client, fn func(ctx context.Context) error) error {
	if client == nil {
		return newError("", "", ErrNoDatabase, "mongo.Transaction was given a nil *mongo.Client", nil)
	}
	if outer := txOf(ctx); outer != nil && mongodriver.SessionFromContext(ctx) != nil {
		err := fn(ctx)
		if err != nil {
			outer.mu.Lock()
			if outer.failed == nil {
				outer.failed = err
			}
			outer.mu.Unlock()
		}
		return err
	}
	if err := checkTransactions(ctx, client); err != nil {
		return err
	}
	sess, err := client.StartSession()
	if err != nil {
		return newError("", "", ErrUnsupported, "starting a session", err)
	}
	defer sess.EndSession(context.WithoutCancel(ctx))
	var last *txState
	_, err = sess.WithTransaction(ctx, func(sctx context.Context) (any, error) {
		if last != nil {
			last.abort() // a retry: the previous attempt did not commit
		}
		tx := &txState{}
		last = tx
		err := fn(context.WithValue(WithScope(sctx), txKey{}, tx))
		if err == nil {
			tx.mu.Lock()
			err = tx.failed
			tx.mu.Unlock()
		}
		return nil, err
	})
	if err != nil && last != nil {
		last.abort()
	}
	return err
}

// checkTransactions asks the server whether it is a replica set member or a
// mongos: the servers with transactions.
func checkTransactions(ctx context.Context, client *mongodriver.Client) error {
	raw, err := client.Database("admin").RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Raw()
	if err != nil {
		return newError("", "", ErrUnsupported, "asking the server whether it has transactions", err)
	}
	if _, err := raw.LookupErr("setName"); err == nil {
		return nil
	}
	if msg, ok := raw.Lookup("msg").StringValueOK(); ok && msg == "isdbgrid" {
		return nil
	}
	return newError("", "", ErrUnsupported, "transactions need a replica set or a sharded cluster; this server is neither (a standalone mongod or FerretDB v1)", nil)
}

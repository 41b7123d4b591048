package core_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/atomdb/atomdb/core"
)

// exampleLogger writes text lines without the time and duration, so that
// the examples' output is the same every run.
func exampleLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))
}

func ExampleWithLogger() {
	ctx := context.Background()
	db, err := core.Open(ctx, "sqlite://:memory:", core.WithLogger(exampleLogger()))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	_, _ = db.Execute(ctx, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE)")
	_ = db.Transaction(ctx, func(ctx context.Context) error {
		_, err := db.Execute(ctx, "INSERT INTO users(email) VALUES (:email)", core.Params{"email": "ann@example.com"})
		return err
	})
	// The value is bound, never logged; nor is the driver's message that
	// could quote it.
	_, _ = db.Execute(ctx, "INSERT INTO users(email) VALUES (:email)", core.Params{"email": "ann@example.com"})
	// Output:
	// level=DEBUG msg=statement sql="CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE)" kind=exec rows_affected=0
	// level=DEBUG msg=statement sql=BEGIN kind=begin
	// level=DEBUG msg=statement sql="INSERT INTO users(email) VALUES (?)" kind=exec rows_affected=1
	// level=DEBUG msg=statement sql=COMMIT kind=commit
	// level=ERROR msg="statement failed" sql="INSERT INTO users(email) VALUES (?)" kind=exec rows_affected=0 err="core: unique violation [driver message withheld: it may quote bound values]"
}

func ExampleWithLogger_values() {
	ctx := context.Background()
	db, err := core.Open(ctx, "sqlite://:memory:", core.WithLogger(exampleLogger(), core.LogLevel(slog.LevelInfo), core.LogValues()))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	_, _ = db.FetchVal(ctx, "SELECT :a + :b", core.Params{"a": 2, "b": 3})
	// Output:
	// level=INFO msg=statement sql="SELECT ? + ?" kind=query rows=1 args="[2 3]"
}

// tracePrinter is a QueryHook that shows the order of its calls.
type tracePrinter struct{}

func (tracePrinter) BeforeQuery(ctx context.Context, e *core.QueryEvent) context.Context {
	fmt.Println("before", e.Kind, e.SQL)
	return ctx
}

func (tracePrinter) AfterQuery(_ context.Context, e *core.QueryEvent) {
	fmt.Println("after ", e.Kind, e.Operation, "err:", e.Err)
}

func ExampleWithHooks() {
	ctx := context.Background()
	db, err := core.Open(ctx, "sqlite://:memory:", core.WithHooks(tracePrinter{}))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	_ = db.Transaction(ctx, func(ctx context.Context) error {
		_, err := db.FetchVal(ctx, "SELECT 1")
		return err
	})
	// Output:
	// before begin BEGIN
	// after  begin BEGIN err: <nil>
	// before query SELECT 1
	// after  query SELECT err: <nil>
	// before commit COMMIT
	// after  commit COMMIT err: <nil>
}

package tests

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// spanTree is the recorded spans of a test, by span ID.
type spanTree struct {
	spans []sdktrace.ReadOnlySpan
	byID  map[trace.SpanID]sdktrace.ReadOnlySpan
}

func newSpanTree(spans []sdktrace.ReadOnlySpan) spanTree {
	tr := spanTree{spans: spans, byID: map[trace.SpanID]sdktrace.ReadOnlySpan{}}
	for _, s := range spans {
		tr.byID[s.SpanContext().SpanID()] = s
	}
	return tr
}

// path names a span by its ancestors: root/transaction/INSERT.
func (tr spanTree) path(s sdktrace.ReadOnlySpan) string {
	p := s.Name()
	for s.Parent().IsValid() {
		parent, ok := tr.byID[s.Parent().SpanID()]
		if !ok {
			return "?/" + p
		}
		s = parent
		p = s.Name() + "/" + p
	}
	return p
}

func attrOf(s sdktrace.ReadOnlySpan, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// spanText is everything a span records, for the search for a value.
func spanText(s sdktrace.ReadOnlySpan) string {
	var b strings.Builder
	fmt.Fprintln(&b, s.Name(), s.Status().Description)
	for _, kv := range s.Attributes() {
		fmt.Fprintln(&b, kv.Key, kv.Value.String())
	}
	for _, ev := range s.Events() {
		fmt.Fprintln(&b, ev.Name)
		for _, kv := range ev.Attributes {
			fmt.Fprintln(&b, kv.Key, kv.Value.String())
		}
	}
	return b.String()
}

// One span per statement and per transaction and savepoint, nested as the
// work is, with the database conventions' attributes, the statement's
// placeholders but never its values, and errors recorded.
func TestTracingSpans(t *testing.T) {
	for _, name := range harness.SQLBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			db := harness.Open(t, name, core.WithTracerProvider(tp))
			createSecrets(t, db)
			ctx, root := tp.Tracer("test").Start(context.Background(), "root")
			workload(t, ctx, db)
			root.End()
			var spans []sdktrace.ReadOnlySpan
			for _, s := range rec.Ended() {
				if s.SpanContext().TraceID() == root.SpanContext().TraceID() {
					spans = append(spans, s)
				}
			}
			if len(rec.Started()) != len(rec.Ended()) {
				t.Errorf("%d spans started, %d ended", len(rec.Started()), len(rec.Ended()))
			}
			tr := newSpanTree(spans)
			var got []string
			for _, s := range spans {
				p := tr.path(s)
				if s.Status().Code == codes.Error {
					p += " (error)"
				}
				got = append(got, p)
				if strings.Contains(spanText(s), secret) {
					t.Errorf("span %s holds the bound value:\n%s", p, spanText(s))
				}
			}
			// Spans end in this order: a statement before its transaction.
			want := []string{
				"root/INSERT", "root/SELECT",
				"root/transaction/BEGIN", "root/transaction/INSERT",
				"root/transaction/savepoint/SAVEPOINT", "root/transaction/savepoint/INSERT (error)",
				"root/transaction/savepoint/ROLLBACK", "root/transaction/savepoint/RELEASE", "root/transaction/savepoint",
				"root/transaction/COMMIT", "root/transaction",
				"root/transaction/BEGIN", "root/transaction/ROLLBACK", "root/transaction",
				"root/INSERT (error)", "root",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("spans:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}

			system := map[string]string{harness.SQLite: "sqlite", harness.Postgres: "postgresql", harness.MySQL: "mysql"}[name]
			u := db.URL()
			for _, s := range spans[:len(spans)-1] {
				if v, _ := attrOf(s, "db.system.name"); v.AsString() != system {
					t.Errorf("%s: db.system.name = %q, want %q", s.Name(), v.AsString(), system)
				}
				if s.SpanKind() != trace.SpanKindClient {
					t.Errorf("%s: kind %v", s.Name(), s.SpanKind())
				}
				addr, _ := attrOf(s, "server.address")
				port, _ := attrOf(s, "server.port")
				if name != harness.SQLite && (addr.AsString() != u.Host || port.AsInt64() == 0) {
					t.Errorf("%s: server.address %q port %d, want %q", s.Name(), addr.AsString(), port.AsInt64(), u.Host)
				}
			}
			ins, sel := spans[0], spans[1]
			text, _ := attrOf(ins, "db.query.text")
			d := db.Dialect()
			if wantSQL := "INSERT INTO secrets(id, v) VALUES (" + d.Placeholder(1) + ", " + d.Placeholder(2) + ")"; text.AsString() != wantSQL {
				t.Errorf("db.query.text = %q, want %q", text.AsString(), wantSQL)
			}
			if op, _ := attrOf(ins, "db.operation.name"); op.AsString() != "INSERT" {
				t.Errorf("db.operation.name = %q", op.AsString())
			}
			if n, ok := attrOf(sel, "db.response.returned_rows"); !ok || n.AsInt64() != 1 {
				t.Errorf("SELECT: db.response.returned_rows = %v", n.String())
			}
			failed := spans[len(spans)-2]
			et, _ := attrOf(failed, "error.type")
			wantType := map[string]string{harness.Postgres: "23505"}[name]
			if wantType == "" {
				wantType = "unique violation"
			}
			if et.AsString() != wantType || !strings.Contains(failed.Status().Description, "unique violation") || len(failed.Events()) != 1 {
				t.Errorf("failed INSERT: error.type %q, status %q, %d events", et.AsString(), failed.Status().Description, len(failed.Events()))
			}
			for i, outcome := range map[int]string{10: "commit", 13: "rollback", 8: "rollback"} {
				if v, _ := attrOf(spans[i], "atomdb.transaction.outcome"); v.AsString() != outcome {
					t.Errorf("%s: outcome %q, want %q", tr.path(spans[i]), v.AsString(), outcome)
				}
			}
		})
	}
}

// A transaction that cannot begin still ends its span, with the error.
func TestTracingFailedBegin(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	db := harness.Open(t, harness.SQLite, core.WithTracerProvider(tp))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.Transaction(ctx, func(context.Context) error { return nil }); err == nil {
		t.Fatal("Transaction with a cancelled context began")
	}
	ended := rec.Ended()
	if len(rec.Started()) != 2 || len(ended) != 2 {
		t.Fatalf("%d spans started, %d ended, want 2 and 2", len(rec.Started()), len(ended))
	}
	for _, s := range ended {
		if s.Status().Code != codes.Error {
			t.Errorf("%s: status %v", s.Name(), s.Status())
		}
		if v, _ := attrOf(s, "error.type"); v.AsString() != "context canceled" {
			t.Errorf("%s: error.type %q", s.Name(), v.AsString())
		}
	}
}

// A read served by a replica is traced with the replica's address: the
// replica here is the same PostgreSQL server spelled "localhost" where the
// primary's URL says 127.0.0.1 (or the other way round).
func TestTracingReplicaAddress(t *testing.T) {
	primary := harness.FreshURL(t, harness.Postgres)
	var replica string
	switch {
	case strings.Contains(primary, "@127.0.0.1:"):
		replica = strings.Replace(primary, "@127.0.0.1:", "@localhost:", 1)
	case strings.Contains(primary, "@localhost:"):
		replica = strings.Replace(primary, "@localhost:", "@127.0.0.1:", 1)
	default:
		t.Skipf("the PostgreSQL URL names neither 127.0.0.1 nor localhost: %s", primary)
	}
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	ctx := context.Background()
	db, err := core.Open(ctx, primary, core.WithReplicas(replica), core.WithTracerProvider(tp))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.FetchVal(ctx, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FetchVal(core.UsePrimary(ctx), "SELECT 2"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range rec.Ended() {
		if v, _ := attrOf(s, "db.query.text"); strings.HasPrefix(v.AsString(), "SELECT ") {
			addr, _ := attrOf(s, "server.address")
			got = append(got, v.AsString()+" on "+addr.AsString())
		}
	}
	rhost, phost := "localhost", "127.0.0.1"
	if strings.Contains(primary, "@localhost:") {
		rhost, phost = phost, rhost
	}
	want := []string{"SELECT 1 on " + rhost, "SELECT 2 on " + phost}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("statement spans: %q, want %q", got, want)
	}
}

package core

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// tracerName is the instrumentation scope of atomdb's spans.
const tracerName = "github.com/atomdb/atomdb/core"

// WithTracerProvider traces the Database with OpenTelemetry: a span per
// statement and one per transaction and savepoint, the spans of its
// statements (BEGIN, COMMIT, ROLLBACK and SAVEPOINT included) as children.
// Tracing is off unless this option is given; pass otel.GetTracerProvider()
// to use the global provider. atomdb links only OpenTelemetry's API: the
// program chooses and configures the SDK.
//
// Spans follow OpenTelemetry's database conventions (semconv v1.43.0):
// db.system.name (postgresql, mysql, sqlite: MariaDB reports mysql, as its
// URL does), db.namespace (the database name), server.address and
// server.port, db.operation.name (the statement's first keyword),
// db.query.text (the SQL with its placeholders: bound values are never
// recorded) and db.response.returned_rows for queries. A failed statement
// sets the span's status to Error, error.type and, on PostgreSQL,
// db.response.status_code (the SQLSTATE); the error's text is recorded as
// WithLogger writes it, without the driver's message for a statement with
// bound values. A transaction's span ends when the transaction does, with
// atomdb.transaction.outcome set to commit or rollback.
func WithTracerProvider(tp trace.TracerProvider) Option {
	if tp == nil {
		return func(*options) {}
	}
	return func(o *options) {
		o.hooks = append(o.hooks, func(u *URL) QueryHook { return newTraceHook(tp, u) })
	}
}

type traceHook struct {
	tracer trace.Tracer
	attrs  []attribute.KeyValue // the database's, on every span
}

func newTraceHook(tp trace.TracerProvider, u *URL) *traceHook {
	h := &traceHook{tracer: tp.Tracer(tracerName, trace.WithSchemaURL(semconv.SchemaURL))}
	h.attrs = append(h.attrs, serverAttrs(u)...)
	return h
}

// serverAttrs describes the database at u by the conventions' names.
func serverAttrs(u *URL) []attribute.KeyValue {
	switch u.Scheme {
	case "sqlite":
		return []attribute.KeyValue{semconv.DBSystemNameSQLite}
	case "postgres":
		return serverAddress(u, semconv.DBSystemNamePostgreSQL, 5432)
	default:
		return serverAddress(u, semconv.DBSystemNameMySQL, 3306)
	}
}

func serverAddress(u *URL, system attribute.KeyValue, defaultPort int) []attribute.KeyValue {
	attrs := []attribute.KeyValue{system}
	if u.Database != "" {
		attrs = append(attrs, semconv.DBNamespace(u.Database))
	}
	if sock := u.Options.Get("unix_socket"); sock != "" {
		return append(attrs, semconv.ServerAddress(sock))
	}
	if u.Host != "" {
		attrs = append(attrs, semconv.ServerAddress(u.Host))
	}
	port := u.Port
	if port == 0 {
		port = defaultPort
	}
	return append(attrs, semconv.ServerPort(port))
}

// stmtSpanKey holds, in the context BeforeQuery returns, the statement's
// span. For a BEGIN that context's current span is the transaction's, which
// the statements inside it descend from, so the key is what finds the BEGIN
// statement's own span.
type stmtSpanKey struct{}

// txTraceKey is the Tx attachment holding a transaction's *txTrace.
type txTraceKey struct{}

type txTrace struct {
	span trace.Span
	err  error // a failed COMMIT or ROLLBACK
}

func (h *traceHook) BeforeQuery(ctx context.Context, e *QueryEvent) context.Context {
	if e.Kind == BeginStatement && e.Tx != nil {
		name := "transaction"
		if e.Tx.savepoint != "" {
			name = "savepoint"
		}
		var span trace.Span
		ctx, span = h.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(h.attrs...))
		tt := &txTrace{span: span}
		e.Tx.Attachment(txTraceKey{}, func() any { return tt })
		e.Tx.OnEnd(tt.end)
	}
	name := e.Operation
	if name == "" {
		name = h.attrs[0].Value.AsString()
	}
	attrs := make([]attribute.KeyValue, 0, len(h.attrs)+2)
	attrs = append(attrs, h.attrs...)
	if e.Operation != "" {
		attrs = append(attrs, semconv.DBOperationName(e.Operation))
	}
	attrs = append(attrs, semconv.DBQueryText(e.SQL))
	sctx, span := h.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	if e.Kind != BeginStatement {
		ctx = sctx
	}
	return context.WithValue(ctx, stmtSpanKey{}, span)
}

func (h *traceHook) AfterQuery(ctx context.Context, e *QueryEvent) {
	span, ok := ctx.Value(stmtSpanKey{}).(trace.Span)
	if !ok {
		return
	}
	if e.Kind == QueryStatement {
		span.SetAttributes(semconv.DBResponseReturnedRows(int(e.RowsReturned)))
	}
	if e.Err != nil {
		recordError(span, e)
		switch {
		case e.Kind == BeginStatement:
			// The transaction never began: nothing will end its span.
			if tt, ok := e.Tx.Attachment(txTraceKey{}, nilAttachment).(*txTrace); ok {
				tt.err = e.Err
				recordError(tt.span, e)
				tt.span.End()
			}
		case e.Kind > BeginStatement:
			if tt, ok := e.Tx.Attachment(txTraceKey{}, nilAttachment).(*txTrace); ok && tt.err == nil {
				tt.err = e.Err
				recordError(tt.span, e)
			}
		}
	}
	span.End()
}

func nilAttachment() any { return nil }

// end ends the transaction's span; Tx.OnEnd calls it.
func (tt *txTrace) end(committed bool) {
	outcome := "rollback"
	if committed {
		outcome = "commit"
	}
	tt.span.SetAttributes(attribute.String("atomdb.transaction.outcome", outcome))
	tt.span.End()
}

// recordError marks span as failed by e's error, with the text WithLogger
// would log without LogValues.
func recordError(span trace.Span, e *QueryEvent) {
	text := errorText(e, false)
	typ := errorType(e.Err)
	attrs := []attribute.KeyValue{semconv.ErrorTypeKey.String(typ)}
	if code := sqlState(e.Err); code != "" {
		attrs = append(attrs, semconv.DBResponseStatusCode(code))
	}
	span.SetAttributes(attrs...)
	span.AddEvent(semconv.ExceptionEventName, trace.WithAttributes(semconv.ExceptionType(typ), semconv.ExceptionMessage(text)))
	span.SetStatus(codes.Error, text)
}

// errorType names an error for error.type: the SQLSTATE where the driver
// reports one, else the kind of a classified database error, else the
// context's error, else "_OTHER".
func errorType(err error) string {
	if code := sqlState(err); code != "" {
		return code
	}
	var ce *Error
	switch {
	case errors.As(err, &ce) && ce.Kind != nil:
		return ce.Kind.Error()
	case errors.Is(err, context.Canceled):
		return "context canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "context deadline exceeded"
	}
	return semconv.ErrorTypeOther.Value.AsString()
}

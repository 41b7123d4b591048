package core

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// LogOption configures WithLogger.
type LogOption func(*logHook)

// LogLevel sets the level statements are logged at (slog.LevelDebug by
// default). Slow statements are logged at slog.LevelWarn and failed ones
// at slog.LevelError, or at this level when it is higher.
func LogLevel(level slog.Level) LogOption { return func(h *logHook) { h.level = level } }

// LogSlowThreshold logs statements that take d or longer at slog.LevelWarn
// (or at LogLevel's level when it is higher), with the message "slow
// statement", so that a handler at Info shows only those and the failed
// ones. 0, the default, turns it off.
func LogSlowThreshold(d time.Duration) LogOption { return func(h *logHook) { h.slow = d } }

// LogValues adds each statement's bound values to its line (the "args"
// attribute), and the driver's message to the error of a statement that has
// any. Both may hold secrets or personal data: it is meant for development.
func LogValues() LogOption { return func(h *logHook) { h.values = true } }

// WithLogger logs every statement the Database sends, transaction control
// included, to l once it has finished: its SQL with placeholders (never the
// bound values, unless LogValues), kind, duration, rows returned (queries)
// or affected (other statements), and error. Lines carry the statement's
// context, so a handler can add a trace ID from it.
//
// By default a statement is logged at slog.LevelDebug; see LogLevel and
// LogSlowThreshold. A failed statement is logged at slog.LevelError with
// the message "statement failed". A driver's error message can quote the
// values that caused it (MySQL's duplicate-entry error does), so for a
// statement with bound values the line gives the error's kind and SQLSTATE
// instead, unless LogValues.
func WithLogger(l *slog.Logger, opts ...LogOption) Option {
	if l == nil {
		return func(*options) {}
	}
	h := &logHook{l: l, level: slog.LevelDebug}
	for _, opt := range opts {
		opt(h)
	}
	return WithHooks(h)
}

type logHook struct {
	l      *slog.Logger
	level  slog.Level
	slow   time.Duration
	values bool
}

func (h *logHook) BeforeQuery(ctx context.Context, _ *QueryEvent) context.Context { return ctx }

func (h *logHook) AfterQuery(ctx context.Context, e *QueryEvent) {
	level, msg := h.level, "statement"
	switch {
	case e.Err != nil:
		level, msg = max(level, slog.LevelError), "statement failed"
	case h.slow > 0 && e.Duration >= h.slow:
		level, msg = max(level, slog.LevelWarn), "slow statement"
	}
	if !h.l.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 6)
	attrs = append(attrs, slog.String("sql", e.SQL), slog.String("kind", e.Kind.String()), slog.Duration("duration", e.Duration))
	switch e.Kind {
	case QueryStatement:
		attrs = append(attrs, slog.Int64("rows", e.RowsReturned))
	case ExecStatement:
		attrs = append(attrs, slog.Int64("rows_affected", e.RowsAffected))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("err", errorText(e, h.values)))
	}
	if h.values && len(e.Args) > 0 {
		attrs = append(attrs, slog.Any("args", e.Args))
	}
	h.l.LogAttrs(ctx, level, msg, attrs...)
}

// errorText is the text of e's error for a log line or a span: the whole
// error when the statement has no bound values (or values are wanted);
// otherwise, for a driver's error, only its kind and SQLSTATE, since
// database messages can quote the values that caused them.
func errorText(e *QueryEvent, values bool) string {
	var ce *Error
	if values || len(e.Args) == 0 || !errors.As(e.Err, &ce) {
		return e.Err.Error()
	}
	text := "core: database error"
	if ce.Kind != nil {
		text = "core: " + ce.Kind.Error()
	}
	if code := sqlState(ce.Err); code != "" {
		text += " (SQLSTATE " + code + ")"
	}
	return text + " [driver message withheld: it may quote bound values]"
}

// sqlState returns the SQLSTATE of a driver error that reports one through
// a SQLState method (pgx's *pgconn.PgError), or "".
func sqlState(err error) string {
	var s interface{ SQLState() string }
	if errors.As(err, &s) {
		return s.SQLState()
	}
	return ""
}

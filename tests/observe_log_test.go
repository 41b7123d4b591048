package tests

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/tests/harness"
)

// logBuffer collects JSON log lines from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the log lines decoded, and their raw text.
func (b *logBuffer) lines(t *testing.T) ([]map[string]any, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out, b.buf.String()
}

// openLogged opens a fresh database on backend with a logger at handler
// level lvl and the given options, the secrets table created before the
// logger sees anything.
func openLogged(t *testing.T, backend string, lvl slog.Level, opts ...core.LogOption) (*core.Database, *logBuffer) {
	t.Helper()
	plain := harness.Open(t, backend)
	createSecrets(t, plain)
	buf := &logBuffer{}
	l := slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: lvl}))
	db, err := core.OpenURL(context.Background(), plain.URL(), core.WithLogger(l, opts...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, buf
}

// Every statement is logged once, transaction control included, with its
// SQL, kind, duration and rows; a failed one at Error with the error's kind;
// never a bound value, not even through a driver's message that quotes it.
func TestLoggerWithoutValues(t *testing.T) {
	for _, name := range harness.SQLBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db, buf := openLogged(t, name, slog.LevelDebug)
			workload(t, context.Background(), db)
			lines, raw := buf.lines(t)
			if strings.Contains(raw, secret) {
				t.Errorf("the log holds the bound value:\n%s", raw)
			}
			var got []string
			for _, l := range lines {
				got = append(got, l["level"].(string)+" "+l["kind"].(string)+" "+l["sql"].(string)[:min(len(l["sql"].(string)), 6)])
				if _, ok := l["duration"]; !ok || l["args"] != nil {
					t.Errorf("line %v: no duration, or args", l)
				}
			}
			want := "DEBUG exec INSERT|DEBUG query SELECT|DEBUG begin BEGIN|DEBUG exec INSERT|DEBUG begin SAVEPO|" +
				"ERROR exec INSERT|DEBUG rollback ROLLBA|DEBUG rollback RELEAS|DEBUG commit COMMIT|" +
				"DEBUG begin BEGIN|DEBUG rollback ROLLBA|ERROR exec INSERT"
			if strings.Join(got, "|") != want {
				t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "|"), want)
			}
			if lines[0]["rows_affected"] != 1.0 || lines[1]["rows"] != 1.0 || lines[0]["msg"] != "statement" {
				t.Errorf("insert line %v, select line %v", lines[0], lines[1])
			}
			failed := lines[len(lines)-1]
			errText, _ := failed["err"].(string)
			if failed["msg"] != "statement failed" || !strings.Contains(errText, "unique violation") || !strings.Contains(errText, "withheld") {
				t.Errorf("failed statement: %v", failed)
			}
		})
	}
}

// LogValues adds the bound values, and the driver's message, to the lines.
func TestLoggerWithValues(t *testing.T) {
	for _, name := range harness.SQLBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db, buf := openLogged(t, name, slog.LevelDebug, core.LogValues())
			workload(t, context.Background(), db)
			lines, _ := buf.lines(t)
			args, _ := json.Marshal(lines[0]["args"])
			if !strings.Contains(string(args), secret) {
				t.Errorf("first line's args %s lack the value", args)
			}
			failed := lines[len(lines)-1]
			if errText, _ := failed["err"].(string); strings.Contains(errText, "withheld") || !strings.Contains(errText, "unique violation") {
				t.Errorf("failed statement with values: %v", failed)
			}
			if name == harness.MySQL { // MariaDB quotes the duplicate value
				if errText, _ := failed["err"].(string); !strings.Contains(errText, secret) {
					t.Errorf("MySQL's message should quote the value here: %q", errText)
				}
			}
		})
	}
}

// The level is chosen; slow statements go up to Warn, failed ones to Error;
// a handler at Info shows only those by default.
func TestLoggerLevels(t *testing.T) {
	ctx := context.Background()
	count := func(buf *logBuffer, level, msg string) int {
		lines, _ := buf.lines(t)
		n := 0
		for _, l := range lines {
			if l["level"] == level && l["msg"] == msg {
				n++
			}
		}
		return n
	}
	// Default level Debug under an Info handler: only the failed statements.
	db, buf := openLogged(t, harness.SQLite, slog.LevelInfo)
	workload(t, ctx, db)
	if lines, raw := buf.lines(t); len(lines) != 2 || count(buf, "ERROR", "statement failed") != 2 {
		t.Errorf("Info handler, default level:\n%s", raw)
	}
	// LogLevel(Info): all 12 statements.
	db, buf = openLogged(t, harness.SQLite, slog.LevelInfo, core.LogLevel(slog.LevelInfo))
	workload(t, ctx, db)
	if n := count(buf, "INFO", "statement"); n != 10 || count(buf, "ERROR", "statement failed") != 2 {
		t.Errorf("LogLevel(Info): %d Info lines, want 10", n)
	}
	// A threshold every statement passes: Warn for all but the failed.
	db, buf = openLogged(t, harness.SQLite, slog.LevelInfo, core.LogSlowThreshold(time.Nanosecond))
	workload(t, ctx, db)
	if n := count(buf, "WARN", "slow statement"); n != 10 {
		t.Errorf("LogSlowThreshold(1ns): %d slow lines, want 10", n)
	}
	// One none passes: nothing at Info.
	db, buf = openLogged(t, harness.SQLite, slog.LevelInfo, core.LogSlowThreshold(time.Hour))
	workload(t, ctx, db)
	if n := count(buf, "WARN", "slow statement"); n != 0 {
		t.Errorf("LogSlowThreshold(1h): %d slow lines", n)
	}
}

package migrate_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/migrate"
	"github.com/atomdb/atomdb/tests/harness"
)

func counterMeta(t *testing.T) *core.MetaData {
	return mustMeta(t, core.NewTable("counter",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "note", Type: core.String(20)},
	))
}

// appendSQL adds a statement to the up file of every dialect of version
// and rewrites the sum.
func appendSQL(t *testing.T, dir, version string, sql map[string]string) {
	t.Helper()
	for dk, s := range sql {
		files, _ := filepath.Glob(filepath.Join(dir, version+"_*."+dk+".up.sql"))
		if len(files) != 1 {
			t.Fatalf("no %s up file for %s", dk, version)
		}
		b, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(files[0], append(b, []byte(s+";\n")...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := migrate.Hash(dir); err != nil {
		t.Fatal(err)
	}
}

// An applied file edited afterwards is refused, and so is a directory
// whose sum does not match its files.
func TestEditedFileRefused(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		dir := t.TempDir()
		if _, err := migrate.Make(counterMeta(t), dir, "init", migrate.MakeOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := load(t, db, dir).Up(ctx, 0); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "0001_init.*.up.sql"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			os.WriteFile(f, append(b, "-- edited\n"...), 0o644)
		}
		// Without a new sum the directory is refused as it is loaded.
		if _, err := migrate.New(db, os.DirFS(dir)); !errors.Is(err, migrate.ErrChecksum) {
			t.Fatalf("load with a stale sum: %v", err)
		}
		if err := migrate.Hash(dir); err != nil {
			t.Fatal(err)
		}
		m := load(t, db, dir)
		if _, err := m.Up(ctx, 0); !errors.Is(err, migrate.ErrChecksum) || !strings.Contains(err.Error(), "0001_init") {
			t.Fatalf("up after editing an applied file: %v", err)
		}
		if _, err := m.Status(ctx); !errors.Is(err, migrate.ErrChecksum) {
			t.Fatalf("status after editing an applied file: %v", err)
		}
		// Line endings do not count.
		for _, f := range files {
			b, _ := os.ReadFile(f)
			s := strings.TrimSuffix(string(b), "-- edited\n")
			os.WriteFile(f, []byte(strings.ReplaceAll(s, "\n", "\r\n")), 0o644)
		}
		if err := migrate.Hash(dir); err != nil {
			t.Fatal(err)
		}
		if _, err := load(t, db, dir).Status(ctx); err != nil {
			t.Fatalf("status after CRLF line endings: %v", err)
		}
	})
}

// Up refuses to run while another session holds the migration lock.
func TestLockHeldRefused(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		if db.Dialect() == core.SQLite {
			t.Skip("SQLite locks each migration with BEGIN IMMEDIATE; TestTwoProcesses covers it")
		}
		dir := t.TempDir()
		if _, err := migrate.Make(counterMeta(t), dir, "init", migrate.MakeOptions{}); err != nil {
			t.Fatal(err)
		}
		other, err := core.OpenURL(ctx, db.URL())
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		name, err := load(t, db, dir).LockName(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held := make(chan struct{})
		release := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- other.Conn(ctx, func(ctx context.Context) error {
				if db.Dialect() == core.Postgres {
					sum := sha256.Sum256([]byte(name))
					key := int64(binary.BigEndian.Uint64(sum[:8]))
					if _, err := other.Execute(ctx, core.Stmt{SQL: "SELECT 1 FROM (SELECT pg_advisory_lock($1)) x", Args: []any{key}}); err != nil {
						return err
					}
				} else if _, err := other.Execute(ctx, core.Stmt{SQL: "DO GET_LOCK(?, 0)", Args: []any{name}}); err != nil {
					return err
				}
				close(held)
				<-release
				return nil // the connection closes with other
			})
		}()
		select {
		case <-held:
		case err := <-done:
			t.Fatal(err)
		}
		_, err = load(t, db, dir, migrate.WithLockTimeout(300*time.Millisecond)).Up(ctx, 0)
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if !errors.Is(err, migrate.ErrLocked) {
			t.Fatalf("up while the lock is held: %v", err)
		}
		other.Close()
		// Once the lock is free, up proceeds.
		if _, err := load(t, db, dir).Up(ctx, 0); err != nil {
			t.Fatal(err)
		}
	})
}

// Two OS processes running up at once apply each migration once.
func TestTwoProcesses(t *testing.T) {
	if os.Getenv("ATOMDB_MIGRATE_CHILD_URL") != "" {
		t.Skip("in a child process")
	}
	for _, name := range harness.SQLBackends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			url := harness.FreshURL(t, name)
			dir := t.TempDir()
			if _, err := migrate.Make(counterMeta(t), dir, "init", migrate.MakeOptions{}); err != nil {
				t.Fatal(err)
			}
			appendSQL(t, dir, "0001", map[string]string{
				"postgres": "SELECT pg_sleep(0.3);\nINSERT INTO counter (note) VALUES ('once')",
				"mysql":    "DO SLEEP(0.3);\nINSERT INTO counter (note) VALUES ('once')",
				"sqlite":   "INSERT INTO counter (note) VALUES ('once')",
			})
			var wg sync.WaitGroup
			errs := make([]error, 2)
			outs := make([][]byte, 2)
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					cmd := exec.Command(os.Args[0], "-test.run=^TestChildUp$", "-test.count=1")
					cmd.Env = append(os.Environ(), "ATOMDB_MIGRATE_CHILD_URL="+url, "ATOMDB_MIGRATE_CHILD_DIR="+dir)
					outs[i], errs[i] = cmd.CombinedOutput()
				}()
			}
			wg.Wait()
			for i := range 2 {
				if errs[i] != nil {
					t.Fatalf("child %d: %v\n%s", i, errs[i], outs[i])
				}
			}
			db, err := core.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			for _, q := range []string{"SELECT COUNT(*) FROM counter", "SELECT COUNT(*) FROM " + migrate.DefaultTable} {
				n, err := db.FetchVal(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				if n != int64(1) {
					t.Errorf("%s = %v, want 1", q, n)
				}
			}
		})
	}
}

// TestChildUp is the child process of TestTwoProcesses.
func TestChildUp(t *testing.T) {
	url := os.Getenv("ATOMDB_MIGRATE_CHILD_URL")
	if url == "" {
		t.Skip("run by TestTwoProcesses")
	}
	ctx := context.Background()
	db, err := core.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := load(t, db, os.Getenv("ATOMDB_MIGRATE_CHILD_DIR")).Up(ctx, 0); err != nil {
		t.Fatal(err)
	}
}

// On MariaDB a migration that fails in the middle resumes at the failed
// statement: the ones before it (which MySQL committed) do not run again.
func TestMySQLResume(t *testing.T) {
	ctx := context.Background()
	db := harness.Open(t, harness.MySQL)
	dir := t.TempDir()
	v1 := mustMeta(t, core.NewTable("people",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "email", Type: core.String(100)},
	))
	if _, err := migrate.Make(v1, dir, "init", migrate.MakeOptions{}); err != nil {
		t.Fatal(err)
	}
	m := load(t, db, dir)
	if _, err := m.Up(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"INSERT INTO people (email) VALUES ('a@x')", "INSERT INTO people (email) VALUES ('a@x')"} {
		if _, err := db.Execute(ctx, core.Stmt{SQL: q}); err != nil {
			t.Fatal(err)
		}
	}
	// A new column and a unique email: the column is added, then the
	// unique constraint fails on the duplicate rows.
	v2 := mustMeta(t, core.NewTable("people",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
		&core.Column{Name: "email", Type: core.String(100), Unique: true},
		&core.Column{Name: "age", Type: core.Integer(), Nullable: true},
	))
	made, err := migrate.Make(v2, dir, "unique_email", migrate.MakeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	allowAll(t, dir, made.Migration.Version, "data")
	m = load(t, db, dir)
	_, err = m.Up(ctx, 0)
	var me *migrate.Error
	if !errors.As(err, &me) || me.Statement != 2 || !errors.Is(err, core.ErrUniqueViolation) {
		t.Fatalf("up with duplicates: %v", err)
	}
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st[1].State != "partial" {
		t.Fatalf("status = %+v", st)
	}
	if v, _ := m.Version(ctx); v != "0001" {
		t.Fatalf("version of a partial migration = %q", v)
	}
	if text, err := m.PendingSQL(ctx, 0); err != nil || !strings.Contains(text, "from statement 2") || strings.Contains(text, "ADD COLUMN") {
		t.Fatalf("sql of a partial migration: %v\n%s", err, text)
	}
	// Fix the data; the rerun resumes at statement 2 (adding the column
	// again would fail).
	if _, err := db.Execute(ctx, core.Stmt{SQL: "DELETE FROM people WHERE id = 2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(ctx, 0); err != nil {
		t.Fatalf("resume: %v", err)
	}
	noDrift(t, ctx, m, v2)
	// The same for down: a statement that fails while row 1 exists, put
	// between the two of the down file.
	down := filepath.Join(dir, made.Migration.Version+"_unique_email.mysql.down.sql")
	b, err := os.ReadFile(down)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(string(b), ";\n", 2)
	text := parts[0] + ";\n\nINSERT INTO people (id, email) VALUES (1, 'z');\n" + parts[1]
	if err := os.WriteFile(down, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := migrate.Hash(dir); err != nil {
		t.Fatal(err)
	}
	m = load(t, db, dir)
	if _, err := m.Down(ctx, 1); !errors.As(err, &me) || me.Statement != 2 {
		t.Fatalf("down with a failing statement: %v", err)
	}
	if st, _ := m.Status(ctx); st[1].State != "partly undone" {
		t.Fatalf("status = %+v", st)
	}
	if _, err := m.Up(ctx, 0); !errors.Is(err, migrate.ErrHistory) {
		t.Fatalf("up over a partly undone migration: %v", err)
	}
	if _, err := db.Execute(ctx, core.Stmt{SQL: "DELETE FROM people WHERE id = 1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Down(ctx, 1); err != nil {
		t.Fatalf("resumed down: %v", err)
	}
	noDrift(t, ctx, m, nil)
	if v, _ := m.Version(ctx); v != "0001" {
		t.Fatalf("version after down = %q", v)
	}
}

// Up refuses a read-only database (a replica, a read-only session).
func TestReadOnlyRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := migrate.Make(counterMeta(t), dir, "init", migrate.MakeOptions{}); err != nil {
		t.Fatal(err)
	}
	options := map[string]string{
		harness.Postgres: "default_transaction_read_only=on",
		harness.MySQL:    "tx_read_only=1",
		harness.SQLite:   "_query_only=1",
	}
	for _, name := range harness.SQLBackends {
		t.Run(name, func(t *testing.T) {
			url := harness.FreshURL(t, name)
			sep := "?"
			if strings.Contains(url, "?") {
				sep = "&"
			}
			db, err := core.Open(ctx, url+sep+options[name])
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := load(t, db, dir).Up(ctx, 0); !errors.Is(err, migrate.ErrReadOnly) {
				t.Fatalf("up on a read-only session: %v", err)
			}
		})
	}
}

// Names with quote characters and reserved words go through make, up,
// down and inspection on every backend.
func TestQuotedNames(t *testing.T) {
	parent := func(col string) *core.Table {
		return core.NewTable(`pa"re'nt`,
			&core.Column{Name: "select", Type: core.BigInt(), PrimaryKey: true, AutoIncrement: true},
			&core.Column{Name: col, Type: core.String(50), Index: true, Default: `it's "x" \ y`},
		)
	}
	child := core.NewTable("ch`ild",
		&core.Column{Name: "id", Type: core.BigInt(), PrimaryKey: true},
		&core.Column{Name: "order", Type: core.BigInt(), ForeignKey: &core.ForeignKey{Table: `pa"re'nt`, Column: "select", OnDelete: core.Cascade}},
	)
	v1 := mustMeta(t, parent(`we"ird`), child)
	p2 := parent("n`ew")
	p2.Columns[1].RenamedFrom = `we"ird`
	p2.Columns[1].Type = core.String(80) // and a rebuild on SQLite
	v2 := mustMeta(t, p2, child)
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		dir := t.TempDir()
		for i, md := range []*core.MetaData{v1, v2} {
			if _, err := migrate.Make(md, dir, "v"+string(rune('1'+i)), migrate.MakeOptions{}); err != nil {
				t.Fatal(err)
			}
			m := load(t, db, dir)
			if _, err := m.Up(ctx, 0); err != nil {
				t.Fatal(err)
			}
			noDrift(t, ctx, m, md)
			if i == 0 {
				q := db.Dialect().QuoteIdent
				for _, s := range []string{"INSERT INTO " + q(`pa"re'nt`) + " (" + q("select") + ") VALUES (1)",
					"INSERT INTO " + q("ch`ild") + " (id, " + q("order") + ") VALUES (1, 1)"} {
					if _, err := db.Execute(ctx, core.Stmt{SQL: s}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		m := load(t, db, dir)
		if _, err := m.Down(ctx, 1); err != nil {
			t.Fatal(err)
		}
		noDrift(t, ctx, m, nil)
		v, err := db.FetchVal(ctx, core.Stmt{SQL: "SELECT COUNT(*) FROM " + db.Dialect().QuoteIdent("ch`ild")})
		if err != nil || v != int64(1) {
			t.Fatalf("child rows: %v, %v", v, err)
		}
	})
}

// Twenty goroutines running up at once apply each migration once.
func TestConcurrentUp(t *testing.T) {
	harness.Each(t, func(t *testing.T, db *core.Database) {
		ctx := context.Background()
		dir := t.TempDir()
		if _, err := migrate.Make(counterMeta(t), dir, "init", migrate.MakeOptions{}); err != nil {
			t.Fatal(err)
		}
		appendSQL(t, dir, "0001", map[string]string{
			"postgres": "INSERT INTO counter (note) VALUES ('once')",
			"mysql":    "INSERT INTO counter (note) VALUES ('once')",
			"sqlite":   "INSERT INTO counter (note) VALUES ('once')",
		})
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		applied := make(chan int, 20)
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, err := migrate.New(db, os.DirFS(dir))
				if err != nil {
					errs <- err
					return
				}
				done, err := m.Up(ctx, 0)
				if err != nil {
					errs <- err
				}
				applied <- len(done)
			}()
		}
		wg.Wait()
		close(errs)
		close(applied)
		for err := range errs {
			t.Error(err)
		}
		total := 0
		for n := range applied {
			total += n
		}
		n, err := db.FetchVal(ctx, "SELECT COUNT(*) FROM counter")
		if err != nil || n != int64(1) || total != 1 {
			t.Fatalf("rows %v (%v), migrations applied %d; want 1 and 1", n, err, total)
		}
	})
}

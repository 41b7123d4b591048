package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/atomdb/atomdb/core"
	_ "github.com/atomdb/atomdb/core/all" // core on every backend
	"github.com/doug-martin/goqu/v9"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattn/go-sqlite3" // registers "sqlite3" for database-sql-raw
)

// The fixture: table bench_rows with numRows rows, in the PostgreSQL schema,
// MySQL database or SQLite file named fixtureName. On PostgreSQL and MySQL it
// is created once and reused by later runs (checked row by row, rebuilt when
// it differs); the SQLite file is a temporary one per process.
const (
	fixtureName = "atomdb_bench"
	tableName   = "bench_rows"
	numRows     = 10_000
)

// Where the servers are: the tests' variables, defaulting to the servers
// scripts/test.sh brings up.
const (
	envPostgres     = "ATOMDB_TEST_POSTGRES"
	envMySQL        = "ATOMDB_TEST_MYSQL"
	envRequire      = "ATOMDB_TEST_REQUIRE"
	defaultPostgres = "postgres://postgres@127.0.0.1:5432/test"
	defaultMySQL    = "mysql://root@127.0.0.1:3306/test"
)

// The backend names, as in sub-benchmark names and ATOMDB_TEST_REQUIRE.
const (
	postgresName = "postgres"
	mysqlName    = "mysql"
	sqliteName   = "sqlite"
)

// benchRow is one row of bench_rows.
type benchRow struct {
	ID      int64
	Name    string
	Score   float64
	Active  bool
	Created time.Time
}

var baseTime = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// wantRow is the fixture's row with the given id (1 to numRows). Every value
// survives every backend exactly: scores are multiples of 1/4, times have
// whole microseconds.
func wantRow(id int64) benchRow {
	return benchRow{
		ID:      id,
		Name:    fmt.Sprintf("bench row %05d, a name of typical length", id),
		Score:   float64(id)*1.25 + 0.5,
		Active:  id%3 != 0,
		Created: baseTime.Add(time.Duration(id)*time.Minute + time.Duration(id%1000)*time.Microsecond),
	}
}

func (r benchRow) equal(o benchRow) bool {
	return r.ID == o.ID && r.Name == o.Name && r.Score == o.Score && r.Active == o.Active && r.Created.Equal(o.Created)
}

// verifier checks that rows arrive as the fixture wrote them, in id order.
type verifier struct{ n int }

func (v *verifier) visit(r benchRow) error {
	v.n++
	if want := wantRow(int64(v.n)); !r.equal(want) {
		return fmt.Errorf("row %d is %+v, want %+v", v.n, r, want)
	}
	return nil
}

// backend is one database holding the fixture, with every client the
// benchmarks compare, opened once per process and closed by TestMain.
type backend struct {
	core  *core.Database
	sqlDB *sql.DB       // database/sql, same driver and settings as core
	pool  *pgxpool.Pool // PostgreSQL only: pgx's native pool
	// selectAll is the query every variant runs: a goqu dataset for core, and
	// the SQL text goqu renders from it for the raw drivers.
	selectAll    *goqu.SelectDataset
	selectAllSQL string
}

func (be *backend) close() {
	if be.core != nil {
		_ = be.core.Close()
	}
	if be.sqlDB != nil {
		_ = be.sqlDB.Close()
	}
	if be.pool != nil {
		be.pool.Close()
	}
}

// prepare renders the query every variant runs.
func (be *backend) prepare(d *core.Dialect) error {
	be.selectAll = d.Goqu().From(tableName).
		Select("id", "name", "score", "active", "created").
		Order(goqu.C("id").Asc())
	sqlText, args, err := be.selectAll.Prepared(true).ToSQL()
	if err != nil {
		return fmt.Errorf("render the query: %w", err)
	}
	if len(args) != 0 {
		return fmt.Errorf("the query %q has %d arguments, want none", sqlText, len(args))
	}
	be.selectAllSQL = sqlText
	return nil
}

// opened is the outcome of opening one backend: a backend, or why it is
// skipped (the server cannot be reached), or why it failed (the server
// answered but the fixture could not be set up).
type opened struct {
	once sync.Once
	be   *backend
	skip string
	err  error
}

var (
	backends = map[string]*opened{postgresName: {}, mysqlName: {}, sqliteName: {}}
	// sqliteDir is the temporary directory of the SQLite fixture.
	sqliteDir string
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, o := range backends {
		if o.be != nil {
			o.be.close()
		}
	}
	if sqliteDir != "" {
		_ = os.RemoveAll(sqliteDir)
	}
	for _, c := range cleanups {
		c()
	}
	os.Exit(code)
}

// getBackend opens the named backend once per process, then returns it; it
// skips the benchmark when the server is unreachable (fails when
// ATOMDB_TEST_REQUIRE names it) and fails it when the fixture cannot be set up.
func getBackend(b *testing.B, name string) *backend {
	b.Helper()
	o := backends[name]
	o.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		switch name {
		case postgresName:
			o.be, o.skip, o.err = openPostgres(ctx)
		case mysqlName:
			o.be, o.skip, o.err = openMySQL(ctx)
		default:
			o.be, o.err = openSQLite(ctx)
		}
	})
	switch {
	case o.err != nil:
		b.Fatalf("%s: %v", name, o.err)
	case o.skip != "":
		if required(name) {
			b.Fatalf("%s is required (%s) but unavailable: %s", name, envRequire, o.skip)
		}
		b.Skipf("skipping %s: %s", name, o.skip)
	}
	return o.be
}

// required reports whether ATOMDB_TEST_REQUIRE names the backend, as CI sets it.
func required(name string) bool {
	for _, r := range strings.Split(os.Getenv(envRequire), ",") {
		if strings.TrimSpace(r) == name {
			return true
		}
	}
	return false
}

// serverURL reads a server's URL from its variable, or the default.
func serverURL(env, def string, want *core.Dialect) (*core.URL, error) {
	raw := os.Getenv(env)
	if raw == "" {
		raw = def
	}
	u, err := core.ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", env, err)
	}
	if u.Dialect() != want {
		return nil, fmt.Errorf("%s: %s is not a %s URL", env, u, want)
	}
	return u, nil
}

func unreachable(env string, u *core.URL, err error) string {
	return fmt.Sprintf("cannot connect to %s (set %s to a reachable server): %v", u, env, err)
}

// The URL options core handles itself; the others go to the driver.
var coreOptions = map[string]bool{"min_size": true, "max_size": true, "pool_recycle": true, "ssl": true, "unix_socket": true}

// ------------------------------------------------------------- PostgreSQL

func openPostgres(ctx context.Context) (_ *backend, skip string, _ error) {
	u, err := serverURL(envPostgres, defaultPostgres, core.Postgres)
	if err != nil {
		return nil, "", err
	}
	admin, err := pgx.Connect(ctx, pgDSN(u, ""))
	if err != nil {
		return nil, unreachable(envPostgres, u, err), nil
	}
	defer admin.Close(context.Background())
	if err := pgFixture(ctx, admin); err != nil {
		return nil, "", fmt.Errorf("set up %s.%s: %w", fixtureName, tableName, err)
	}

	be := &backend{}
	fail := func(err error) (*backend, string, error) { be.close(); return nil, "", err }
	dsn := pgDSN(u, fixtureName)
	if be.pool, err = pgxpool.New(ctx, dsn); err != nil {
		return fail(fmt.Errorf("pgxpool: %w", err))
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return fail(fmt.Errorf("pgx config: %w", err))
	}
	be.sqlDB = stdlib.OpenDB(*cfg)
	cu := *u
	cu.Options = url.Values{}
	for k, v := range u.Options {
		cu.Options[k] = v
	}
	cu.Options.Set("search_path", fixtureName)
	if be.core, err = core.OpenURL(ctx, &cu); err != nil {
		return fail(err)
	}
	if err := be.prepare(core.Postgres); err != nil {
		return fail(err)
	}
	return be, "", nil
}

// pgDSN renders u for pgx as core does, with search_path set when given.
func pgDSN(u *core.URL, searchPath string) string {
	q := url.Values{}
	for k, v := range u.Options {
		if !coreOptions[k] {
			q[k] = v
		}
	}
	switch u.Options.Get("ssl") {
	case "false":
		q.Set("sslmode", "disable")
	case "true":
		q.Set("sslmode", "require")
	case "verify-full":
		q.Set("sslmode", "verify-full")
	}
	if searchPath != "" {
		q.Set("search_path", searchPath)
	}
	host := u.Host
	if sock := u.Options.Get("unix_socket"); sock != "" {
		q.Set("host", sock)
	}
	if u.Port != 0 {
		host += ":" + strconv.Itoa(u.Port)
	}
	pu := url.URL{Scheme: "postgres", Host: host, Path: "/" + u.Database, RawQuery: q.Encode()}
	if u.User != "" || u.Password != "" {
		pu.User = url.UserPassword(u.User, u.Password)
	}
	return pu.String()
}

// pgFixture creates the schema and table unless they already hold the
// fixture, under an advisory lock so concurrent runs don't collide.
func pgFixture(ctx context.Context, conn *pgx.Conn) (err error) {
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", fixtureName); err != nil {
		return err
	}
	defer func() {
		if _, uerr := conn.Exec(context.Background(), "SELECT pg_advisory_unlock(hashtext($1))", fixtureName); uerr != nil && err == nil {
			err = uerr
		}
	}()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+fixtureName); err != nil {
		return err
	}
	if pgFixtureOK(ctx, conn) {
		return nil
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	qualified := fixtureName + "." + tableName
	for _, stmt := range []string{
		"DROP TABLE IF EXISTS " + qualified,
		"CREATE TABLE " + qualified + ` (
			id BIGINT PRIMARY KEY,
			name VARCHAR(100) NOT NULL,
			score DOUBLE PRECISION NOT NULL,
			active BOOLEAN NOT NULL,
			created TIMESTAMPTZ NOT NULL)`,
	} {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{fixtureName, tableName},
		[]string{"id", "name", "score", "active", "created"},
		pgx.CopyFromSlice(numRows, func(i int) ([]any, error) {
			r := wantRow(int64(i + 1))
			return []any{r.ID, r.Name, r.Score, r.Active, r.Created}, nil
		}))
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if n != numRows {
		return fmt.Errorf("copy wrote %d rows, want %d", n, numRows)
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	// Set hint bits and the visibility map now rather than during the first
	// timed reads.
	_, err = conn.Exec(ctx, "VACUUM ANALYZE "+qualified)
	return err
}

// pgFixtureOK reports whether the table exists and holds exactly the fixture.
func pgFixtureOK(ctx context.Context, conn *pgx.Conn) bool {
	rows, err := conn.Query(ctx, "SELECT id, name, score, active, created FROM "+fixtureName+"."+tableName+" ORDER BY id")
	if err != nil {
		return false
	}
	defer rows.Close()
	var v verifier
	for rows.Next() {
		var r benchRow
		if rows.Scan(&r.ID, &r.Name, &r.Score, &r.Active, &r.Created) != nil || v.visit(r) != nil {
			return false
		}
	}
	return rows.Err() == nil && v.n == numRows
}

// ------------------------------------------------------------------ MySQL

func openMySQL(ctx context.Context) (_ *backend, skip string, _ error) {
	u, err := serverURL(envMySQL, defaultMySQL, core.MySQL)
	if err != nil {
		return nil, "", err
	}
	adminCfg, err := mysqlConfig(u, u.Database)
	if err != nil {
		return nil, "", err
	}
	connector, err := mysql.NewConnector(adminCfg)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", envMySQL, err)
	}
	admin := sql.OpenDB(connector)
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err == nil {
		err = conn.PingContext(ctx)
	}
	if err != nil {
		return nil, unreachable(envMySQL, u, err), nil
	}
	defer conn.Close()
	if err := mysqlFixture(ctx, conn); err != nil {
		return nil, "", fmt.Errorf("set up %s.%s: %w", fixtureName, tableName, err)
	}

	be := &backend{}
	fail := func(err error) (*backend, string, error) { be.close(); return nil, "", err }
	cfg, err := mysqlConfig(u, fixtureName)
	if err != nil {
		return fail(err)
	}
	if connector, err = mysql.NewConnector(cfg); err != nil {
		return fail(err)
	}
	be.sqlDB = sql.OpenDB(connector)
	cu := *u
	cu.Database = fixtureName
	if be.core, err = core.OpenURL(ctx, &cu); err != nil {
		return fail(err)
	}
	if err := be.prepare(core.MySQL); err != nil {
		return fail(err)
	}
	return be, "", nil
}

// mysqlConfig configures go-sql-driver/mysql as core does: times parsed, in
// UTC; matched rows reported; other URL options handed to the driver.
func mysqlConfig(u *core.URL, dbName string) (*mysql.Config, error) {
	cfg := mysql.NewConfig()
	cfg.User = u.User
	cfg.Passwd = u.Password
	cfg.DBName = dbName
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.ClientFoundRows = true
	if sock := u.Options.Get("unix_socket"); sock != "" {
		cfg.Net, cfg.Addr = "unix", sock
	} else {
		port := u.Port
		if port == 0 {
			port = 3306
		}
		cfg.Net, cfg.Addr = "tcp", u.Host+":"+strconv.Itoa(port)
	}
	switch u.Options.Get("ssl") {
	case "true":
		cfg.TLSConfig = "skip-verify"
	case "verify-full":
		cfg.TLSConfig = "true"
	}
	extra := url.Values{}
	for k, v := range u.Options {
		if !coreOptions[k] {
			extra[k] = v
		}
	}
	if len(extra) == 0 {
		return cfg, nil
	}
	parsed, err := mysql.ParseDSN(cfg.FormatDSN() + "&" + extra.Encode())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envMySQL, err)
	}
	return parsed, nil
}

// mysqlFixture creates the database and table unless they already hold the
// fixture, under a named lock so concurrent runs don't collide.
func mysqlFixture(ctx context.Context, conn *sql.Conn) (err error) {
	var locked sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 300)", fixtureName).Scan(&locked); err != nil {
		return err
	}
	if locked.Int64 != 1 {
		return errors.New("timed out waiting for the lock " + fixtureName + " held by another run")
	}
	defer func() {
		var released sql.NullInt64
		if rerr := conn.QueryRowContext(context.Background(), "SELECT RELEASE_LOCK(?)", fixtureName).Scan(&released); rerr != nil && err == nil {
			err = rerr
		}
	}()
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+fixtureName+" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		return err
	}
	qualified := fixtureName + "." + tableName
	if sqlFixtureOK(ctx, conn, "SELECT id, name, score, active, created FROM "+qualified+" ORDER BY id", true) {
		return nil
	}
	for _, stmt := range []string{
		"DROP TABLE IF EXISTS " + qualified,
		"CREATE TABLE " + qualified + ` (
			id BIGINT PRIMARY KEY,
			name VARCHAR(100) NOT NULL,
			score DOUBLE NOT NULL,
			active BIT(1) NOT NULL,
			created DATETIME(6) NOT NULL)`,
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := insertChunks(ctx, tx, qualified, 1000); err != nil {
		return err
	}
	return tx.Commit()
}

// insertChunks writes the fixture's rows with multi-row INSERTs of chunk rows.
func insertChunks(ctx context.Context, tx *sql.Tx, table string, chunk int) error {
	for start := 1; start <= numRows; start += chunk {
		end := min(start+chunk-1, numRows)
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (id, name, score, active, created) VALUES ")
		args := make([]any, 0, 5*(end-start+1))
		for id := start; id <= end; id++ {
			if id > start {
				q.WriteByte(',')
			}
			q.WriteString("(?, ?, ?, ?, ?)")
			r := wantRow(int64(id))
			args = append(args, r.ID, r.Name, r.Score, r.Active, r.Created)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("insert rows %d-%d: %w", start, end, err)
		}
	}
	return nil
}

// sqlFixtureOK reports whether query returns exactly the fixture. With
// bitBool the active column is a MySQL BIT(1), read as bytes.
func sqlFixtureOK(ctx context.Context, conn *sql.Conn, query string, bitBool bool) bool {
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return false
	}
	defer rows.Close()
	var v verifier
	for rows.Next() {
		var r benchRow
		var bit []byte
		active := any(&r.Active)
		if bitBool {
			active = &bit
		}
		if rows.Scan(&r.ID, &r.Name, &r.Score, active, &r.Created) != nil {
			return false
		}
		if bitBool {
			r.Active = len(bit) == 1 && bit[0] != 0
		}
		if v.visit(r) != nil {
			return false
		}
	}
	return rows.Err() == nil && v.n == numRows
}

// ----------------------------------------------------------------- SQLite

func openSQLite(ctx context.Context) (*backend, error) {
	dir, err := os.MkdirTemp("", fixtureName+"-")
	if err != nil {
		return nil, err
	}
	sqliteDir = dir
	path := filepath.Join(dir, fixtureName+".db")

	be := &backend{}
	fail := func(err error) (*backend, error) { be.close(); return nil, err }
	if be.sqlDB, err = sql.Open("sqlite3", sqliteDSN(path)); err != nil {
		return fail(err)
	}
	if err := sqliteFixture(ctx, be.sqlDB); err != nil {
		return fail(fmt.Errorf("set up %s: %w", path, err))
	}
	if be.core, err = core.Open(ctx, "sqlite:///"+filepath.ToSlash(path)); err != nil {
		return fail(err)
	}
	if err := be.prepare(core.SQLite); err != nil {
		return fail(err)
	}
	return be, nil
}

// sqliteDSN opens the file with the settings core uses.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Set("_foreign_keys", "1")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	q.Set("_journal_mode", "WAL")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

func sqliteFixture(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if sqlFixtureOK(ctx, conn, "SELECT id, name, score, active, created FROM "+tableName+" ORDER BY id", false) {
		return nil
	}
	for _, stmt := range []string{
		"DROP TABLE IF EXISTS " + tableName,
		"CREATE TABLE " + tableName + ` (
			id BIGINT PRIMARY KEY,
			name VARCHAR(100) NOT NULL,
			score REAL NOT NULL,
			active BOOLEAN NOT NULL,
			created TIMESTAMP NOT NULL)`,
	} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := insertChunks(ctx, tx, tableName, 100); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "ANALYZE")
	return err
}

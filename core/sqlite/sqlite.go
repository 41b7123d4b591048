package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dlclark/regexp2"
	"github.com/mattn/go-sqlite3"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/core/internal/sqldb"
)

// sqliteDriver is go-sqlite3 with the functions SQL lookups need registered
// on every connection: REGEXP (SQLite parses "x REGEXP y" but has no
// implementation of its own).
const sqliteDriver = "atomdb-sqlite3"

var registerSQLite sync.Once

func openSQLite(ctx context.Context, u *core.URL, o core.PoolConfig) (*sqldb.Backend, error) {
	registerSQLite.Do(func() {
		sql.Register(sqliteDriver, &sqlite3.SQLiteDriver{ConnectHook: sqliteConnect})
	})
	q := url.Values{}
	// Defaults a server database would give: enforced foreign keys, waiting
	// on a lock instead of failing at once, and BEGIN IMMEDIATE so that two
	// writing transactions queue up rather than deadlock on lock upgrade.
	q.Set("_foreign_keys", "1")
	q.Set("_busy_timeout", "10000")
	q.Set("_txlock", "immediate")
	if !u.IsMemory() {
		q.Set("_journal_mode", "WAL")
	}
	for _, k := range u.DriverOptions() {
		q[k] = u.Options[k]
	}
	var dsn string
	if u.IsMemory() {
		dsn = ":memory:?" + q.Encode()
	} else {
		dsn = "file:" + (&url.URL{Path: u.Database}).EscapedPath() + "?" + q.Encode()
	}
	db, err := sql.Open(sqliteDriver, dsn)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", core.ErrBadURL, u, err)
	}
	sqldb.PoolSettings(db, o)
	if u.IsMemory() {
		// An in-memory database lives and dies with its connection: keep
		// exactly one, for ever, so the whole *Database sees one database.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	if err := sqldb.Ping(ctx, db, u); err != nil {
		return nil, err
	}
	return sqldb.New(db, core.SQLite, func(string) func(any) any { return sqliteConvert }), nil
}

// sqliteConvert normalises go-sqlite3's values: times to UTC. Integers,
// floats, text, blobs and BOOLEAN columns already come as Row promises.
func sqliteConvert(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.UTC()
	}
	return v
}

// regexps caches compiled patterns, since REGEXP runs once per row; it stops
// growing at regexpCacheLimit patterns.
var (
	regexps          sync.Map // string -> *regexp2.Regexp
	regexpCacheCount atomic.Int32
)

const regexpCacheLimit = 256

// RegexpTimeout bounds the time one REGEXP match may take on SQLite.
const RegexpTimeout = 2 * time.Second

func sqliteConnect(c *sqlite3.SQLiteConn) error {
	// text reads an argument as SQL text would: go-sqlite3 hands NULL over
	// as a nil []byte, and numbers as int64 or float64.
	text := func(v any) (string, bool) {
		switch x := v.(type) {
		case string:
			return x, true
		case []byte:
			return string(x), x != nil
		case nil:
			return "", false
		}
		return fmt.Sprint(v), true
	}
	// REGEXP: y REGEXP x calls regexp(x, y). NULL on either side gives NULL
	// (no match), as on the other databases. The engine is regexp2, a
	// backtracking engine with Perl's syntax (backreferences, lookaround),
	// as close as Go has to MariaDB's PCRE, PostgreSQL's AREs and Python's
	// re (which Django uses on SQLite): Go's own regexp has no
	// backreferences. A match that runs longer than RegexpTimeout (a
	// catastrophic pattern) fails the statement.
	err := c.RegisterFunc("regexp", func(pattern, value any) (any, error) {
		p, ok := text(pattern)
		s, ok2 := text(value)
		if !ok || !ok2 {
			return nil, nil
		}
		re, ok := regexps.Load(p)
		if !ok {
			compiled, err := regexp2.Compile(p, regexp2.None)
			if err != nil {
				return nil, fmt.Errorf("bad regular expression %q: %w", p, err)
			}
			compiled.MatchTimeout = RegexpTimeout
			re = compiled
			if regexpCacheCount.Add(1) <= regexpCacheLimit {
				re, _ = regexps.LoadOrStore(p, compiled)
			}
		}
		ok, err := re.(*regexp2.Regexp).MatchString(s)
		if err != nil {
			// regexp2's timeout error quotes the row's value: not ours to show.
			return nil, fmt.Errorf("regular expression %q: no result within %v", p, RegexpTimeout)
		}
		return ok, nil
	}, true)
	if err != nil {
		return err
	}
	// atomdb_single_row(n) fails when n > 1: the lookups wrap a subquery
	// compared as one value with it, so that SQLite refuses a subquery that
	// returns several rows as PostgreSQL and MySQL do, instead of taking the
	// first. Not deterministic, so that SQLite never evaluates it ahead.
	err = c.RegisterFunc("atomdb_single_row", func(n int64) (any, error) {
		if n > 1 {
			return nil, errors.New("more than one row returned by a subquery used as an expression")
		}
		return nil, nil
	}, false)
	if err != nil {
		return err
	}
	// Decimals: the collation of Decimal columns and their exact sum and
	// average (see core.DecimalCollation).
	if err := c.RegisterCollation(core.DecimalCollation, core.CompareDecimalText); err != nil {
		return err
	}
	if err := c.RegisterAggregator(core.DecimalSum, func() *core.DecimalAggregate { return &core.DecimalAggregate{} }, true); err != nil {
		return err
	}
	if err := c.RegisterAggregator(core.DecimalAvg, func() *core.DecimalAggregate { return &core.DecimalAggregate{Avg: true} }, true); err != nil {
		return err
	}
	// lower and upper replace SQLite's built-ins, which change ASCII letters
	// only, with Unicode-aware ones (Go's strings.ToLower and ToUpper), so
	// that lower('ÄBC') = 'äbc' as on PostgreSQL and MySQL: the
	// case-insensitive lookups (iexact, icontains, ...) compare lower() of
	// both sides. NULL stays NULL; numbers are returned unchanged.
	for name, fold := range map[string]func(string) string{"lower": strings.ToLower, "upper": strings.ToUpper} {
		err := c.RegisterFunc(name, func(v any) any {
			switch x := v.(type) {
			case string:
				return fold(x)
			case []byte:
				if x == nil {
					return nil
				}
				return fold(string(x))
			}
			return v
		}, true)
		if err != nil {
			return err
		}
	}
	return nil
}

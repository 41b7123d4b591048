package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/core/internal/sqldb"
)

// openMySQL opens a go-sql-driver/mysql pool. Times are read and written in
// UTC, UPDATE reports matched rows (clientFoundRows) as PostgreSQL and
// SQLite do, not only the rows whose values changed, and every session runs
// in strict mode (see setSQLMode).
func openMySQL(ctx context.Context, u *core.URL, o core.PoolConfig) (*sqldb.Backend, error) {
	cfg := mysql.NewConfig()
	cfg.User = u.User
	cfg.Passwd = u.Password
	cfg.DBName = u.Database
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
	case "true": // encrypted, certificate not verified
		cfg.TLSConfig = "skip-verify"
	case "verify-full":
		cfg.TLSConfig = "true"
	}
	// Everything else is a go-sql-driver setting or a session variable: let
	// the driver's own DSN parser sort it out.
	var opts []string
	for _, k := range u.DriverOptions() {
		if k != failoverOption {
			opts = append(opts, k)
		}
	}
	if len(opts) > 0 {
		extra := make([]byte, 0, 64)
		for i, k := range opts {
			if i > 0 {
				extra = append(extra, '&')
			}
			for j, v := range u.Options[k] {
				if j > 0 {
					extra = append(extra, '&')
				}
				extra = append(extra, k...)
				extra = append(extra, '=')
				extra = append(extra, v...)
			}
		}
		parsed, err := mysql.ParseDSN(cfg.FormatDSN() + "&" + string(extra))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", core.ErrBadURL, u, err)
		}
		cfg = parsed
	}
	setSQLMode(cfg)
	if err := setFailover(cfg, u); err != nil {
		return nil, err
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", core.ErrBadURL, u, err)
	}
	db := sql.OpenDB(connector)
	sqldb.PoolSettings(db, o)
	if err := sqldb.Ping(ctx, db, u); err != nil {
		return nil, err
	}
	return sqldb.New(db, core.MySQL, mysqlConverter), nil
}

// setSQLMode makes the driver set sql_mode on every new connection: the URL's
// value (quoted when it is a plain list of mode names) or core.StrictSQLMode.
func setSQLMode(cfg *mysql.Config) {
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	mode, given := cfg.Params["sql_mode"]
	if !given {
		mode = core.StrictSQLMode
	}
	if plainModes(mode) {
		mode = "'" + mode + "'"
	}
	cfg.Params["sql_mode"] = mode
}

// plainModes reports whether s is a comma-separated list of mode names
// (letters, digits and _), which the driver would send unquoted.
func plainModes(s string) bool {
	for _, c := range []byte(s) {
		if c != ',' && c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

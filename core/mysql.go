package core

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/go-sql-driver/mysql"
)

// openMySQL opens a go-sql-driver/mysql pool. Times are read and written in
// UTC, UPDATE reports matched rows (clientFoundRows) as PostgreSQL and
// SQLite do, not only the rows whose values changed, and every session runs
// in strict mode (see setSQLMode).
func openMySQL(ctx context.Context, u *URL, o *options) (*sqlBackend, error) {
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
	if opts := u.driverOptions(); len(opts) > 0 {
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
			return nil, fmt.Errorf("%w: %s: %v", ErrBadURL, u, err)
		}
		cfg = parsed
	}
	setSQLMode(cfg)
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadURL, u, err)
	}
	db := sql.OpenDB(connector)
	poolSettings(db, o)
	if err := pingSQL(ctx, db, u); err != nil {
		return nil, err
	}
	return &sqlBackend{db: db, dialect: MySQL}, nil
}

// StrictSQLMode is the sql_mode of every MySQL/MariaDB session atomdb opens,
// unless the URL gives its own (sql_mode=TRADITIONAL, or sql_mode= for no
// mode at all): a value too long, too large or too precise for its column is
// an error rather than truncated or rounded, as are invalid dates and
// division by zero. It is STRICT_ALL_TABLES plus the modes Django's MySQL
// backend sets, but for NO_ZERO_DATE: go-sql-driver writes Go's zero
// time.Time as 0000-00-00, which reads back as the zero time.
const StrictSQLMode = "STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION"

// setSQLMode makes the driver set sql_mode on every new connection: the URL's
// value (quoted when it is a plain list of mode names) or StrictSQLMode.
func setSQLMode(cfg *mysql.Config) {
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	mode, given := cfg.Params["sql_mode"]
	if !given {
		mode = StrictSQLMode
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
		if c != ',' && c != '_' && !isNamePart(c) {
			return false
		}
	}
	return true
}

package core

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// URL is a parsed database URL:
//
//	postgres://user:password@host:5432/dbname?max_size=20   (also postgresql://)
//	mysql://user:password@host:3306/dbname?ssl=true
//	sqlite:///relative/path.db
//	sqlite:////absolute/path.db
//	sqlite://:memory:
//
// Query options understood on every backend: min_size and max_size (pool
// bounds), pool_recycle (maximum connection lifetime: seconds or a Go duration
// such as 30m), ssl (true, false or verify-full), unix_socket (a socket path
// used instead of host:port) and replica (host or host:port of a read replica,
// reached with the rest of the URL; repeat it for several, see WithReplicas).
// Every other option is handed to the driver: pgx
// run-time parameters such as search_path or application_name, MySQL session
// variables or go-sql-driver settings, go-sqlite3 DSN options such as _busy_timeout.
type URL struct {
	// Scheme is the normalised scheme: "postgres", "mysql" or "sqlite".
	Scheme string
	// User and Password are the credentials, already URL-unescaped.
	User     string
	Password string
	// Host and Port locate the server; Port is 0 when the URL names none.
	Host string
	Port int
	// Database is the database name, or for SQLite the file path or ":memory:".
	Database string
	// Options holds the query options, already URL-unescaped.
	Options url.Values
}

// ParseURL parses a database URL. An unknown scheme, a malformed URL, a bad
// port or a bad value for one of the common options is an error.
func ParseURL(raw string) (*URL, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil, fmt.Errorf("%w: %q has no scheme (want postgres://, mysql:// or sqlite://)", ErrBadURL, redact(raw))
	}
	var u *URL
	var err error
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql":
		u, err = parseServerURL("postgres", raw)
	case "mysql", "mariadb":
		u, err = parseServerURL("mysql", raw)
	case "sqlite", "sqlite3":
		u, err = parseSQLiteURL(rest)
	default:
		return nil, fmt.Errorf("%w: %q (want postgres, postgresql, mysql or sqlite)", ErrUnknownScheme, scheme)
	}
	if err != nil {
		return nil, err
	}
	if err := u.validateOptions(); err != nil {
		return nil, err
	}
	return u, nil
}

func parseServerURL(scheme, raw string) (*URL, error) {
	pu, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL, password included: say less.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: %s URL %q: %v", ErrBadURL, scheme, redact(raw), err)
	}
	if pu.Opaque != "" {
		return nil, fmt.Errorf("%w: %s URL %q must look like %s://user:password@host:port/dbname", ErrBadURL, scheme, redact(raw), scheme)
	}
	u := &URL{Scheme: scheme, Host: pu.Hostname(), Options: pu.Query()}
	if pu.User != nil {
		u.User = pu.User.Username()
		u.Password, _ = pu.User.Password()
	}
	if p := pu.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return nil, fmt.Errorf("%w: %s URL %q: bad port %q", ErrBadURL, scheme, redact(raw), p)
		}
		u.Port = n
	}
	u.Database = strings.TrimPrefix(pu.Path, "/")
	if strings.Contains(u.Database, "/") {
		return nil, fmt.Errorf("%w: %s URL %q: database name %q contains '/'", ErrBadURL, scheme, redact(raw), u.Database)
	}
	if u.Host == "" && u.Options.Get("unix_socket") == "" {
		return nil, fmt.Errorf("%w: %s URL %q names no host (add one, or a unix_socket option)", ErrBadURL, scheme, redact(raw))
	}
	return u, nil
}

func parseSQLiteURL(rest string) (*URL, error) {
	path, query, _ := strings.Cut(rest, "?")
	opts, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("%w: sqlite URL options %q: %v", ErrBadURL, query, err)
	}
	switch {
	case path == ":memory:" || path == "/:memory:":
		path = ":memory:"
	case strings.HasPrefix(path, "/"):
		// sqlite:///relative.db has the path "/relative.db" after the empty
		// host; sqlite:////abs.db has "//abs.db".
		path = path[1:]
		if unescaped, err := url.PathUnescape(path); err == nil {
			path = unescaped
		}
	default:
		return nil, fmt.Errorf("%w: sqlite URL %q is none of sqlite:///relative.db, sqlite:////absolute.db and sqlite://:memory: (in that form)", ErrBadURL, "sqlite://"+rest)
	}
	if path == "" {
		return nil, fmt.Errorf("%w: sqlite URL %q names no file", ErrBadURL, "sqlite://"+rest)
	}
	return &URL{Scheme: "sqlite", Database: path, Options: opts}, nil
}

// Dialect returns the SQL dialect the URL's scheme speaks.
func (u *URL) Dialect() *Dialect {
	switch u.Scheme {
	case "postgres":
		return Postgres
	case "mysql":
		return MySQL
	default:
		return SQLite
	}
}

// IsMemory reports whether the URL names an in-memory SQLite database.
func (u *URL) IsMemory() bool { return u.Scheme == "sqlite" && u.Database == ":memory:" }

// String renders the URL with the password masked as "***", so it can be logged.
func (u *URL) String() string { return u.render(true) }

// render writes the URL back; with mask the password is replaced by ***.
func (u *URL) render(mask bool) string {
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteString("://")
	if u.Scheme == "sqlite" {
		if u.IsMemory() {
			b.WriteString(":memory:")
		} else {
			b.WriteString("/")
			b.WriteString(u.Database)
		}
	} else {
		if u.User != "" || u.Password != "" {
			b.WriteString(url.User(u.User).String())
			if u.Password != "" {
				b.WriteByte(':')
				if mask {
					b.WriteString("***")
				} else {
					b.WriteString(url.UserPassword("", u.Password).String()[1:])
				}
			}
			b.WriteByte('@')
		}
		b.WriteString(u.Host)
		if u.Port != 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(u.Port))
		}
		b.WriteByte('/')
		b.WriteString(url.PathEscape(u.Database))
	}
	if len(u.Options) > 0 {
		b.WriteByte('?')
		b.WriteString(u.Options.Encode())
	}
	return b.String()
}

// The options every backend understands; the rest go to the driver.
var commonOptions = map[string]bool{"min_size": true, "max_size": true, "pool_recycle": true, "ssl": true, "unix_socket": true, "replica": true}

func (u *URL) validateOptions() error {
	for _, k := range []string{"min_size", "max_size"} {
		if v := u.Options.Get(k); v != "" {
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				return fmt.Errorf("%w: %s=%q is not a non-negative integer", ErrBadURL, k, v)
			}
		}
	}
	if _, err := u.poolRecycle(); err != nil {
		return err
	}
	switch v := u.Options.Get("ssl"); v {
	case "", "true", "false", "verify-full":
	default:
		return fmt.Errorf("%w: ssl=%q (want true, false or verify-full)", ErrBadURL, v)
	}
	_, err := u.replicaURLs()
	return err
}

// intOption returns a validated integer option, or 0 when it is absent.
func (u *URL) intOption(key string) int {
	n, _ := strconv.Atoi(u.Options.Get(key))
	return n
}

// poolRecycle reads pool_recycle as seconds or as a Go duration.
func (u *URL) poolRecycle() (time.Duration, error) {
	v := u.Options.Get("pool_recycle")
	if v == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return d, nil
	}
	return 0, fmt.Errorf("%w: pool_recycle=%q (want seconds or a duration such as 30m)", ErrBadURL, v)
}

// DriverOptions returns the keys of the options that are not common ones,
// sorted: the ones a driver hands on to its own configuration.
func (u *URL) DriverOptions() []string {
	var keys []string
	for k := range u.Options {
		if !commonOptions[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// redact masks the password of a URL that failed to parse, as well as it can.
func redact(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	userinfo := rest[:at]
	if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
		return scheme + "://" + user + ":***" + rest[at:]
	}
	return raw
}

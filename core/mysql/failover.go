package mysql

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/atomdb/atomdb/core"
)

// failoverOption is the URL option that lists the servers to connect to
// when the URL's own host does not answer.
const failoverOption = "failover"

// defaultDialTimeout bounds each connection attempt of a failover list when
// the URL sets no timeout, so that a host that drops packets does not hold
// up the next one.
const defaultDialTimeout = 5 * time.Second

// setFailover makes every new connection try the URL's host, then each
// address of the failover option in order (host or host:port, separated by
// commas; port 3306 unless given), taking the first that accepts. It is for
// multi-primary clusters such as MariaDB Galera, where every node takes
// writes: connections already open stay where they are, and one that breaks
// is replaced by a connection to the first node that answers.
func setFailover(cfg *mysql.Config, u *core.URL) error {
	list := u.Options.Get(failoverOption)
	if list == "" {
		if _, given := u.Options[failoverOption]; given {
			return fmt.Errorf("%w: %s: failover= names no address", core.ErrBadURL, u)
		}
		return nil
	}
	if cfg.Net != "tcp" {
		return fmt.Errorf("%w: %s: failover needs TCP addresses, not a unix_socket", core.ErrBadURL, u)
	}
	addrs := []string{cfg.Addr}
	for _, a := range strings.Split(list, ",") {
		host, port := strings.TrimSpace(a), "3306"
		if h, p, err := net.SplitHostPort(host); err == nil {
			host, port = h, p
		}
		if n, err := strconv.Atoi(port); host == "" || err != nil || n <= 0 || n > 65535 {
			return fmt.Errorf("%w: %s: failover address %q is not host or host:port", core.ErrBadURL, u, a)
		}
		addrs = append(addrs, net.JoinHostPort(host, port))
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = defaultDialTimeout
	}
	cfg.DialFunc = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var errs []error
		for _, addr := range addrs {
			dctx, cancel := context.WithTimeout(ctx, timeout)
			c, err := (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext(dctx, network, addr)
			cancel()
			if err == nil {
				return c, nil
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			errs = append(errs, err)
		}
		return nil, errors.Join(errs...)
	}
	return nil
}

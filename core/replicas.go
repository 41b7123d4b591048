package core

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Read replicas: a Database opened with replica URLs sends the reads made
// outside a transaction to a healthy replica, round robin, and everything
// else to the primary. The rules are in doc.go ("Read replicas"); this file
// holds the replicas themselves (their pools and health), routing.go the
// choice of pool for each statement.

// WithReplicas adds read replicas of the primary, each a URL of the primary's
// scheme (typically the primary's URL with another host). They are used as
// described in the package documentation, "Read replicas". The URL's
// replica options (postgres://app@primary/shop?replica=r1:5432&replica=r2)
// name replicas too; these come after them.
func WithReplicas(urls ...string) Option {
	return func(o *options) { o.replica.urls = append(o.replica.urls, urls...) }
}

// WithReadYourWrites sets how long, after a write made with a context that
// carries a session (see WithSession), that session's reads go to the
// primary rather than to a replica that may not have the write yet: 5
// seconds unless set; 0 turns it off. With WithCausalReads it applies only
// when the write's position could not be read.
func WithReadYourWrites(window time.Duration) Option {
	return func(o *options) { o.replica.window, o.replica.windowSet = window, true }
}

// WithCausalReads (PostgreSQL only) replaces the read-your-writes window by
// the replication position: after a session's write, its reads go to a
// replica only once the replica has replayed the WAL up to the end of that
// write (pg_last_wal_replay_lsn() on the replica at or past
// pg_current_wal_insert_lsn() read on the primary after the write), and to
// the primary until then. It costs one query on the primary after each
// write made with a session, and one on a replica for a read that finds the
// replica's last known position behind.
func WithCausalReads() Option { return func(o *options) { o.replica.causal = true } }

// WithReplicaHealthCheck sets how often each replica is checked (a SELECT 1,
// or on PostgreSQL with WithCausalReads its replay position): 5 seconds
// unless set. A replica that fails its check, or fails to serve a read for a
// reason its check confirms, receives no reads until a check succeeds again;
// a check gives up after the interval, but never before 1 second nor after 5.
func WithReplicaHealthCheck(interval time.Duration) Option {
	return func(o *options) { o.replica.interval = interval }
}

// replicaOptions are Open's replica settings.
type replicaOptions struct {
	urls      []string
	window    time.Duration
	windowSet bool
	causal    bool
	interval  time.Duration
}

const (
	defaultReplicaWindow   = 5 * time.Second
	defaultReplicaInterval = 5 * time.Second
	minReplicaCheck        = time.Second
	maxReplicaCheck        = 5 * time.Second
)

// replicaSet is a Database's read replicas.
type replicaSet struct {
	list     []*replica
	next     atomic.Uint64 // round robin
	window   time.Duration
	causal   bool
	interval time.Duration
	timeout  time.Duration // of one health check
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

// replica is one read replica.
type replica struct {
	index int // 1-based, as QueryEvent.Replica and ReplicaStats report it
	url   *URL
	drv   Driver
	cfg   PoolConfig
	d     *Dialect
	// hooks are the Database's hooks made for this replica's URL, so that
	// what they report (a span's server.address) names the server that ran
	// the statement.
	hooks []QueryHook

	pool   atomic.Pointer[poolRef] // nil until it first connects
	up     atomic.Bool             // reads may go to it
	replay atomic.Uint64           // the last replay position seen (PostgreSQL)

	mu      sync.Mutex // guards lastErr; serialises opening the pool
	lastErr error
}

type poolRef struct{ Pool }

// newReplicaSet checks the replica settings and parses the replica URLs of
// the primary u, without connecting; nil when there are none.
func newReplicaSet(u *URL, o *options) (*replicaSet, error) {
	urls, err := u.replicaURLs()
	if err != nil {
		return nil, err
	}
	for _, raw := range o.replica.urls {
		r, err := ParseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("replica: %w", err)
		}
		if r.Scheme != u.Scheme {
			return nil, fmt.Errorf("%w: replica %s is not a %s URL like the primary's", ErrBadURL, r, u.Scheme)
		}
		if len(r.Options["replica"]) > 0 {
			return nil, fmt.Errorf("%w: replica %s has replicas of its own", ErrBadURL, r)
		}
		urls = append(urls, r)
	}
	ro := o.replica
	if len(urls) == 0 {
		if ro.causal || ro.windowSet || ro.interval != 0 {
			return nil, fmt.Errorf("%w: replica options given, but no replica (WithReplicas, or the URL's replica option)", ErrBadURL)
		}
		return nil, nil
	}
	switch {
	case o.forceRollback:
		return nil, fmt.Errorf("%w: WithForceRollback runs every statement in one transaction on the primary: open it without replicas", ErrBadURL)
	case ro.causal && u.Scheme != "postgres":
		return nil, fmt.Errorf("%w: WithCausalReads reads PostgreSQL's WAL positions: not available on %s", ErrBadURL, u.Scheme)
	case ro.window < 0:
		return nil, fmt.Errorf("%w: WithReadYourWrites(%s): negative window", ErrBadURL, ro.window)
	case ro.interval < 0:
		return nil, fmt.Errorf("%w: WithReplicaHealthCheck(%s): negative interval", ErrBadURL, ro.interval)
	}
	s := &replicaSet{window: ro.window, causal: ro.causal, interval: ro.interval}
	if !ro.windowSet {
		s.window = defaultReplicaWindow
	}
	if s.interval == 0 {
		s.interval = defaultReplicaInterval
	}
	s.timeout = max(min(s.interval, maxReplicaCheck), minReplicaCheck)
	for i, r := range urls {
		s.list = append(s.list, &replica{index: i + 1, url: r, d: r.Dialect(), hooks: o.newHooks(r)})
	}
	return s, nil
}

// replicaURLs returns the replicas the URL's replica options name: the URL
// itself with each host[:port] in place of its own, without those options.
func (u *URL) replicaURLs() ([]*URL, error) {
	hosts := u.Options["replica"]
	if len(hosts) == 0 {
		return nil, nil
	}
	if u.Scheme == "sqlite" {
		return nil, fmt.Errorf("%w: a sqlite URL has no host, so its replica option means nothing (use WithReplicas with full URLs)", ErrBadURL)
	}
	base := *u
	base.Options = url.Values{}
	for k, v := range u.Options {
		if k != "replica" {
			base.Options[k] = v
		}
	}
	var out []*URL
	for _, h := range hosts {
		pu, err := url.Parse("//" + h)
		if err != nil || h == "" || pu.User != nil || pu.Path != "" || pu.RawQuery != "" || pu.Fragment != "" || pu.Hostname() == "" {
			return nil, fmt.Errorf("%w: replica=%q is not host or host:port", ErrBadURL, h)
		}
		r := base
		r.Options = base.Options
		r.Host, r.Port = pu.Hostname(), 0
		if p := pu.Port(); p != "" {
			if r.Port, err = strconv.Atoi(p); err != nil || r.Port <= 0 || r.Port > 65535 {
				return nil, fmt.Errorf("%w: replica=%q: bad port %q", ErrBadURL, h, p)
			}
		}
		out = append(out, &r)
	}
	return out, nil
}

// start connects to each replica and starts the health checks. A replica
// that cannot be reached now starts unhealthy: the checks keep trying it.
func (s *replicaSet) start(ctx context.Context, drv Driver, cfg PoolConfig) {
	for _, r := range s.list {
		r.drv, r.cfg = drv, cfg
		s.check(ctx, r)
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(1)
	go s.loop(loopCtx)
}

// loop checks every replica at each interval, until close.
func (s *replicaSet) loop(ctx context.Context) {
	defer s.wg.Done()
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, r := range s.list {
				s.check(ctx, r)
			}
		}
	}
}

// check connects to the replica if it has no pool yet, then runs its health
// check, and records whether reads may go to it. It reports whether it is
// healthy.
func (s *replicaSet) check(ctx context.Context, r *replica) bool {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	p, err := r.connect(ctx)
	if err == nil {
		var pos uint64
		if pos, err = r.position(ctx, p); err == nil {
			r.sawReplay(pos)
		}
	}
	r.mu.Lock()
	r.lastErr = err
	r.mu.Unlock()
	r.up.Store(err == nil)
	return err == nil
}

// connect returns the replica's pool, opening it on first success.
func (r *replica) connect(ctx context.Context) (Pool, error) {
	if p := r.pool.Load(); p != nil {
		return p.Pool, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.pool.Load(); p != nil {
		return p.Pool, nil
	}
	p, err := r.drv.Open(ctx, r.url, r.cfg)
	if err != nil {
		return nil, err
	}
	r.pool.Store(&poolRef{p})
	return p, nil
}

// position runs the health check query on p: on PostgreSQL it returns the
// replica's replay position (the largest position when the server is not
// replaying, being no standby), elsewhere 0.
func (r *replica) position(ctx context.Context, p Pool) (uint64, error) {
	if r.d != Postgres {
		_, err := queryValue(ctx, p, "SELECT 1")
		return 0, err
	}
	v, err := queryValue(ctx, p, "SELECT pg_last_wal_replay_lsn()::text")
	if err != nil || v == nil {
		return ^uint64(0), err
	}
	s, _ := v.(string)
	return parseLSN(s)
}

// sawReplay records a replay position, keeping the largest seen.
func (r *replica) sawReplay(pos uint64) {
	for {
		old := r.replay.Load()
		if pos <= old || r.replay.CompareAndSwap(old, pos) {
			return
		}
	}
}

// caughtUp reports whether the replica has replayed up to pos, asking it
// when the position last seen is behind.
func (s *replicaSet) caughtUp(ctx context.Context, r *replica, pos uint64) bool {
	if r.replay.Load() >= pos {
		return true
	}
	p := r.pool.Load()
	if p == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	got, err := r.position(ctx, p.Pool)
	if err != nil {
		return false
	}
	r.sawReplay(got)
	return got >= pos
}

// pick returns the next healthy replica, round robin, that has replayed up
// to need (0: any), or nil when there is none.
func (s *replicaSet) pick(ctx context.Context, need uint64) *replica {
	n := uint64(len(s.list))
	start := s.next.Add(1)
	for i := range n {
		r := s.list[(start+i)%n]
		if !r.up.Load() || r.pool.Load() == nil {
			continue
		}
		if need == 0 || s.caughtUp(ctx, r, need) {
			return r
		}
	}
	return nil
}

// failed is called when a read failed on r: it checks r at once and reports
// whether r is down (so that the read may go elsewhere) rather than the
// statement itself wrong.
func (s *replicaSet) failed(ctx context.Context, r *replica) bool {
	if ctx.Err() != nil {
		return false
	}
	return !s.check(context.WithoutCancel(ctx), r)
}

// close stops the health checks and closes the replicas' pools.
func (s *replicaSet) close() error {
	s.cancel()
	s.wg.Wait()
	var errs []error
	for _, r := range s.list {
		r.up.Store(false)
		if p := r.pool.Load(); p != nil {
			if err := p.Close(); err != nil {
				errs = append(errs, fmt.Errorf("replica %s: %w", r.url, err))
			}
		}
	}
	return errors.Join(errs...)
}

func (s *replicaSet) stats() []ReplicaStats {
	out := make([]ReplicaStats, len(s.list))
	for i, r := range s.list {
		r.mu.Lock()
		err := r.lastErr
		r.mu.Unlock()
		out[i] = ReplicaStats{Replica: r.index, URL: r.url.String(), Healthy: r.up.Load(), Err: err}
		if p := r.pool.Load(); p != nil {
			out[i].PoolStats = p.Stats()
		}
	}
	return out
}

// HasReplicas reports whether the Database was opened with read replicas.
func (db *Database) HasReplicas() bool { return db.replicas != nil }

// queryValue runs a query on r and returns the first column of its first
// row (nil when there is none).
func queryValue(ctx context.Context, r Runner, sql string) (any, error) {
	cur, err := r.Query(ctx, sql, nil)
	if err != nil {
		return nil, err
	}
	var v any
	if cur.Next() {
		dst := make([]any, len(cur.Columns()))
		if err = cur.Scan(dst); err == nil && len(dst) > 0 {
			v = dst[0]
		}
	}
	if cerr := cur.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = cur.Err()
	}
	return v, err
}

// parseLSN reads a PostgreSQL WAL position ("16/B374D848") as a number.
func parseLSN(s string) (uint64, error) {
	var hi, lo uint32
	if n, err := fmt.Sscanf(s, "%X/%X", &hi, &lo); err != nil || n != 2 {
		return 0, fmt.Errorf("core: %q is not a WAL position", s)
	}
	return uint64(hi)<<32 | uint64(lo), nil
}

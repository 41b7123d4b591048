package core

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// retryPolicy is what Retry and RetryLockTimeout ask of Transaction.
type retryPolicy struct {
	retries     int
	backoff     time.Duration
	given       bool // Retry was among the options
	lockTimeout bool // RetryLockTimeout was
	err         error
}

func (o *TxOptions) retryPolicy() *retryPolicy {
	if o.retry == nil {
		o.retry = &retryPolicy{}
	}
	return o.retry
}

// Retry makes Transaction run its function again, from the start and in a
// new transaction, up to n more times, when the transaction fails in a way
// that running it again may fix:
//
//   - a serialization failure (ErrSerialization: PostgreSQL's SQLSTATE 40001,
//     SQLite's SQLITE_BUSY_SNAPSHOT) or a deadlock (ErrDeadlock: SQLSTATE
//     40P01, MySQL and MariaDB error 1213, which is also how MariaDB Galera
//     reports a certification conflict, at COMMIT);
//   - a connection lost before COMMIT was sent (ErrConnectionLost): the work
//     was not committed, so running it again on another connection is safe
//     (a server restarting, a Galera node leaving its cluster);
//   - with RetryLockTimeout also, a lock wait that timed out (ErrLockTimeout).
//
// Nothing else is retried: not the error of a constraint or of fn's own
// making, not a cancelled context, and never a COMMIT whose outcome is
// unknown (ErrCommitUnknown), which running fn again could apply twice.
//
// Between attempts Transaction waits, jittered exponential backoff: before
// retry k a random time between half and all of backoff*2^(k-1) (the
// exponent stops growing at 10), so that transactions that collided spread
// out. A context that ends stops the waiting and the retrying at once;
// Transaction then returns the context's error joined with the last
// attempt's. When the retries run out, the error wraps the last attempt's:
// errors.Is(err, core.ErrDeadlock) still holds.
//
// Every attempt is a transaction of its own, so what packages built on core
// keep per transaction (the orm's identity scope) starts afresh, and
// rollback undoes what the failed attempt did to objects (see the orm's
// journal). fn must be safe to run more than once: effects outside the
// database (a message sent, a counter in memory) happen once per attempt.
//
// Retry applies to an outermost Transaction. On a nested one (a savepoint)
// it is ignored: a serialization failure or deadlock aborts the whole
// transaction on PostgreSQL and MySQL, so only the outermost one can run
// again, and a function that asks for Retry still composes inside a larger
// transaction, whose own Retry (if any) then covers it. Begin refuses Retry.
func Retry(n int, backoff time.Duration) TxOption {
	return func(o *TxOptions) {
		p := o.retryPolicy()
		p.given, p.retries, p.backoff = true, n, backoff
		if n < 0 || backoff < 0 {
			p.err = fmt.Errorf("%w: Retry(%d, %v): the count and the backoff cannot be negative", ErrBadQuery, n, backoff)
		}
	}
}

// RetryLockTimeout makes Retry also retry a transaction that failed because
// a lock was not granted in time (ErrLockTimeout: MySQL's error 1205,
// PostgreSQL's SQLSTATE 55P03, SQLite's SQLITE_BUSY once its busy timeout
// ran out). It is off by default: a lock wait timeout usually means a
// transaction that holds locks for too long, which retrying hides, and on
// MySQL the statement alone was rolled back, not the transaction. Use it
// together with Retry.
func RetryLockTimeout() TxOption {
	return func(o *TxOptions) { o.retryPolicy().lockTimeout = true }
}

// retryTransaction is Transaction with a retry policy.
func (db *Database) retryTransaction(ctx context.Context, fn func(ctx context.Context) error, o TxOptions) error {
	p := o.retry
	o.retry = nil
	switch {
	case p.err != nil:
		return p.err
	case !p.given:
		return fmt.Errorf("%w: RetryLockTimeout needs Retry(n, backoff) as well", ErrBadQuery)
	}
	if txFrom(ctx, db) != nil {
		// A savepoint: the enclosing transaction is what can run again.
		return db.transaction(ctx, fn, o)
	}
	var err error
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			timer := time.NewTimer(p.wait(attempt))
			select {
			case <-ctx.Done():
				timer.Stop()
				return errors.Join(ctx.Err(), err)
			case <-timer.C:
			}
		}
		err = db.transaction(ctx, fn, o)
		if err == nil || !p.retryable(err) {
			return err
		}
		if ctx.Err() != nil {
			return errors.Join(ctx.Err(), err)
		}
		if attempt == p.retries {
			return fmt.Errorf("core: transaction failed after %d attempts, the last with: %w", attempt+1, err)
		}
	}
}

// retryable reports whether a failed attempt may be run again.
func (p *retryPolicy) retryable(err error) bool {
	switch {
	case errors.Is(err, ErrCommitUnknown), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.Is(err, ErrSerialization), errors.Is(err, ErrDeadlock), errors.Is(err, ErrConnectionLost):
		return true
	}
	return p.lockTimeout && errors.Is(err, ErrLockTimeout)
}

// maxBackoffShift bounds the growth of the backoff: 2^10 times the first.
const maxBackoffShift = 10

// wait is the jittered pause before the given retry (1 for the first).
func (p *retryPolicy) wait(retry int) time.Duration {
	d := p.backoff
	for i := 1; i < retry && i <= maxBackoffShift && d <= math.MaxInt64/2; i++ {
		d *= 2
	}
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// commitError classifies the error of an outermost COMMIT: one that came
// with no answer from the server (a lost connection, a context that ended
// while COMMIT was in flight) leaves the outcome unknown.
func commitError(err error) error {
	if err == nil {
		return nil
	}
	werr := wrapError(err, "COMMIT")
	if errors.Is(werr, ErrConnectionLost) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrCommitUnknown, werr)
	}
	return werr
}

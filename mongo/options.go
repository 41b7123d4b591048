package mongo

import (
	"fmt"

	"github.com/atomdb/atomdb/lookups"
)

// FindOption changes what Find, FindOne and Iterate return.
type FindOption func(*findConfig)

type findConfig struct {
	sort       []string
	limit      int64
	skip       int64
	projection []string
	force      bool
	err        error
}

// ForceRestore makes the objects a read returns hold what the documents
// hold, every field, even those changed and not saved yet (which a read
// otherwise keeps, see Manager.Find).
func ForceRestore() FindOption {
	return func(c *findConfig) { c.force = true }
}

// Sort orders the results by the given fields, each a lookups-style path
// ("author___id", "title") or a dotted one ("author._id"), with a leading
// "-" for descending order.
func Sort(fields ...string) FindOption {
	return func(c *findConfig) { c.sort = append(c.sort, fields...) }
}

// Limit returns at most n objects (n > 0).
func Limit(n int64) FindOption {
	return func(c *findConfig) {
		if n < 0 {
			c.err = fmt.Errorf("%w: Limit(%d): a limit may not be negative", ErrBadFilter, n)
		}
		c.limit = n
	}
}

// Skip leaves out the first n results.
func Skip(n int64) FindOption {
	return func(c *findConfig) {
		if n < 0 {
			c.err = fmt.Errorf("%w: Skip(%d): may not be negative", ErrBadFilter, n)
		}
		c.skip = n
	}
}

// Project reads only the given fields (and _id) of each document. Objects
// restored from projected documents are incomplete: they are not loaded,
// and they are neither taken from nor put in the identity map. Save takes
// them for new objects (an insert, which fails on their _id) and Replace
// would replace the document with what they hold, so don't.
func Project(fields ...string) FindOption {
	return func(c *findConfig) { c.projection = append(c.projection, fields...) }
}

// Option configures a Manager.
type Option func(*managerConfig)

type managerConfig struct {
	registry *lookups.Registry
	dbCache  bool
}

// WithDatabaseCache makes the manager use its database's weak identity
// cache (atom-db's behaviour) for calls whose context carries no scope:
// every such call of every manager made with this option shares one object
// per _id for as long as something refers to it, and a read refreshes it in
// place. That suits a program with one goroutine, a script or a test. In a
// server it shares objects between requests: one request's unsaved edits
// are seen (and saved) by another, and concurrent reads write the same
// objects (a data race). Use WithScope per request instead.
func WithDatabaseCache() Option {
	return func(c *managerConfig) { c.dbCache = true }
}

// WithRegistry makes the manager parse lookups with reg instead of
// lookups.DefaultRegistry.
func WithRegistry(reg *lookups.Registry) Option {
	return func(c *managerConfig) { c.registry = reg }
}

// Package lookups turns Django-style "name__op" conditions into goqu
// expressions for PostgreSQL, MySQL/MariaDB and SQLite. It parses a condition
// into a neutral tree first, which the orm resolves against its models and
// the mongo package compiles to BSON, so this package knows neither models
// nor MongoDB.
//
// # Conditions
//
// A Q is the AND of its entries; And, Or and Not combine conditions to any
// depth; a goqu expression is a condition too and passes through untouched:
//
//	lookups.Q{"album__name__iexact": "malibu", "position__lte": 2}
//	lookups.Or(lookups.Q{"position__lt": 2}, lookups.Q{"position__gt": 9})
//	lookups.And(lookups.Q{"title__contains": "%"}, lookups.Not(lookups.Q{"album": nil}))
//	lookups.Or(lookups.Q{"id": 1}, goqu.L("position % 2 = 0"))
//
// A key is a field path, optionally followed by transforms and a lookup,
// joined by "__": "title" (exact), "title__icontains", "album__name"
// (through a relation, which the orm resolves), "created__year__gte". "pk"
// names the primary key, whatever the field is called.
//
// # Lookups
//
//	exact       = value; nil gives IS NULL
//	iexact      LOWER(column) = LOWER(value), nil gives IS NULL
//	contains    the value as a literal substring (its %, _ and \ are escaped)
//	icontains   the same, ignoring case
//	startswith, istartswith, endswith, iendswith   likewise for prefix and suffix
//	in          IN (values...); an empty list matches no row (no SQL error), nils are dropped;
//	            a goqu subquery is used as it is
//	gt, gte, lt, lte   >, >=, <, <=
//	range       BETWEEN a AND b, both included: exactly two values
//	isnull      IS NULL for true, IS NOT NULL for false; only a bool
//	regex, iregex      regular expression match, case-sensitive or not
//	ne, not     != value; nil gives IS NOT NULL (atom-db's names)
//	notin       NOT IN (values...); an empty list matches every row
//	is, isnot   IS / IS NOT with nil, true or false
//	like, ilike the value as a raw LIKE pattern: % and _ are wildcards and \ escapes
//
// Values are always bound parameters, never SQL text. A goqu expression as
// the value of a comparison (goqu.C("other_column")) is used as it is.
//
// # Transforms
//
// year, iso_year, quarter, month, week, day, week_day, iso_week_day, hour,
// minute, second and date take a date or timestamp field (hour, minute and
// second a timestamp) and come before the lookup: "created__year",
// "created__year__gte", "created__date__lt", "created__week_day__in". They
// read the UTC instant on every dialect. week_day is Django's: 1 is Sunday,
// 7 is Saturday; iso_week_day is ISO 8601's: 1 is Monday, 7 is Sunday; week
// and iso_year are the ISO 8601 week (1 to 53) and the year it belongs to. The integer transforms compare with integers (an integral
// float or a decimal string is converted); date compares with a time.Time,
// of which it takes the calendar date in the time's own location, or a
// "2006-01-02" string.
//
// # Parsing
//
// Parse turns a condition into Nodes: *Leaf (one key: Path, Transforms,
// Lookup, Value), *AndNode, *OrNode, *NotNode, *RawNode (a goqu
// expression) and *ExistsNode (Exists of a subquery). It decides what is a lookup and what a transform with a
// Registry and reports an empty key or part (ErrEmptyLookup). Parsing is
// syntactic: the resolver, which knows the model, settles what a name in a
// path means (a field of a related model named "gt" or "year" is that field)
// and reports a lookup that is not last (ErrUnknownLookup); the values of
// the built-in lookups (isnull takes a bool, in a slice, range two values,
// ...) are checked when a leaf is compiled (Registry.CheckValue).
//
// # Compiling
//
// The orm resolves a Leaf's Path to a Field (its column, dialect, type kind
// and nullability) and calls Registry.Compile; CompileNode walks a whole tree
// and calls back for each leaf:
//
//	expr, err := lookups.CompileNode(node, func(l *lookups.Leaf) (lookups.Field, error) {
//	    return lookups.Field{Model: "Track", Name: l.Path[0], Column: goqu.C(l.Path[0]),
//	        Dialect: db.Dialect(), Kind: core.KindString}, nil
//	}, nil)
//	rows, err := db.FetchAll(ctx, goqu.From("tracks").Where(expr))
//
// Not follows Django's exclude: Not(Q{"rating__lt": 3}) also keeps the rows
// whose nullable rating is NULL (see CompileNode).
//
// # Custom lookups and transforms
//
// A Registry holds the lookups and transforms by name. NewRegistry makes one
// with the built-ins; Register and RegisterTransform add to it:
//
//	reg := lookups.NewRegistry()
//	err := reg.Register("divisible_by", func(op lookups.Operand, v any) (exp.Expression, error) {
//	    return goqu.L("(MOD(?, ?) = 0)", op.Expr, v), nil
//	})
//
// DefaultRegistry, used wherever a nil registry is given, is a convenience
// instance: register on it only during initialisation, or give the orm a
// registry of your own.
//
// # Dialect differences
//
// The same condition gives the same rows on every backend; the SQL differs:
//
//   - LIKE patterns escape \, % and _ with a backslash and say so with an
//     ESCAPE clause: E'\\' on PostgreSQL, '\\' on MySQL (a single backslash in
//     MySQL's string syntax; the NO_BACKSLASH_ESCAPES SQL mode is not
//     supported), '\' on SQLite. SQLite's LIKE ignores ASCII case, so the
//     case-sensitive pattern lookups use GLOB there, with the pattern
//     translated. SQLite's LIKE and GLOB also stop at a NUL byte, so
//     contains, endswith (and startswith with a NUL, and the i-forms)
//     compare bytes there instead (instr and substr of BLOBs); PostgreSQL
//     text cannot hold a NUL, so a value with one matches nothing there.
//   - The case-insensitive lookups compare LOWER of both sides. SQLite's own
//     lower() changes ASCII letters only; core registers a Unicode-aware
//     lower (and upper) on every SQLite connection, so "ÄBC" iexact "äbc"
//     holds everywhere. On PostgreSQL, LOWER follows the database's LC_CTYPE
//     (a database created with the C locale folds ASCII only).
//   - MySQL compares with the column's collation: atomdb creates tables in
//     utf8mb4_bin, which is case-sensitive like PostgreSQL and SQLite. It is
//     also a PAD SPACE collation: on MySQL, exact ignores trailing spaces
//     ('a' = 'a '); the pattern lookups do not.
//   - regex is ~ and iregex ~* on PostgreSQL (POSIX regular expressions);
//     REGEXP elsewhere (PCRE on MariaDB, ICU on MySQL 8, regexp2 on SQLite,
//     registered by core: a backtracking engine with Perl's syntax and
//     backreferences), with "(?i)" put before the pattern for iregex. Keep
//     to the syntax they share (the README lists it).
//   - A subquery compared as one value (exact, gt, ...) that returns several
//     rows is an error everywhere: on SQLite, which would take the first
//     row, core's atomdb_single_row raises it.
//   - Numbers compared as text (iexact, contains on an integer) are cast to
//     TEXT on SQLite and PostgreSQL.
//   - On PostgreSQL the pattern lookups cast a column whose Field.Kind is
//     neither String nor Text (nor unknown) to TEXT.
//   - SQLite keeps timestamps as text and compares them as text, so bound
//     time values are put in UTC; rows must be stored in UTC too for
//     gt/lt/range on timestamps to order correctly there (the date
//     transforms read any offset).
//
// # Errors
//
// Every error about a condition is an *Error that names the model (when
// known) and the key and wraps ErrUnknownField, ErrUnknownLookup,
// ErrEmptyLookup or ErrBadValue:
//
//	lookups: Track: unknown lookup "foo" in "title__foo"
package lookups

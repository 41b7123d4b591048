package lookups

import (
	"strings"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// Pattern matching, per dialect. The pattern is always a bound value; only
// the ESCAPE literal is SQL text.
//
//   - PostgreSQL: LIKE with ESCAPE E'\\' (one backslash, whatever
//     standard_conforming_strings says). A column that is not text is cast
//     to TEXT first, since PostgreSQL has no LIKE, LOWER or ~ for numbers,
//     timestamps or UUIDs.
//   - MySQL/MariaDB: LIKE with ESCAPE '\\' (MySQL string literals treat the
//     backslash as an escape, so this is one backslash; with the
//     NO_BACKSLASH_ESCAPES SQL mode the statement fails instead of matching
//     wrongly). atomdb's tables use utf8mb4_bin, so LIKE is case-sensitive.
//   - SQLite: LIKE ignores ASCII case and has no way to stop doing so per
//     statement, so the case-sensitive forms use GLOB with the pattern
//     translated (% to *, _ to ?, and *, ? and [ written as [*], [?], [[]);
//     the case-insensitive forms use lower() LIKE lower() ESCAPE '\', where
//     lower is core's Unicode-aware replacement of SQLite's ASCII-only one.
//
// The case-insensitive forms compare LOWER of both sides on every dialect.

// likeEscaper escapes the characters special in a LIKE pattern whose escape
// character is the backslash.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// EscapeLike returns s with the backslash, % and _ escaped by a backslash, so
// that a LIKE pattern built from it (with ESCAPE '\') matches s literally.
func EscapeLike(s string) string { return likeEscaper.Replace(s) }

// likeToGlob translates a LIKE pattern with backslash escapes into an
// equivalent GLOB pattern. A trailing lone backslash stands for itself.
func likeToGlob(p string) string {
	var b strings.Builder
	b.Grow(len(p) + 8)
	escaped := false
	for _, r := range p {
		if !escaped {
			switch r {
			case '\\':
				escaped = true
				continue
			case '%':
				b.WriteByte('*')
				continue
			case '_':
				b.WriteByte('?')
				continue
			}
		}
		escaped = false
		switch r {
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteRune(r)
			b.WriteByte(']')
		default:
			b.WriteRune(r)
		}
	}
	if escaped {
		b.WriteByte('\\')
	}
	return b.String()
}

// textOperand returns op's expression as text: on PostgreSQL, cast to TEXT
// when its kind is known and is not a string; on SQLite, cast to TEXT when
// it is a number (SQLite's lower() of the integer 1 is the integer 1, which
// is not equal to the text '1').
func textOperand(op Operand) exp.Expression {
	switch op.Dialect() {
	case core.Postgres:
		if op.Kind != core.KindString && op.Kind != core.KindText && op.Kind != core.KindInvalid {
			return goqu.L("CAST(? AS TEXT)", op.Expr)
		}
	case core.SQLite:
		switch op.Kind {
		case core.KindSmallInt, core.KindInteger, core.KindBigInt, core.KindFloat, core.KindDouble, core.KindBoolean:
			return goqu.L("CAST(? AS TEXT)", op.Expr)
		}
	}
	return op.Expr
}

// affixMatch is "op contains, starts with or ends with s" (s taken
// literally), case-insensitive when fold is set.
//
// On SQLite, LIKE and GLOB read the pattern and the value as C strings and
// stop at a NUL byte: "%\x00%" would be "%", matching nearly every row, and a
// quote after a NUL in the column would never be seen. So SQLite compares
// the bytes themselves: contains is instr() on BLOBs, endswith and a
// startswith whose value holds a NUL compare substr() of the BLOB with the
// value; a startswith with no NUL stays a GLOB (which an index can serve,
// and which is exact for a prefix without NUL). On PostgreSQL, text cannot
// hold a NUL, so a value with one matches no row (the server would refuse
// to bind it). (substr() of an empty BLOB is NULL, hence the IFNULL: ""
// ends with nothing but "".)
func affixMatch(op Operand, s string, before, after, fold bool) exp.Expression {
	hasNUL := strings.IndexByte(s, 0) >= 0
	switch op.Dialect() {
	case core.Postgres:
		if hasNUL {
			return alwaysFalse
		}
	case core.SQLite:
		lhs, rhs := exp.Expression(textOperand(op)), any(s)
		if fold {
			lhs, rhs = goqu.L("lower(?)", lhs), goqu.L("lower(?)", s)
		}
		switch {
		case s == "":
			return goqu.L("(? IS NOT NULL)", op.Expr)
		case before && after:
			return goqu.L("(instr(CAST(? AS BLOB), CAST(? AS BLOB)) > 0)", lhs, rhs)
		case before:
			return goqu.L("(IFNULL(substr(CAST(? AS BLOB), ?), x'') = CAST(? AS BLOB))", lhs, -len(foldIf(s, fold)), rhs)
		case hasNUL || fold:
			return goqu.L("(IFNULL(substr(CAST(? AS BLOB), 1, ?), x'') = CAST(? AS BLOB))", lhs, len(foldIf(s, fold)), rhs)
		}
	}
	p := EscapeLike(s)
	if before {
		p = "%" + p
	}
	if after {
		p += "%"
	}
	return likeMatch(op, p, fold)
}

// foldIf returns s lower-cased as SQLite's lower() (core's, Go's
// strings.ToLower) does when fold is set, so that its length in bytes is
// that of lower(s).
func foldIf(s string, fold bool) string {
	if fold {
		return strings.ToLower(s)
	}
	return s
}

// likeMatch is "op LIKE pattern" (pattern with backslash escapes),
// case-insensitive when fold is set.
func likeMatch(op Operand, pattern string, fold bool) exp.Expression {
	if !op.Dialect().Caps().TextHoldsNUL && strings.IndexByte(pattern, 0) >= 0 {
		return alwaysFalse // text cannot hold a NUL
	}
	lhs := textOperand(op)
	switch op.Dialect() {
	case core.SQLite:
		if !fold {
			return goqu.L("(? GLOB ?)", lhs, likeToGlob(pattern))
		}
		return goqu.L(`(lower(?) LIKE lower(?) ESCAPE '\')`, lhs, pattern)
	case core.MySQL:
		if !fold {
			return goqu.L(`(? LIKE ? ESCAPE '\\')`, lhs, pattern)
		}
		return goqu.L(`(LOWER(?) LIKE LOWER(?) ESCAPE '\\')`, lhs, pattern)
	}
	if !fold {
		return goqu.L(`(? LIKE ? ESCAPE E'\\')`, lhs, pattern)
	}
	return goqu.L(`(LOWER(?) LIKE LOWER(?) ESCAPE E'\\')`, lhs, pattern)
}

// regexMatch is "op matches the regular expression pattern",
// case-insensitive when fold is set.
func regexMatch(op Operand, pattern string, fold bool) exp.Expression {
	lhs := textOperand(op)
	c := op.Dialect().Caps()
	operator := c.Regexp
	if fold && c.RegexpFold != "" {
		operator = c.RegexpFold
	} else if fold {
		// MariaDB (PCRE), MySQL 8 (ICU) and regexp2 (core's REGEXP on
		// SQLite) all take the inline flag.
		pattern = "(?i)" + pattern
	}
	return goqu.L("(? "+operator+" ?)", lhs, pattern)
}

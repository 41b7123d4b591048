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
// when its kind is known and is not a string.
func textOperand(op Operand) exp.Expression {
	if op.Dialect() == core.Postgres && op.Kind != core.KindString && op.Kind != core.KindText && op.Kind != core.KindInvalid {
		return goqu.L("CAST(? AS TEXT)", op.Expr)
	}
	return op.Expr
}

// likeMatch is "op LIKE pattern" (pattern with backslash escapes),
// case-insensitive when fold is set.
func likeMatch(op Operand, pattern string, fold bool) exp.Expression {
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
	if op.Dialect() == core.Postgres {
		if fold {
			return goqu.L("(? ~* ?)", lhs, pattern)
		}
		return goqu.L("(? ~ ?)", lhs, pattern)
	}
	// MariaDB (PCRE), MySQL 8 (ICU) and Go's regexp (core's REGEXP on
	// SQLite) all take the inline flag.
	if fold {
		pattern = "(?i)" + pattern
	}
	return goqu.L("(? REGEXP ?)", lhs, pattern)
}

package relations

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"

	"github.com/atomdb/atomdb/core"
	"github.com/doug-martin/goqu/v9"
	"github.com/doug-martin/goqu/v9/exp"
)

// KeyConditions returns the conditions that together select the rows whose
// col is one of keys, one condition per statement to send. On PostgreSQL it
// is a single col = ANY($1) with the keys as one array parameter, however
// many there are (elemType is the array's element type, such as "bigint";
// "" sends a plain IN list instead). Elsewhere keys are split into IN lists
// that keep each statement under the dialect's bound-parameter limit, less
// reserve parameters the rest of the statement uses. Duplicate keys are sent
// once. No keys give no conditions: there is nothing to query.
func KeyConditions(d *core.Dialect, col exp.IdentifierExpression, keys []any, elemType string, reserve int) []exp.Expression {
	keys = unique(keys)
	if len(keys) == 0 {
		return nil
	}
	if d.Caps().Arrays && elemType != "" {
		return []exp.Expression{goqu.L("? = ANY(CAST(? AS "+elemType+"[]))", col, pgArray(keys))}
	}
	size := max(1, d.MaxParams()-reserve)
	var out []exp.Expression
	for start := 0; start < len(keys); start += size {
		out = append(out, col.In(keys[start:min(start+size, len(keys))]))
	}
	return out
}

func unique(keys []any) []any {
	seen := make(map[any]bool, len(keys))
	out := make([]any, 0, len(keys))
	for _, k := range keys {
		if k == nil || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, k)
	}
	return out
}

// pgArray is the keys as one parameter: PostgreSQL's text form of an array
// ({1,2,3}, {"a,b","c"}), which the CAST in the condition turns into the
// typed array. goqu would spread a Go slice into a list of parameters; a
// driver.Valuer giving text it binds as one.
type pgArray []any

// Value renders the array, quoting every element that is not a number.
func (a pgArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		if v, ok := k.(driver.Valuer); ok {
			dv, err := v.Value()
			if err != nil {
				return nil, err
			}
			k = dv
		}
		switch v := k.(type) {
		case int64:
			b.WriteString(strconv.FormatInt(v, 10))
		case int:
			b.WriteString(strconv.Itoa(v))
		case []byte:
			quoteElement(&b, string(v))
		default:
			quoteElement(&b, fmt.Sprint(v))
		}
	}
	b.WriteByte('}')
	return b.String(), nil
}

func quoteElement(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
}

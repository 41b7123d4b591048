package relations

import (
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
	if d == core.Postgres && elemType != "" {
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

// pgArray is the keys as one array parameter pgx can encode: a typed slice
// when they share a type, so the statement is cached as one shape.
func pgArray(keys []any) any {
	switch keys[0].(type) {
	case int64:
		out := make([]int64, 0, len(keys))
		for _, k := range keys {
			v, ok := k.(int64)
			if !ok {
				return keys
			}
			out = append(out, v)
		}
		return out
	case string:
		out := make([]string, 0, len(keys))
		for _, k := range keys {
			v, ok := k.(string)
			if !ok {
				return keys
			}
			out = append(out, v)
		}
		return out
	}
	return keys
}

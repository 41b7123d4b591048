package mysql

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/atomdb/atomdb/core/internal/values"
)

// mysqlConverter returns how to normalise a MySQL column's values. The text
// protocol (a statement without arguments) gives []byte for everything; the
// binary protocol gives typed values; both end up as the same Go types.
func mysqlConverter(typeName string) func(any) any {
	typeName = strings.TrimPrefix(typeName, "UNSIGNED ")
	switch typeName {
	case "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "BIGINT", "YEAR":
		return mysqlInt
	case "FLOAT":
		return func(v any) any {
			switch v := v.(type) {
			case float32:
				return values.Float32To64(v)
			case []byte:
				f, err := strconv.ParseFloat(string(v), 64)
				if err != nil {
					return string(v)
				}
				return f
			}
			return v
		}
	case "DOUBLE":
		return func(v any) any {
			if b, ok := v.([]byte); ok {
				f, err := strconv.ParseFloat(string(b), 64)
				if err != nil {
					return string(b)
				}
				return f
			}
			return v
		}
	case "BIT":
		return mysqlBit
	case "DATE", "DATETIME", "TIMESTAMP":
		return func(v any) any {
			if t, ok := v.(time.Time); ok {
				return t.UTC()
			}
			return v
		}
	case "BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "BINARY", "VARBINARY", "GEOMETRY", "VECTOR":
		return nil
	}
	// CHAR, VARCHAR, the TEXTs, DECIMAL, JSON, ENUM, SET, TIME and anything
	// unknown: text.
	return func(v any) any {
		if b, ok := v.([]byte); ok {
			return string(b)
		}
		return v
	}
}

func mysqlInt(v any) any {
	switch v := v.(type) {
	case []byte:
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return n
		}
		if n, err := strconv.ParseUint(string(v), 10, 64); err == nil {
			return n // an UNSIGNED BIGINT above math.MaxInt64
		}
		return string(v)
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v)
		}
	}
	return v
}

// mysqlBit reads BIT columns: a one-byte value (BIT(1), atomdb's boolean
// column) as bool, wider ones as an unsigned integer.
func mysqlBit(v any) any {
	b, ok := v.([]byte)
	if !ok {
		return v
	}
	if len(b) == 1 {
		return b[0] != 0
	}
	var buf [8]byte
	if len(b) > 8 {
		return b
	}
	copy(buf[8-len(b):], b)
	n := binary.BigEndian.Uint64(buf[:])
	if n <= math.MaxInt64 {
		return int64(n)
	}
	return n
}

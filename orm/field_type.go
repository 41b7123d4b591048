package orm

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// baseType is the field's type with pointers and sql.Null wrappers removed.
func (f *field) baseType() reflect.Type {
	t := f.typ
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if inner, ok := nullTypeKinds[t]; ok {
		return inner
	}
	return t
}

// resolveType sets the column type from the Go type and the tag options.
func (f *field) resolveType(typeName string, size, precision, scale int) error {
	t := f.typ
	if t.Kind() == reflect.Pointer {
		f.nullable = true
		t = t.Elem()
	}
	if inner, ok := nullTypeKinds[t]; ok {
		f.nullable = true
		t = inner
	}
	if typeName != "" {
		ct, err := namedType(typeName, size, precision, scale)
		if err != nil {
			return err
		}
		f.ctype = ct
		return nil
	}
	if f.conv != nil {
		f.ctype = f.conv.Type
		return nil
	}
	switch {
	case f.json:
		f.ctype = core.JSON()
		return nil
	case t == timeType:
		f.ctype = core.Timestamp()
		return nil
	case t == decimalType:
		if precision == 0 {
			precision = 30
		}
		if scale == 0 && precision == 30 {
			scale = 10
		}
		f.ctype = core.Decimal(precision, scale)
		return nil
	case t == uuidType:
		f.ctype = core.UUID()
		return nil
	case t == clockType:
		f.ctype = core.Time()
		return nil
	case t == bytesType || t == rawJSONType:
		f.ctype = core.Bytes()
		return nil
	}
	switch t.Kind() {
	case reflect.Bool:
		f.ctype = core.Boolean()
	case reflect.Int8, reflect.Int16, reflect.Uint8:
		f.ctype = core.SmallInt()
	case reflect.Int32, reflect.Uint16:
		f.ctype = core.Integer()
	case reflect.Int, reflect.Int64, reflect.Uint32:
		f.ctype = core.BigInt()
	case reflect.Uint, reflect.Uint64, reflect.Uintptr:
		f.ctype = core.BigInt()
		f.ctype.Unsigned = true
	case reflect.Float32:
		f.ctype = core.Float()
	case reflect.Float64:
		f.ctype = core.Double()
	case reflect.String:
		if size == 0 {
			size = 255
		}
		f.ctype = core.String(size)
	default:
		if reflect.PointerTo(t).Implements(scannerType) && (t.Implements(valuerType) || reflect.PointerTo(t).Implements(valuerType)) {
			f.ctype = core.Text() // a Scanner/Valuer of unknown shape: say type=... to choose
			return nil
		}
		switch t.Kind() {
		case reflect.Map, reflect.Slice, reflect.Array, reflect.Struct:
			return fmt.Errorf("%w: type %s is not stored by default: tag it orm:\"json\" to store it as JSON, orm:\"-\" to leave it out, or give the model a Converter for it", ErrInvalidModel, f.typ)
		}
		return fmt.Errorf("%w: unsupported field type %s", ErrInvalidModel, f.typ)
	}
	if size != 0 && t.Kind() != reflect.String {
		return fmt.Errorf("%w: size= applies to strings, not %s", ErrInvalidModel, f.typ)
	}
	return nil
}

// namedType reads the type= option.
func namedType(name string, size, precision, scale int) (core.Type, error) {
	switch strings.ToLower(name) {
	case "text":
		return core.Text(), nil
	case "string", "varchar":
		if size == 0 {
			size = 255
		}
		return core.String(size), nil
	case "decimal", "numeric":
		if precision == 0 {
			return core.Type{}, fmt.Errorf("%w: type=%s needs precision=", ErrInvalidModel, name)
		}
		return core.Decimal(precision, scale), nil
	case "json":
		return core.JSON(), nil
	case "uuid":
		return core.UUID(), nil
	case "bytes", "blob", "binary":
		return core.Bytes(), nil
	case "date":
		return core.Date(), nil
	case "timestamp", "datetime":
		return core.Timestamp(), nil
	case "boolean", "bool":
		return core.Boolean(), nil
	case "smallint":
		return core.SmallInt(), nil
	case "integer", "int":
		return core.Integer(), nil
	case "bigint":
		return core.BigInt(), nil
	case "float", "real":
		return core.Float(), nil
	case "double":
		return core.Double(), nil
	}
	return core.Type{}, fmt.Errorf("%w: unknown type=%q", ErrInvalidModel, name)
}

// parseDefault converts the default= text to a value of the field's type.
func parseDefault(f *field, text string) (any, error) {
	t := f.baseType()
	if f.json || f.conv != nil {
		return nil, fmt.Errorf("%w: default= is not supported on JSON or converted fields", ErrInvalidModel)
	}
	v := reflect.New(t).Elem()
	switch {
	case t == timeType:
		if strings.EqualFold(text, "now") {
			return nil, fmt.Errorf("%w: use auto_now_add for the current time", ErrInvalidModel)
		}
		tm, err := time.Parse(time.RFC3339Nano, text)
		if err != nil {
			return nil, err
		}
		return tm, nil
	case t == decimalType:
		return decimal.NewFromString(text)
	case t == uuidType:
		return uuid.Parse(text)
	}
	switch t.Kind() {
	case reflect.Bool:
		b, err := strconv.ParseBool(text)
		v.SetBool(b)
		return v.Interface(), err
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(text, 10, t.Bits())
		v.SetInt(n)
		return v.Interface(), err
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(text, 10, t.Bits())
		v.SetUint(n)
		return v.Interface(), err
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(text, t.Bits())
		v.SetFloat(n)
		return v.Interface(), err
	case reflect.String:
		v.SetString(text)
		return v.Interface(), nil
	}
	return nil, fmt.Errorf("%w: default= is not supported for %s", ErrInvalidModel, f.typ)
}

package orm

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/relations"
)

// tableOptions reads the tag of the embedded Model: table=..., db=...
func (info *modelInfo) tableOptions(tag string) error {
	if tag == "" {
		return nil
	}
	for _, opt := range strings.Split(tag, ",") {
		key, value, _ := strings.Cut(strings.TrimSpace(opt), "=")
		switch key {
		case "table":
			info.table = value
		case "db":
			info.database = value
		default:
			return modelErr(info.name, "Model", ErrInvalidModel, "unknown table option %q in tag %q (want table= or db=)", key, tag)
		}
		if value == "" {
			return modelErr(info.name, "Model", ErrInvalidModel, "option %q in tag %q has no value", key, tag)
		}
	}
	return nil
}

func (info *modelInfo) parseField(sf reflect.StructField, index []int, convs map[string]Converter, rel *relation, opts tagOptions) (*field, error) {
	f := &field{goName: sf.Name, index: index, typ: sf.Type, rel: rel}
	f.column = sf.Tag.Get("db")
	if f.column == "" {
		f.column = snakeCase(sf.Name)
		if rel != nil {
			f.column += "_id"
		}
	}
	f.name = f.column
	if rel != nil {
		f.name = snakeCase(sf.Name)
		rel.fk = f
	}
	bad := func(format string, args ...any) error {
		return modelErr(info.name, sf.Name, ErrInvalidModel, format, args...)
	}
	var size, precision, scale int
	var typeName, def string
	hasDefault := false
	var manual bool
	for _, opt := range opts {
		key, value, hasValue := opt.key, opt.value, opt.hasValue
		number := func() (int, error) {
			n, err := strconv.Atoi(value)
			if err != nil || n <= 0 {
				return 0, bad("option %s=%q is not a positive integer", key, value)
			}
			return n, nil
		}
		var err error
		switch key {
		case "pk":
			f.pk = true
		case "autoincrement":
			f.auto = true
		case "noautoincrement":
			manual = true
		case "unique":
			f.unique = true
		case "index":
			f.indexed = true
		case "null":
			f.nullable = true
		case "json":
			f.json = true
		case "round":
			f.round = true
		case "auto_now":
			f.autoNow = true
		case "auto_now_add":
			f.autoAdd = true
		case "fk", "o2o", "m2m", "on_delete", "on_update", "reverse", "through":
			// relation options, read by parseRelation
		case "size":
			size, err = number()
		case "precision":
			precision, err = number()
		case "scale":
			scale, err = strconv.Atoi(value)
			if err != nil || scale < 0 {
				err = bad("option scale=%q is not a non-negative integer", value)
			}
		case "type":
			typeName = value
		case "default":
			def, hasDefault = value, true
		case "renamed_from":
			f.renamed = value
		default:
			return nil, bad("unknown option %q in tag `orm:%q`", key, sf.Tag.Get("orm"))
		}
		if err != nil {
			return nil, err
		}
		if takesValue[key] != hasValue {
			if hasValue {
				return nil, bad("option %q takes no value", key)
			}
			return nil, bad("option %q needs a value (%s=...)", key, key)
		}
	}
	if c, ok := convs[f.name]; ok {
		f.conv = &c
	} else if c, ok := convs[f.goName]; ok {
		f.conv = &c
	}
	if rel != nil {
		// The column takes the type of the target's key, known once ready.
		if typeName != "" || size != 0 || f.conv != nil || f.json || hasDefault || f.pk || f.auto || f.round {
			return nil, bad("a relation takes no type, size, converter, json, default, pk, autoincrement or round option")
		}
		f.unique = f.unique || rel.kind == relations.OneToOne
		return f, nil
	}
	if err := f.resolveType(typeName, size, precision, scale); err != nil {
		return nil, bad("%w", err)
	}
	if f.round && f.ctype.Kind != core.KindDecimal {
		return nil, bad("round applies to a decimal column")
	}
	if f.pk && f.nullable {
		return nil, bad("a primary key cannot be null")
	}
	if f.pk && isIntKind(f.typ.Kind()) && !manual {
		f.auto = true
	}
	if f.auto && (!f.pk || !isIntegerKind(f.ctype.Kind)) {
		return nil, bad("autoincrement needs an integer primary key")
	}
	if f.autoNow && f.autoAdd {
		// Django refuses the pair too: auto_now already sets the field on
		// creation, and auto_now_add would stop every later save from
		// updating it; which one the author meant cannot be guessed.
		return nil, bad("auto_now and auto_now_add are mutually exclusive: auto_now sets the field on every save, creation included")
	}
	if (f.autoNow || f.autoAdd) && f.baseType() != timeType {
		return nil, bad("auto_now and auto_now_add need a time.Time field")
	}
	if hasDefault {
		v, err := parseDefault(f, def)
		if err != nil {
			return nil, bad("default=%q: %v", def, err)
		}
		f.def = v
	}
	return f, nil
}

// takesValue says which tag options are key=value rather than flags.
var takesValue = map[string]bool{
	"size": true, "precision": true, "scale": true, "type": true, "default": true,
	"on_delete": true, "on_update": true, "reverse": true, "through": true, "renamed_from": true,
}

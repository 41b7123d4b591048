package mongo

import (
	"encoding"
	"fmt"
	"reflect"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Converter changes how one field is stored: Flatten turns the field's Go
// value into the value stored, Unflatten turns the stored value back (the
// flatten and unflatten hooks of atom-db). Make one with Convert and give it
// to a struct through its Converters method.
//
// A stored null always reads back as the field's zero value, without
// Unflatten. Values compared with the field in lookups (Q{"price__gte":
// x}) go through Flatten too when they have the field's type.
type Converter struct {
	goType    reflect.Type
	flatten   func(v reflect.Value) (any, error)
	unflatten func(raw bson.RawValue) (reflect.Value, error)
}

// Convert returns the Converter that stores a field of type F as the S that
// flatten returns, and reads it back through unflatten. S is anything the
// driver stores (string, int64, bson.D...).
//
//	// Cents are stored as "12.34", exactly.
//	mongo.Convert(func(c Cents) (string, error) { return c.String(), nil }, ParseCents)
func Convert[F, S any](flatten func(F) (S, error), unflatten func(S) (F, error)) Converter {
	return Converter{
		goType: reflect.TypeFor[F](),
		flatten: func(v reflect.Value) (any, error) {
			f, _ := v.Interface().(F) // a nil interface value stays the zero F
			return flatten(f)
		},
		unflatten: func(raw bson.RawValue) (reflect.Value, error) {
			var s S
			if err := raw.Unmarshal(&s); err != nil {
				return reflect.Value{}, err
			}
			f, err := unflatten(s)
			if err != nil {
				return reflect.Value{}, err
			}
			return reflect.ValueOf(&f).Elem(), nil
		},
	}
}

// Convertible is implemented by a struct type (a model or a struct stored
// inside one) that stores some of its fields through converters. The map's
// keys are Go field names. It is called once per type, on the zero value.
type Convertible interface {
	Converters() map[string]Converter
}

var convertibleType = reflect.TypeFor[Convertible]()

// convertersOf returns the converters struct type t declares, if any.
func convertersOf(t reflect.Type) (map[string]Converter, error) {
	var c Convertible
	switch {
	case t.Implements(convertibleType):
		c = reflect.New(t).Elem().Interface().(Convertible)
	case reflect.PointerTo(t).Implements(convertibleType):
		c = reflect.New(t).Interface().(Convertible)
	default:
		return nil, nil
	}
	convs := c.Converters()
	for name, conv := range convs {
		if conv.flatten == nil || conv.unflatten == nil {
			return nil, newError(t.String(), name, ErrBadModel, "a zero Converter (make one with mongo.Convert)", nil)
		}
	}
	return convs, nil
}

func (c Converter) check(t reflect.Type) error {
	if c.goType != t {
		return fmt.Errorf("the converter takes %s, the field is %s", c.goType, t)
	}
	return nil
}

// textConverter stores a type implementing encoding.TextMarshaler and
// TextUnmarshaler (or a pointer to one) as its text.
func textConverter(t reflect.Type) *Converter {
	return &Converter{
		goType: t,
		flatten: func(v reflect.Value) (any, error) {
			if v.Kind() == reflect.Pointer && v.IsNil() {
				return nil, nil
			}
			return textEncode(v)
		},
		unflatten: func(raw bson.RawValue) (reflect.Value, error) {
			return textDecode(raw, t)
		},
	}
}

// textEncode returns the text of v, whose type (or pointer type) implements
// encoding.TextMarshaler.
func textEncode(v reflect.Value) (any, error) {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	b, err := p.Interface().(encoding.TextMarshaler).MarshalText()
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// textDecode parses a stored string into a new value of type t (or of the
// type t points to, returning a pointer).
func textDecode(raw bson.RawValue, t reflect.Type) (reflect.Value, error) {
	s, ok := raw.StringValueOK()
	if !ok {
		return reflect.Value{}, fmt.Errorf("want a string for %s, got BSON %s", t, raw.Type)
	}
	et := t
	if t.Kind() == reflect.Pointer {
		et = t.Elem()
	}
	p := reflect.New(et)
	if err := p.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
		return reflect.Value{}, err
	}
	if t.Kind() == reflect.Pointer {
		return p, nil
	}
	return p.Elem(), nil
}

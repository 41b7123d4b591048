package orm

import (
	"errors"
	"fmt"
	"strings"

	"github.com/atomdb/atomdb/lookups"
)

// Sentinel errors: the kinds of ModelError. Every error the package returns
// names the model (and the field, where there is one) it is about, and
// wraps one of these or an error from core or lookups, so errors.Is works
// on it.
var (
	// ErrDoesNotExist: Get, First, Last or Load found no row.
	ErrDoesNotExist = errors.New("object does not exist")
	// ErrMultipleObjectsReturned: Get found more than one row.
	ErrMultipleObjectsReturned = errors.New("more than one object returned")
	// ErrInvalidModel: a struct cannot be a model as written (bad tag,
	// unsupported field type, two primary keys, ...).
	ErrInvalidModel = errors.New("invalid model")
	// ErrBadValue: a value does not fit its field, or a field name given to a
	// query set method is not one of the model's. It is lookups.ErrBadValue,
	// so errors.Is matches a bad value in a filter with either name.
	ErrBadValue = lookups.ErrBadValue
	// ErrValueRange: a value does not fit its column (too long, out of the
	// column's range, more decimal digits than its scale, NaN or a year the
	// backend does not store). Such an error is also an ErrBadValue; it
	// comes from the orm's checks before anything is written, and names the
	// model and field.
	ErrValueRange = errors.New("value does not fit its column")
	// ErrNotSaved: the operation needs an object that has a primary key.
	ErrNotSaved = errors.New("object has no primary key")
)

// ModelError is the orm's error: it names the model and, when there is one,
// the field, and carries the kind of error and its cause. errors.Is matches
// the Kind (and ErrBadValue for ErrValueRange) and anything the cause
// wraps; its message is
//
//	orm: Track.title: bad value: a []int does not fit a field of type string
type ModelError struct {
	Model string
	// Field is the field's name, or "" for an error about the whole model.
	Field string
	// Kind is one of the sentinels above, or nil when the cause comes from
	// another package (a *core.Error, a *lookups.Error) and carries its own.
	Kind error
	// Err is the cause.
	Err error
}

func (e *ModelError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("orm: %s.%s: %s", e.Model, e.Field, e.Reason())
	}
	return fmt.Sprintf("orm: %s: %s", e.Model, e.Reason())
}

// Reason is the message without its "orm: Model.field: " prefix: the kind,
// then the cause. A cause about the same model and field, or one that
// already says the kind, is not repeated.
func (e *ModelError) Reason() string {
	cause := ""
	if e.Err != nil {
		cause = e.Err.Error()
		var inner *ModelError
		if errors.As(e.Err, &inner) && inner.Model == e.Model && (inner.Field == e.Field || e.Field == "") && inner.Error() == cause {
			cause = inner.Reason()
		}
	}
	switch {
	case e.Kind == nil:
		return cause
	case e.Err == nil:
		return e.Kind.Error()
	case errors.Is(e.Err, e.Kind):
		return cause
	}
	return e.Kind.Error() + ": " + cause
}

// Unwrap returns the cause.
func (e *ModelError) Unwrap() error { return e.Err }

// Is matches the error's Kind; an ErrValueRange is also an ErrBadValue.
func (e *ModelError) Is(target error) bool {
	if e.Kind == nil || target == nil {
		return false
	}
	return target == e.Kind || (e.Kind == ErrValueRange && target == ErrBadValue)
}

// modelErr builds a ModelError of a kind, its cause written from format and args.
func modelErr(model, field string, kind error, format string, args ...any) error {
	return &ModelError{Model: model, Field: field, Kind: kind, Err: fmt.Errorf(format, args...)}
}

// reasonOnly is a ModelError given as the cause of an error that names the
// model and field itself (a *lookups.Error): its message leaves out the
// prefix, and errors.As still finds the ModelError.
type reasonOnly struct{ *ModelError }

func (r reasonOnly) Error() string {
	if r.Kind == ErrBadValue && r.Err != nil {
		return r.Err.Error() // the outer error says "bad value"
	}
	return r.Reason()
}
func (r reasonOnly) Unwrap() error { return r.ModelError }

// causeOf returns err as the cause of an error about the same model and
// field: a ModelError without its prefix, anything else as it is.
func causeOf(err error) error {
	if me, ok := err.(*ModelError); ok {
		return reasonOnly{me}
	}
	return err
}

// aType names the Go type of v with its article: "an int", "a string".
func aType(v any) string {
	t := fmt.Sprintf("%T", v)
	if t != "" && strings.ContainsRune("aeiouAEIOU", rune(t[0])) {
		return "an " + t
	}
	return "a " + t
}

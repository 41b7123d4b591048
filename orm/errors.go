package orm

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the package returns names the model (and the
// field, where there is one) it is about, and wraps one of these or an error
// from core or lookups, so errors.Is works on it.
var (
	// ErrDoesNotExist: Get, First, Last or Load found no row.
	ErrDoesNotExist = errors.New("object does not exist")
	// ErrMultipleObjectsReturned: Get found more than one row.
	ErrMultipleObjectsReturned = errors.New("more than one object returned")
	// ErrInvalidModel: a struct cannot be a model as written (bad tag,
	// unsupported field type, two primary keys, ...).
	ErrInvalidModel = errors.New("invalid model")
	// ErrBadValue: a value does not fit its field, or a field name given to a
	// query set method is not one of the model's.
	ErrBadValue = errors.New("bad value")
	// ErrValueRange: a value does not fit its column (too long, out of the
	// column's range, more decimal digits than its scale, NaN or a year the
	// backend does not store). It comes with ErrBadValue, from the orm's
	// checks before anything is written, and names the model and field.
	ErrValueRange = errors.New("value does not fit its column")
	// ErrNotSaved: the operation needs an object that has a primary key.
	ErrNotSaved = errors.New("object has no primary key")
)

// ModelError is an error about one model and, optionally, one of its fields.
type ModelError struct {
	Model string
	Field string
	Err   error
}

func (e *ModelError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("orm: %s.%s: %v", e.Model, e.Field, e.Err)
	}
	return fmt.Sprintf("orm: %s: %v", e.Model, e.Err)
}

// Unwrap returns the underlying error.
func (e *ModelError) Unwrap() error { return e.Err }

func modelErr(model, field string, sentinel error, format string, args ...any) error {
	return &ModelError{Model: model, Field: field, Err: fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)}
}

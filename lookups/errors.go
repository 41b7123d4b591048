package lookups

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The sentinel errors. Every error this package returns for a condition is an
// *Error that wraps one of them, so callers test the kind with errors.Is and
// read the model and key with errors.As.
var (
	// ErrUnknownField is for a key whose path names no field of the model.
	// This package never resolves fields itself: the orm (or any other
	// resolver given to CompileNode) returns it, usually through UnknownField.
	ErrUnknownField = errors.New("unknown field")
	// ErrUnknownLookup is for a lookup or transform the registry does not
	// know, or a lookup that is not the last part of its key
	// ("age__gt__foo").
	ErrUnknownLookup = errors.New("unknown lookup")
	// ErrEmptyLookup is for an empty key or a key with an empty part
	// ("age__", "__age", "a____b").
	ErrEmptyLookup = errors.New("empty lookup")
	// ErrBadValue is for a value the lookup cannot take: isnull with a
	// non-bool, in with a non-slice, range without exactly two values, a
	// pattern lookup with a non-string, a date transform on a field that is
	// not a date or timestamp, a condition of an unsupported type...
	ErrBadValue = errors.New("bad value")
)

// Error is the error of one condition: it names the model (when known), the
// key and the part of the key at fault, and wraps one of the sentinels.
//
//	lookups: Track: unknown lookup "foo" in "title__foo"
//	lookups: Track: bad value in "position__isnull": isnull takes a bool, got string
//
// Parse knows no model, so its errors have an empty Model; the orm fills it
// in (errors.As, then set Model) before returning them.
type Error struct {
	// Model is the model's name ("Track"), or "" when unknown.
	Model string
	// Key is the whole key as written ("title__foo"), or "" when the
	// error is about a condition rather than one key.
	Key string
	// Name is the part of the key at fault (a field, lookup or transform
	// name), or "".
	Name string
	// Err is the sentinel: ErrUnknownField, ErrUnknownLookup,
	// ErrEmptyLookup or ErrBadValue.
	Err error
	// Detail says what was wrong, when more is known than the sentinel says.
	Detail string
	// Cause is an underlying error (from a custom LookupFunc or
	// TransformFunc, say), or nil.
	Cause error
}

// Error renders "lookups: Model: sentinel "name" in "key": detail: cause",
// leaving out the parts that are empty, the key when it is the name, and the
// cause when the detail already says it.
func (e *Error) Error() string {
	s := "lookups: "
	if e.Model != "" {
		s += e.Model + ": "
	}
	if e.Err != nil {
		s += e.Err.Error()
	} else {
		s += "error"
	}
	if e.Name != "" {
		s += " " + strconv.Quote(e.Name)
	}
	if e.Key != "" && e.Key != e.Name {
		s += " in " + strconv.Quote(e.Key)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Cause != nil && !strings.Contains(e.Detail, e.Cause.Error()) {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap returns the sentinel and, when there is one, the cause, so that
// errors.Is matches either.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

// UnknownField returns the error for a key whose field (name, a part of its
// path) the model does not have: for the orm's resolver.
func UnknownField(model, key, name string) error {
	return &Error{Model: model, Key: key, Name: name, Err: ErrUnknownField}
}

// UnknownLookup returns the error for a key with a lookup (or transform)
// name the registry does not know, or that cannot apply where it is: for the
// orm's resolver, which finds such a name in a path ("title__foo" where
// title is not a relation).
func UnknownLookup(model, key, name string) error {
	return &Error{Model: model, Key: key, Name: name, Err: ErrUnknownLookup}
}

// BadValue returns an ErrBadValue error with the given detail. A LookupFunc
// or TransformFunc returns it for a value it cannot take; Compile then fills
// in the model and the key.
func BadValue(format string, args ...any) error {
	return &Error{Err: ErrBadValue, Detail: fmt.Sprintf(format, args...)}
}

// withKey makes err an *Error about the model and key: an *Error gets them
// filled in where empty; anything else becomes the Cause of an *Error whose
// sentinel is the one err wraps, or ErrBadValue.
func withKey(err error, model, key string) error {
	var e *Error
	if errors.As(err, &e) {
		c := *e
		if c.Model == "" {
			c.Model = model
		}
		if c.Key == "" {
			c.Key = key
		}
		return &c
	}
	sentinel := ErrBadValue
	for _, s := range []error{ErrUnknownField, ErrUnknownLookup, ErrEmptyLookup} {
		if errors.Is(err, s) {
			sentinel = s
			break
		}
	}
	return &Error{Model: model, Key: key, Err: sentinel, Detail: err.Error(), Cause: err}
}

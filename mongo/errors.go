package mongo

import (
	"errors"
	"strings"

	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

// The sentinel errors. Errors from this package wrap one of them (errors.Is)
// and are *Error values that name the model and field concerned
// (errors.As). Errors about a lookup are *lookups.Error values instead,
// wrapping lookups.ErrUnknownField, lookups.ErrUnknownLookup or
// lookups.ErrBadValue, with their Model set.
var (
	// ErrNoDatabase is returned by every call of a Manager made with a nil
	// *mongo.Database.
	ErrNoDatabase = errors.New("no database")
	// ErrDoesNotExist is returned by Get and Load when no document matches,
	// and by Save when the document of a loaded object was deleted. It
	// also matches the driver's mongo.ErrNoDocuments.
	ErrDoesNotExist = errors.New("does not exist")
	// ErrMultipleObjectsReturned is returned by Get when more than one
	// document matches.
	ErrMultipleObjectsReturned = errors.New("multiple objects returned")
	// ErrBadModel is for a model type that cannot be mapped: a bad struct
	// tag, no _id field, a converter for a field that does not exist, two
	// types registered under one name...
	ErrBadModel = errors.New("bad model")
	// ErrUnknownModel is for a reference to a model that was never
	// registered (Register or Objects), or a stored reference whose
	// __model__ names no registered model.
	ErrUnknownModel = errors.New("unknown model")
	// ErrNotSaved is returned by Load and Refresh for an object whose _id is
	// zero, and by Save with field names for one that was never saved.
	ErrNotSaved = errors.New("not saved")
	// ErrNoID is returned by Save for an object whose _id is zero and of a
	// type for which no id can be generated (only bson.ObjectID and string
	// ids are generated).
	ErrNoID = errors.New("no _id")
	// ErrDuplicateKey is returned by Save, BulkSave and Update when a
	// unique index (or the _id) rejects the document (classified by the
	// server's error code, never its message).
	ErrDuplicateKey = errors.New("duplicate key")
	// ErrStale is returned by Save, Replace, Delete and BulkSave when the
	// model has a version field (mongo:"version") and the document's
	// version is no longer the one the object was loaded with: another
	// write came first (optimistic locking). Refresh and try again.
	ErrStale = errors.New("stale object: the document changed since it was loaded")
	// ErrHook wraps the error a hook (BeforeSave, AfterLoad...) returned.
	ErrHook = errors.New("hook failed")
	// ErrBadUpdate is for an update (Set, Inc, Push...) that cannot apply
	// to its field: an unknown field, Inc on a string, Push on a scalar,
	// a change of _id.
	ErrBadUpdate = errors.New("bad update")
	// ErrEncode is for a value that cannot be stored: a converter that
	// fails, a value of an unsupported type, a map with keys that are not
	// strings...
	ErrEncode = errors.New("cannot encode")
	// ErrDecode is for a stored value that cannot be read into its field.
	ErrDecode = errors.New("cannot decode")
	// ErrBadFilter is for a filter of an unsupported type (a plain
	// map[string]any, which could be either a raw filter or lookups, is
	// one) or a bad option.
	ErrBadFilter = errors.New("bad filter")
	// ErrUnsupported is for a part of the lookups language that MongoDB
	// cannot run: transforms (year, date...) and raw goqu expressions (the
	// Cause of the *lookups.Error returned), and for Transaction on a
	// server without transactions.
	ErrUnsupported = errors.New("not supported on MongoDB")
)

// Error is an error about one model and, when known, one of its fields.
//
//	mongo: Page.author: unknown model: mongo_test.User is not registered (call mongo.Register[User]() or mongo.Objects[User])
type Error struct {
	// Model is the model's name ("app.Page"), or "" when unknown.
	Model string
	// Field is the field path ("author", "related[2].title"), or "".
	Field string
	// Err is the sentinel.
	Err error
	// Detail says more than the sentinel does, or is "".
	Detail string
	// Cause is the underlying error (the driver's, a converter's), or nil.
	Cause error
}

// Error renders "mongo: Model.field: sentinel: detail: cause".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("mongo: ")
	if e.Model != "" || e.Field != "" {
		b.WriteString(e.Model)
		if e.Field != "" {
			if e.Model != "" {
				b.WriteByte('.')
			}
			b.WriteString(e.Field)
		}
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("error")
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Unwrap returns the sentinel and the cause, so errors.Is matches either.
func (e *Error) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

func newError(model, field string, sentinel error, detail string, cause error) *Error {
	return &Error{Model: model, Field: field, Err: sentinel, Detail: detail, Cause: cause}
}

// joinField appends a field name to a path for error messages.
func joinField(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// serverErr wraps a driver error of a read or a write in an *Error: the
// server's "not implemented" (code 238, what FerretDB says of what it lacks)
// as ErrUnsupported, anything else as fallback.
func serverErr(model, detail string, fallback, err error) error {
	var se mongodriver.ServerError
	if errors.As(err, &se) && se.HasErrorCode(238) {
		return newError(model, "", ErrUnsupported, detail+": the server does not implement this", err)
	}
	return newError(model, "", fallback, detail, err)
}

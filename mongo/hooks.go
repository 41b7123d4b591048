package mongo

import (
	"context"
	"reflect"
)

// The hooks a model may implement, on its pointer type. Each is called with
// the context of the call that triggers it; an error from a Before hook
// stops the write (nothing is sent), an error from an After hook is
// returned by the call (the write has happened). Query-wide writes
// (Query.Update, Query.Delete) call no hooks, as Django's QuerySet.update
// does not.
type (
	// BeforeSaver is called by Save, Replace and BulkSave before the object
	// is encoded: it may set fields (a timestamp, a normalised name).
	BeforeSaver interface {
		BeforeSave(ctx context.Context) error
	}
	// AfterSaver is called by Save, Replace and BulkSave once the object's
	// document is written.
	AfterSaver interface {
		AfterSave(ctx context.Context) error
	}
	// AfterLoader is called for every object filled from a document (by
	// Find, Get, Iterate, Aggregate, Restore, Load, Refresh, and for the
	// objects references lead to), once its references are resolved.
	AfterLoader interface {
		AfterLoad(ctx context.Context) error
	}
	// BeforeDeleter is called by Delete before the document is deleted.
	BeforeDeleter interface {
		BeforeDelete(ctx context.Context) error
	}
	// AfterDeleter is called by Delete once the document is deleted.
	AfterDeleter interface {
		AfterDelete(ctx context.Context) error
	}
)

// hookSet says which hooks a model implements, found once per type.
type hookSet struct {
	beforeSave, afterSave, afterLoad, beforeDelete, afterDelete bool
}

func hooksOf(t reflect.Type) hookSet {
	p := reflect.PointerTo(t)
	return hookSet{
		beforeSave:   p.Implements(reflect.TypeFor[BeforeSaver]()),
		afterSave:    p.Implements(reflect.TypeFor[AfterSaver]()),
		afterLoad:    p.Implements(reflect.TypeFor[AfterLoader]()),
		beforeDelete: p.Implements(reflect.TypeFor[BeforeDeleter]()),
		afterDelete:  p.Implements(reflect.TypeFor[AfterDeleter]()),
	}
}

func hookErr(info *modelInfo, name string, err error) error {
	if err == nil {
		return nil
	}
	return newError(info.name, "", ErrHook, name, err)
}

func beforeSave(ctx context.Context, info *modelInfo, ptr reflect.Value) error {
	if !info.hookSet.beforeSave {
		return nil
	}
	return hookErr(info, "BeforeSave", ptr.Interface().(BeforeSaver).BeforeSave(ctx))
}

func afterSave(ctx context.Context, info *modelInfo, ptr reflect.Value) error {
	if !info.hookSet.afterSave {
		return nil
	}
	return hookErr(info, "AfterSave", ptr.Interface().(AfterSaver).AfterSave(ctx))
}

func afterLoad(ctx context.Context, info *modelInfo, ptr reflect.Value) error {
	if !info.hookSet.afterLoad {
		return nil
	}
	return hookErr(info, "AfterLoad", ptr.Interface().(AfterLoader).AfterLoad(ctx))
}

func beforeDelete(ctx context.Context, info *modelInfo, ptr reflect.Value) error {
	if !info.hookSet.beforeDelete {
		return nil
	}
	return hookErr(info, "BeforeDelete", ptr.Interface().(BeforeDeleter).BeforeDelete(ctx))
}

func afterDelete(ctx context.Context, info *modelInfo, ptr reflect.Value) error {
	if !info.hookSet.afterDelete {
		return nil
	}
	return hookErr(info, "AfterDelete", ptr.Interface().(AfterDeleter).AfterDelete(ctx))
}

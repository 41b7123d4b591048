package mongo

import (
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"weak"
)

// registry holds the registered models by name, for references.
var registry = struct {
	mu     sync.RWMutex
	byName map[string]*modelInfo
}{byName: map[string]*modelInfo{}}

// modelHooks are the functions over *T that need T statically: weak
// pointers and cleanups.
type modelHooks struct {
	// track makes a weak reference to the object ptr points to and arranges
	// for c.evict(key, ref) to run once the object is garbage.
	track func(ptr reflect.Value, c *Cache, key cacheKey) weakRef
}

// weakRef is a weak pointer to an object of some model.
type weakRef interface {
	// get returns the pointer, or an invalid Value once the object is
	// garbage.
	get() reflect.Value
}

type typedWeak[T any] struct{ p weak.Pointer[T] }

func (w typedWeak[T]) get() reflect.Value {
	if v := w.p.Value(); v != nil {
		return reflect.ValueOf(v)
	}
	return reflect.Value{}
}

type evictArg struct {
	c   *Cache
	key cacheKey
	ref weakRef
}

// Register registers T as a model that references can point to, and checks
// its definition (tags, _id, converters, indexes). Objects[T] registers T
// too; call Register for a model that is referenced by others but has no
// manager in the program (in an init function, say). Registering a type
// again does nothing; registering two types under one model name (two
// types called Page in one package's tests, say) is an error: set name= in
// the mongo.Model tag of one of them.
func Register[T any]() error {
	info, err := modelInfoFor(reflect.TypeFor[T]())
	if err != nil {
		return err
	}
	if info.hooks.Load() != nil {
		return nil
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if other := registry.byName[info.name]; other != nil && other != info {
		return newError(info.name, "", ErrBadModel, fmt.Sprintf("another type (%s) is registered under this model name: set name= in the mongo.Model tag", other.typ.PkgPath()+"."+other.typ.Name()), nil)
	}
	registry.byName[info.name] = info
	info.hooks.Store(&modelHooks{
		track: func(ptr reflect.Value, c *Cache, key cacheKey) weakRef {
			p := ptr.Interface().(*T)
			ref := typedWeak[T]{weak.Make(p)}
			runtime.AddCleanup(p, func(a evictArg) { a.c.evict(a.key, a.ref) }, evictArg{c, key, ref})
			return ref
		},
	})
	return nil
}

// MustRegister is Register that panics on error, for package-level
// variables and init functions.
func MustRegister[T any]() {
	if err := Register[T](); err != nil {
		panic(err)
	}
}

// registeredModel returns the model registered under name, or nil.
func registeredModel(name string) *modelInfo {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	return registry.byName[name]
}

// registeredInfo returns the model info of struct type t when t is a
// registered model; otherwise an ErrUnknownModel error about model.field.
func registeredInfo(t reflect.Type, model, field string) (*modelInfo, error) {
	info, err := modelInfoFor(t)
	if err != nil {
		return nil, err
	}
	if info.hooks.Load() == nil {
		return nil, newError(model, field, ErrUnknownModel, fmt.Sprintf("%s is not registered (call mongo.Register[%s]() or mongo.Objects[%s])", info.name, t.Name(), t.Name()), nil)
	}
	return info, nil
}

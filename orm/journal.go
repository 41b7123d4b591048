package orm

import (
	"context"
	"reflect"
	"sync"

	"github.com/atomdb/atomdb/core"
)

// A journal is what one transaction (or savepoint) did to the objects of
// its scope, so that ending it leaves no object claiming a state the
// database does not have:
//
//   - committed, a savepoint hands its journal to the enclosing transaction
//     (which may still roll back); an outermost transaction forgets it;
//   - rolled back, every key the transaction read or wrote leaves the scope
//     (the next read makes a fresh object), an object it inserted is new
//     again (not loaded, an auto-increment key back to zero, so a retry
//     inserts it again), one it updated loses its snapshot (so its next Save
//     writes every field), and one it deleted gets its key back.
//
// An outermost transaction that is not inside WithScope has a scope of its
// own, dropped with it; it keeps no list of the keys it read.
type journal struct {
	scope  *scope
	parent *journal
	track  bool // record the keys read: the scope outlives this transaction

	mu      sync.Mutex
	touched []touched
	written []written
	once    sync.Once
}

type touched struct {
	tm  *typeMap
	key ident
}

type writeKind uint8

const (
	wroteUpdate writeKind = iota
	wroteInsert
	wroteDelete
)

// written is an object a transaction wrote.
type written struct {
	info *modelInfo
	obj  reflect.Value // a pointer to it
	id   ident         // its primary key when written
	key  reflect.Value // for a delete, that key's value (a copy), to give back
	kind writeKind
}

type journalKey struct{}

// txJournal returns the journal of the transaction ctx carries on db, or
// nil outside one.
func txJournal(ctx context.Context, db *core.Database) *journal {
	tx := db.TxFrom(ctx)
	if tx == nil || tx.Done() {
		return nil
	}
	return journalOf(ctx, db, tx)
}

func journalOf(ctx context.Context, db *core.Database, tx *core.Tx) *journal {
	j := tx.Attachment(journalKey{}, func() any {
		j := &journal{}
		if p := tx.Parent(); p != nil {
			j.parent = journalOf(ctx, db, p)
			j.scope, j.track = j.parent.scope, true
		} else if s := ctxScope(ctx, db); s != nil {
			j.scope, j.track = s, true
		} else {
			j.scope = newScope(unitScope)
		}
		return j
	}).(*journal)
	j.once.Do(func() { tx.OnEnd(j.end) })
	return j
}

// touch records that the transaction read or refreshed key.
func (j *journal) touch(tm *typeMap, key ident) {
	if !j.track {
		return
	}
	j.mu.Lock()
	j.touched = append(j.touched, touched{tm, key})
	j.mu.Unlock()
}

// wrote records an object the transaction wrote.
func (j *journal) wrote(info *modelInfo, obj reflect.Value, kind writeKind) {
	pk := obj.Elem().FieldByIndex(info.pk.index)
	w := written{info: info, obj: obj, id: identOf(pk), kind: kind}
	if kind == wroteDelete {
		w.key = reflect.New(info.pk.typ).Elem()
		w.key.Set(pk)
	}
	j.mu.Lock()
	j.written = append(j.written, w)
	j.mu.Unlock()
}

// end runs when the transaction ends.
func (j *journal) end(committed bool) {
	j.mu.Lock()
	touched, writes := j.touched, j.written
	j.touched, j.written = nil, nil
	j.mu.Unlock()
	if committed {
		if p := j.parent; p != nil {
			p.mu.Lock()
			if p.track {
				p.touched = append(p.touched, touched...)
			}
			p.written = append(p.written, writes...)
			p.mu.Unlock()
		}
		return
	}
	for _, t := range touched {
		t.tm.remove(t.key, reflect.Value{})
	}
	// Undo in reverse order, so that an object written twice ends as it was
	// before the first write.
	for i := len(writes) - 1; i >= 0; i-- {
		w := writes[i]
		v := w.obj.Elem()
		if j.track {
			j.scope.of(w.info).remove(w.id, w.obj)
		}
		switch w.kind {
		case wroteInsert:
			w.info.forget(v)
			if w.info.pk.auto {
				v.FieldByIndex(w.info.pk.index).SetZero()
			}
		case wroteUpdate:
			if m := w.info.modelOf(v); m != nil {
				m.snapshot = nil
			}
		case wroteDelete:
			v.FieldByIndex(w.info.pk.index).Set(w.key)
			if m := w.info.modelOf(v); m != nil {
				m.loaded = true
			}
		}
	}
}

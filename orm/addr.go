package orm

import (
	"reflect"
	"unsafe"
)

// Scanning a row needs, for each field, an interface value holding a
// pointer to that field of a new object (&obj.Name as an any). Through
// reflect that is v.Field(i).Addr().Interface(), which looks the pointer
// type up again on every call: a fifth of the time of reading rows into
// structs. The field's offset and the type word of its pointer type are
// fixed per model, so they are computed once (fieldAddr) and the interface
// value is put together from them (ptrIface).

// eface is the layout of an interface value of static type any.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// typeWord returns the type word of interface values holding a t.
func typeWord(t reflect.Type) unsafe.Pointer {
	zero := reflect.Zero(t).Interface()
	return (*eface)(unsafe.Pointer(&zero)).typ
}

// ptrIface returns an any holding the pointer p, of the pointer type whose
// type word is word.
func ptrIface(word, p unsafe.Pointer) any {
	var v any
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = word, p
	return v
}

// fieldAddr is where a field lives in its struct: its offset (through
// embedded structs) and the type word of a pointer to it.
type fieldAddr struct {
	offset uintptr
	word   unsafe.Pointer
}

// addrOf computes the fieldAddr of the field at index in struct type t.
// Embedded structs are embedded by value (collect follows no pointers), so
// offsets add up.
func addrOf(t reflect.Type, index []int) fieldAddr {
	var off uintptr
	for _, i := range index {
		sf := t.Field(i)
		off += sf.Offset
		t = sf.Type
	}
	return fieldAddr{offset: off, word: typeWord(reflect.PointerTo(t))}
}

// ptr returns &field of the object at base, as an any of the field's
// pointer type.
func (a fieldAddr) ptr(base unsafe.Pointer) any { return ptrIface(a.word, unsafe.Add(base, a.offset)) }

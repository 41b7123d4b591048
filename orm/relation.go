package orm

import (
	"reflect"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/relations"
)

// relation is one relation of a model, as declared by a field:
//
//	Album  *Album   `orm:"fk,on_delete=cascade"`    many-to-one (a stored foreign key)
//	Pass   *Pass    `orm:"fk,unique"` or `orm:"o2o"`  one-to-one
//	Tracks []*Track `orm:"reverse=Album"`          one-to-many (the other side of Track.Album)
//	Tags   []*Tag   `orm:"m2m"`                     many-to-many through an automatic join table
//	Tags   []*Tag   `orm:"m2m,through=AlbumTag"`    ... or through a model of your own
type relation struct {
	kind       relations.Kind
	model      *modelInfo // the model that declares it
	goName     string
	name       string // the name lookups and SelectRelated use: snake_case of goName
	index      []int
	targetType reflect.Type
	fk         *field // to-one: the stored foreign key
	onDelete   core.Action
	onUpdate   core.Action
	protect    bool   // on_delete=protect: refuse to delete a referenced row
	reverseOf  string // one-to-many: the target's foreign key field
	listBit    uint64 // a list: its bit in Model.lists
	// meta is the relation as data for the relation layer, completed by
	// resolve.
	meta *relations.Relation

	// Set by resolve.
	target *modelInfo
	// one-to-many: the target's foreign key pointing back here.
	back *relation
	// many-to-many: the join table and its two columns.
	joinTable                   *core.Table
	joinName                    string
	joinLocal, joinRemote       string
	throughModel                *modelInfo
	throughLocal, throughRemote *relation
	mirrored                    bool // the reverse side of another model's many-to-many
}

// parseRelation recognises a relation field; it returns nil for any other.
func (info *modelInfo) parseRelation(sf reflect.StructField, index []int, opts tagOptions) (*relation, error) {
	fk, o2o, m2m, reverse := opts.has("fk"), opts.has("o2o"), opts.has("m2m"), opts.has("reverse")
	bad := func(format string, args ...any) error {
		return modelErr(info.name, sf.Name, ErrInvalidModel, format, args...)
	}
	t := sf.Type
	toOne := t.Kind() == reflect.Pointer && isModelStruct(t.Elem())
	list := t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Pointer && isModelStruct(t.Elem().Elem())
	set := 0
	for _, b := range []bool{fk || o2o, m2m, reverse} {
		if b {
			set++
		}
	}
	switch {
	case set == 0:
		if toOne {
			return nil, bad("a pointer to a struct must be tagged orm:\"fk\" (a relation), orm:\"json\" or orm:\"-\"")
		}
		if list && !opts.has("json") {
			return nil, bad("a list of struct pointers must be tagged orm:\"reverse=Field\", orm:\"m2m\", orm:\"json\" or orm:\"-\"")
		}
		return nil, nil
	case set > 1:
		return nil, bad("fk, m2m and reverse exclude each other")
	}
	r := &relation{goName: sf.Name, name: snakeCase(sf.Name), index: index}
	switch {
	case fk || o2o:
		if !toOne {
			return nil, bad("fk needs a pointer to a model struct, not %s", t)
		}
		r.kind, r.targetType = relations.ManyToOne, t.Elem()
		if opts.has("unique") || o2o {
			r.kind = relations.OneToOne
		}
		for key, dst := range map[string]*core.Action{"on_delete": &r.onDelete, "on_update": &r.onUpdate} {
			v, ok := opts.get(key)
			if !ok {
				continue
			}
			switch v {
			case "cascade":
				*dst = core.Cascade
			case "set_null":
				*dst = core.SetNull
			case "restrict":
				*dst = core.Restrict
			case "protect":
				if key == "on_update" {
					return nil, bad("on_update=protect: protect applies to deletes")
				}
				*dst, r.protect = core.Restrict, true
			case "no_action", "":
				*dst = core.NoAction
			default:
				return nil, bad("%s=%q: want cascade, set_null, restrict, protect or no_action", key, v)
			}
		}
		if (r.onDelete == core.SetNull || r.onUpdate == core.SetNull) && !opts.has("null") {
			return nil, bad("on_delete=set_null needs a nullable foreign key: add null")
		}
	case reverse:
		if !list {
			return nil, bad("reverse= needs a slice of pointers to a model struct, not %s", t)
		}
		r.reverseOf, _ = opts.get("reverse")
		r.kind, r.targetType = relations.OneToMany, t.Elem().Elem()
		if r.reverseOf == "" {
			return nil, bad("reverse= needs the name of the other model's foreign key field")
		}
	case m2m:
		if !list {
			return nil, bad("m2m needs a slice of pointers to a model struct, not %s", t)
		}
		r.kind, r.targetType = relations.ManyToMany, t.Elem().Elem()
		if name, _ := opts.get("through"); name != "" {
			r.joinName = name // the through model's type name, found when resolving
		}
	}
	return r, nil
}

// isModelStruct reports whether t could be a model: a struct that is not one
// of the value types stored in a single column.
func isModelStruct(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t != timeType && t != decimalType && !reflect.PointerTo(t).Implements(scannerType)
}

func (r *relation) errorf(format string, args ...any) error {
	return modelErr(r.model.name, r.goName, ErrInvalidModel, format, args...)
}

// resolve finds the related models and builds what the relation needs.
func (r *relation) resolve() error {
	target, err := infoFor(r.targetType)
	if err != nil {
		return r.errorf("relation to %s, which is not a model: %w", r.targetType, err)
	}
	r.target = target
	switch r.kind {
	case relations.ManyToOne, relations.OneToOne:
		r.fk.ctype = target.pk.ctype // the key's type, without its autoincrement
		r.fk.intKey = isIntKind(target.pk.typ.Kind()) && !target.pk.ctype.Unsigned
	case relations.OneToMany:
		back := target.relByKey[r.reverseOf]
		if back == nil || back.targetType != r.model.typ || back.kind == relations.OneToMany {
			return r.errorf("reverse=%s: %s has no foreign key or many-to-many %s to %s", r.reverseOf, target.name, r.reverseOf, r.model.name)
		}
		r.back = back
		if back.kind == relations.ManyToMany {
			// The other side of a many-to-many: the same join table, read
			// the other way round.
			mirror := *back
			mirror.model, mirror.target, mirror.joinTable = target, r.model, nil
			if err := mirror.resolveJoin(); err != nil {
				return r.errorf("reverse=%s: %w", r.reverseOf, err)
			}
			r.kind = relations.ManyToMany
			r.joinName, r.joinLocal, r.joinRemote = mirror.joinName, mirror.joinRemote, mirror.joinLocal
			r.throughModel, r.throughLocal, r.throughRemote = mirror.throughModel, mirror.throughRemote, mirror.throughLocal
			r.mirrored = true
		}
	case relations.ManyToMany:
		if err := r.resolveJoin(); err != nil {
			return err
		}
		if r.throughModel == nil {
			r.joinTable = r.autoJoinTable()
		}
	}
	r.describeResolved()
	return nil
}

// resolveJoin works out a many-to-many's join table and columns, from its
// through model or by the automatic naming; it builds no table.
func (r *relation) resolveJoin() error {
	if r.joinName != "" && r.throughModel == nil && r.joinLocal == "" {
		return r.resolveThrough()
	}
	if r.joinLocal != "" {
		return nil
	}
	r.joinName = r.model.table + "_" + r.name
	r.joinLocal, r.joinRemote = snakeCase(r.model.name)+"_id", snakeCase(r.target.name)+"_id"
	if r.joinLocal == r.joinRemote {
		r.joinLocal, r.joinRemote = "from_"+r.joinLocal, "to_"+r.joinRemote
	}
	if err := core.CheckTable(r.joinName); err != nil {
		return modelErr(r.model.name, r.goName, ErrInvalidModel, "the join table: %w", err)
	}
	return nil
}

// autoJoinTable is the automatic join table of a many-to-many relation.
func (r *relation) autoJoinTable() *core.Table {
	target := r.target
	t := core.NewTable(r.joinName,
		&core.Column{Name: r.joinLocal, Type: keyType(r.model.pk), PrimaryKey: true,
			ForeignKey: &core.ForeignKey{Table: r.model.table, Column: r.model.pk.column, OnDelete: core.Cascade}},
		&core.Column{Name: r.joinRemote, Type: keyType(target.pk), PrimaryKey: true,
			ForeignKey: &core.ForeignKey{Table: target.table, Column: target.pk.column, OnDelete: core.Cascade}},
	)
	t.Indexes = []*core.Index{{Columns: []string{r.joinRemote}}}
	return t
}

// keyType is the column type of a foreign key to pk.
func keyType(pk *field) core.Type { return pk.ctype }

// resolveThrough finds the through model of a many-to-many relation and its
// two foreign keys.
func (r *relation) resolveThrough() error {
	through := findModelNamed(r.joinName)
	if through == nil {
		return r.errorf("through=%s: no model of that name is known yet: register it first (orm.Register(%s{}))", r.joinName, r.joinName)
	}
	for _, rel := range through.rels {
		if rel.fk == nil {
			continue
		}
		switch rel.targetType {
		case r.model.typ:
			if r.throughLocal == nil {
				r.throughLocal = rel
				continue
			}
			if r.throughRemote == nil && rel.targetType == r.targetType {
				r.throughRemote = rel
			}
		case r.targetType:
			if r.throughRemote == nil {
				r.throughRemote = rel
			}
		}
	}
	if r.throughLocal == nil || r.throughRemote == nil {
		return r.errorf("through=%s: it needs a foreign key to %s and one to %s", through.name, r.model.name, r.target.name)
	}
	r.throughModel = through
	r.joinName = through.table
	r.joinLocal, r.joinRemote = r.throughLocal.fk.column, r.throughRemote.fk.column
	return nil
}

// findModelNamed returns the model of that type name among those already
// built (used or registered).
func findModelNamed(name string) *modelInfo {
	var found *modelInfo
	infos.Range(func(_, v any) bool {
		info, ok := v.(*modelInfo)
		if ok && info.name == name {
			found = info
			return false
		}
		return true
	})
	return found
}

// describe makes the model known to the relation layer: its fields and
// relations by every name paths may use. The relations' targets and keys
// are filled in by resolve.
func (info *modelInfo) describe() {
	info.rm = relations.NewModel(info.name, info.table, info)
	for _, f := range info.fields {
		f.meta = &relations.Field{Name: f.name, Column: f.column, Ref: f}
	}
	info.rm.PK = info.pk.meta
	for key, f := range info.byKey {
		info.rm.AddField(f.meta, key)
	}
	for _, r := range info.rels {
		r.meta = &relations.Relation{Name: r.name, Kind: r.kind, From: info.rm, Ref: r}
	}
	for key, r := range info.relByKey {
		info.rm.AddRelation(r.meta, key)
	}
}

// describeResolved completes the relation's data once its target is known.
func (r *relation) describeResolved() {
	m := r.meta
	m.Kind, m.To = r.kind, r.target.rm
	switch r.kind {
	case relations.OneToMany:
		m.Column, m.Reverse = r.back.fk.column, r.back.meta
	case relations.ManyToMany:
		m.Through, m.ThroughFrom, m.ThroughTo = r.joinName, r.joinLocal, r.joinRemote
	default:
		m.Column, m.Nullable = r.fk.column, r.fk.nullable
	}
}

package relations

import (
	"errors"
	"strings"
	"testing"

	"github.com/atomdb/atomdb/core"
	"github.com/atomdb/atomdb/lookups"
)

// A small schema: tracks -> albums (album_id, not null), albums -> artists
// (artist_id, not null; producer_id, nullable); albums <-> tags; albums
// have a field gt, which a path after a relation reaches before the lookup
// of that name.
func testSchema() (tracks, albums, artists *Model) {
	model := func(name, table string, fields ...string) *Model {
		m := NewModel(name, table, nil)
		m.PK = &Field{Name: "id", Column: "id"}
		m.AddField(m.PK, "id")
		for _, f := range fields {
			m.AddField(&Field{Name: f, Column: f}, f)
		}
		return m
	}
	tracks = model("Track", "tracks", "title")
	albums = model("Album", "albums", "name", "gt")
	artists = model("Artist", "artists", "name")
	tags := model("Tag", "tags", "label")
	fk := func(from, to *Model, name string, nullable bool) {
		r := &Relation{Name: name, Kind: ManyToOne, From: from, To: to, Column: name + "_id", Nullable: nullable}
		from.AddField(&Field{Name: name, Column: name + "_id"}, name)
		from.AddRelation(r, name)
	}
	fk(tracks, albums, "album", false)
	fk(albums, artists, "artist", false)
	fk(albums, artists, "producer", true)
	albums.AddRelation(&Relation{Name: "tracks", Kind: OneToMany, From: albums, To: tracks, Column: "album_id",
		Reverse: tracks.Relation("album")}, "tracks")
	albums.AddRelation(&Relation{Name: "tags", Kind: ManyToMany, From: albums, To: tags,
		Through: "albums_tags", ThroughFrom: "album_id", ThroughTo: "tag_id"}, "tags")
	return tracks, albums, artists
}

func TestResolve(t *testing.T) {
	tracks, _, _ := testSchema()
	reg := lookups.DefaultRegistry
	for _, c := range []struct {
		key, names, steps, field, ops string
		withOps                       bool
	}{
		{key: "title", names: "title", field: "title"},
		{key: "album", names: "album", steps: "album", field: "album_id"},
		{key: "album__artist__name", names: "album,artist,name", steps: "album,artist", field: "name"},
		{key: "album__tracks", names: "album,tracks", steps: "album,tracks"},
		{key: "album__gt", names: "album,gt", steps: "album", field: "gt", withOps: true},
		{key: "album__gt__in", names: "album,gt", steps: "album", field: "gt", ops: "in", withOps: true},
		{key: "album__lt", names: "album", steps: "album", field: "album_id", ops: "lt", withOps: true},
		{key: "title__year__gte", names: "title", field: "title", ops: "year,gte", withOps: true},
		{key: "album__pk", names: "album,pk", steps: "album", field: "id"},
	} {
		var ops Operators
		if c.withOps {
			ops = reg
		}
		p, err := Resolve(tracks, c.key, ops)
		if err != nil {
			t.Errorf("%s: %v", c.key, err)
			continue
		}
		var steps []string
		for _, s := range p.Steps {
			steps = append(steps, s.Name)
		}
		field := ""
		if p.Field != nil {
			field = p.Field.Column
		}
		if got := strings.Join(p.Names, ","); got != c.names || strings.Join(steps, ",") != c.steps || field != c.field || strings.Join(p.Ops, ",") != c.ops {
			t.Errorf("%s: names %q steps %q field %q ops %q", c.key, p.Names, steps, field, p.Ops)
		}
	}
	for _, c := range []struct {
		key     string
		withOps bool
		want    error
	}{
		{"nope", false, lookups.ErrUnknownField},
		{"album__nope", false, lookups.ErrUnknownField},
		{"title__x", false, lookups.ErrUnknownField},
		{"album__lt", false, lookups.ErrUnknownField},
		{"album__nope", true, lookups.ErrUnknownField},
		{"title__gt__lt", true, lookups.ErrUnknownLookup},
		{"title__foo", true, lookups.ErrUnknownLookup},
	} {
		var ops Operators
		if c.withOps {
			ops = reg
		}
		if _, err := Resolve(tracks, c.key, ops); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.key, err, c.want)
		}
	}
}

// The planner joins each path once, INNER for a non-null key, LEFT from a
// nullable key or a list on, and gives two relations to one table an alias
// each.
func TestJoins(t *testing.T) {
	tracks, _, _ := testSchema()
	plan := NewJoins(tracks)
	resolve := func(key string) []*Relation {
		p, err := Resolve(tracks, key, nil)
		if err != nil {
			t.Fatal(err)
		}
		return p.FieldSteps()
	}
	a := plan.Add(resolve("album__artist__name"))
	b := plan.Add(resolve("album__producer__name"))
	c := plan.Add(resolve("album__name"))
	d := plan.Add(resolve("album__tags__label"))
	if len(plan.List()) != 4 || a[0] != c[0] || a[0] != b[0] {
		t.Fatalf("%d joins; album joined once: %v", len(plan.List()), a[0] == c[0])
	}
	if alias, null := plan.Table(a); alias != "album__artist" || null {
		t.Errorf("artist: %s %v", alias, null)
	}
	if alias, null := plan.Table(b); alias != "album__producer" || !null {
		t.Errorf("producer: %s %v", alias, null)
	}
	if alias, null := plan.Table(nil); alias != "tracks" || null {
		t.Errorf("no path: %s %v", alias, null)
	}
	ds := plan.Apply(core.SQLite.Goqu().From(core.TableIdent("tracks")))
	if again := plan.Apply(ds); again != ds {
		t.Error("Apply added the joins twice")
	}
	sql, _, err := ds.Select(core.TableIdent(d[1].Alias).Col("label")).ToSQL()
	if err != nil {
		t.Fatal(err)
	}
	want := "SELECT `album__tags`.`label` FROM `tracks` " +
		"INNER JOIN `albums` AS `album` ON (`album`.`id` = `tracks`.`album_id`) " +
		"INNER JOIN `artists` AS `album__artist` ON (`album__artist`.`id` = `album`.`artist_id`) " +
		"LEFT JOIN `artists` AS `album__producer` ON (`album__producer`.`id` = `album`.`producer_id`) " +
		"LEFT JOIN `albums_tags` AS `album__tags__through` ON (`album__tags__through`.`album_id` = `album`.`id`) " +
		"LEFT JOIN `tags` AS `album__tags` ON (`album__tags`.`id` = `album__tags__through`.`tag_id`)"
	if sql != want {
		t.Errorf("got  %s\nwant %s", sql, want)
	}
}

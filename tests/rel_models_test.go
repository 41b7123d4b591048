package tests

import "github.com/atomdb/atomdb/orm"

// The models of the relation tests: a music library, comments that reply
// to comments, two tables that refer to each other, and tags.

type Artist struct {
	orm.Model `orm:"table=artists"`
	ID        int64       `db:"id"`
	Name      string      `db:"name" orm:"size=50,unique"`
	Albums    []*Record   `orm:"reverse=Artist"`
	Profile   *Profile    `orm:"-"`
	Label     *RecordCo   `db:"label_id" orm:"fk,null,on_delete=set_null"`
	Rival     *Artist     `db:"rival_id" orm:"fk,null,on_delete=set_null"`
	Fans      []*Listener `orm:"m2m"`
}

type RecordCo struct {
	orm.Model `orm:"table=labels"`
	ID        int64   `db:"id"`
	Name      string  `db:"name" orm:"size=50"`
	Owner     *Artist `db:"owner_id" orm:"fk,null,on_delete=set_null"` // a cycle: labels <-> artists
}

type Record struct {
	orm.Model `orm:"table=records"`
	ID        int64    `db:"id"`
	Name      string   `db:"name" orm:"size=50"`
	Artist    *Artist  `db:"artist_id" orm:"fk,on_delete=cascade"`
	Producer  *Artist  `db:"producer_id" orm:"fk,null,on_delete=protect"`
	Tracks    []*Cut   `orm:"reverse=Record"`
	Genres    []*Genre `orm:"m2m"`
}

type Cut struct {
	orm.Model `orm:"table=cuts"`
	ID        int64   `db:"id"`
	Title     string  `db:"title" orm:"size=50"`
	Position  int     `db:"position"`
	Record    *Record `db:"record_id" orm:"fk,on_delete=cascade"`
}

type Genre struct {
	orm.Model `orm:"table=genres"`
	ID        int64     `db:"id"`
	Name      string    `db:"name" orm:"size=30,unique"`
	Records   []*Record `orm:"reverse=Genres"`
}

type Listener struct {
	orm.Model `orm:"table=listeners"`
	ID        int64  `db:"id"`
	Name      string `db:"name" orm:"size=30"`
}

type Profile struct {
	orm.Model `orm:"table=profiles"`
	ID        int64   `db:"id"`
	Artist    *Artist `db:"artist_id" orm:"o2o,on_delete=cascade"`
	Bio       string  `db:"bio" orm:"size=100"`
}

type Comment struct {
	orm.Model `orm:"table=comments"`
	ID        int64      `db:"id"`
	Text      string     `db:"text" orm:"size=100"`
	ReplyTo   *Comment   `db:"reply_to_id" orm:"fk,null,on_delete=cascade"`
	Replies   []*Comment `orm:"reverse=ReplyTo"`
}

var relModels = []any{Artist{}, RecordCo{}, Record{}, Cut{}, Genre{}, Listener{}, Profile{}, Comment{}}

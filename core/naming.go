package core

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxIdentifierLength is the longest name, in bytes, that the schema uses
// (PostgreSQL's limit; MySQL's is 64). Longer generated constraint and index
// names are shortened; longer given names are an error of Validate.
const MaxIdentifierLength = 63

// NamingConvention gives every constraint and index a predictable name, the
// way SQLAlchemy's naming_convention does, so that migrations can refer to
// them by name on every database. Each field is a template whose placeholders
// are replaced as follows:
//
//	{table}           the table's name
//	{columns}         the constrained columns' names joined by "_"
//	{column_0}        the first constrained column (also {column_1}, ...)
//	{referred_table}  the table a foreign key points to (ForeignKey only)
//	{constraint}      the check constraint's own short name (Check only; the
//	                  column placeholders are not available to Check)
//
// An empty field uses the DefaultNaming template for that kind. A generated
// name longer than MaxIdentifierLength is shortened deterministically: a
// prefix is kept and "_" plus 8 hex digits of a SHA-256 of the full name is
// appended. Names given explicitly (Index.Name, UniqueConstraint.Name,
// ForeignKey.Name) bypass the convention and are used as given; a check
// constraint's Name always goes through the Check template.
type NamingConvention struct {
	Index      string // indexes, from Index and Column.Index
	Unique     string // unique constraints, from UniqueConstraint and Column.Unique
	Check      string // check constraints
	ForeignKey string // foreign keys
	PrimaryKey string // the primary key
}

// The default templates, kept apart from DefaultNaming so that an empty field
// of any convention always means these.
const (
	defaultIndexTemplate      = "ix_{table}_{columns}"
	defaultUniqueTemplate     = "uq_{table}_{columns}"
	defaultCheckTemplate      = "ck_{table}_{constraint}"
	defaultForeignKeyTemplate = "fk_{table}_{columns}_{referred_table}"
	defaultPrimaryKeyTemplate = "pk_{table}"
)

// DefaultNaming is the convention a MetaData uses unless given another with
// WithNaming: ix_{table}_{columns}, uq_{table}_{columns},
// ck_{table}_{constraint}, fk_{table}_{columns}_{referred_table} and
// pk_{table}. Treat it as read-only; an empty field of any convention falls
// back to these templates regardless of changes made to this variable.
var DefaultNaming = NamingConvention{
	Index:      defaultIndexTemplate,
	Unique:     defaultUniqueTemplate,
	Check:      defaultCheckTemplate,
	ForeignKey: defaultForeignKeyTemplate,
	PrimaryKey: defaultPrimaryKeyTemplate,
}

// IndexName returns the name of an index on columns of table.
func (n NamingConvention) IndexName(table string, columns []string) (string, error) {
	return expandNaming("Index", orDefault(n.Index, defaultIndexTemplate), namingVars{table: table, columns: columns})
}

// UniqueName returns the name of a unique constraint on columns of table.
func (n NamingConvention) UniqueName(table string, columns []string) (string, error) {
	return expandNaming("Unique", orDefault(n.Unique, defaultUniqueTemplate), namingVars{table: table, columns: columns})
}

// CheckName returns the name of table's check constraint whose short name is
// constraint.
func (n NamingConvention) CheckName(table, constraint string) (string, error) {
	return expandNaming("Check", orDefault(n.Check, defaultCheckTemplate), namingVars{table: table, constraint: constraint, isCheck: true})
}

// ForeignKeyName returns the name of the foreign key from columns of table to
// referredTable.
func (n NamingConvention) ForeignKeyName(table string, columns []string, referredTable string) (string, error) {
	return expandNaming("ForeignKey", orDefault(n.ForeignKey, defaultForeignKeyTemplate),
		namingVars{table: table, columns: columns, referred: referredTable, isFK: true})
}

// PrimaryKeyName returns the name of table's primary key on columns.
func (n NamingConvention) PrimaryKeyName(table string, columns []string) (string, error) {
	return expandNaming("PrimaryKey", orDefault(n.PrimaryKey, defaultPrimaryKeyTemplate), namingVars{table: table, columns: columns})
}

// Validate reports whether every template is well formed and uses only the
// placeholders available to its kind. The error wraps ErrInvalidSchema.
func (n NamingConvention) Validate() error {
	cols := []string{"a", "b"}
	_, e1 := n.IndexName("t", cols)
	_, e2 := n.UniqueName("t", cols)
	_, e3 := n.CheckName("t", "c")
	_, e4 := n.ForeignKeyName("t", cols, "r")
	_, e5 := n.PrimaryKeyName("t", cols)
	return errors.Join(e1, e2, e3, e4, e5)
}

func orDefault(template, def string) string {
	if template == "" {
		return def
	}
	return template
}

// namingVars are the values a template's placeholders take.
type namingVars struct {
	table      string
	columns    []string
	referred   string
	constraint string
	isFK       bool // {referred_table} is available
	isCheck    bool // {constraint} is available, the column placeholders are not
}

// expandNaming fills template with v and shortens the result to
// MaxIdentifierLength.
func expandNaming(kind, template string, v namingVars) (string, error) {
	bad := func(format string, args ...any) error {
		return schemaCause("", fmt.Errorf("naming convention %s %q: "+format, append([]any{kind, template}, args...)...))
	}
	var b strings.Builder
	rest := template
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			if strings.IndexByte(rest, '}') >= 0 {
				return "", bad("unmatched }")
			}
			b.WriteString(rest)
			break
		}
		if strings.IndexByte(rest[:open], '}') >= 0 {
			return "", bad("unmatched }")
		}
		b.WriteString(rest[:open])
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return "", bad("unmatched {")
		}
		key := rest[open+1 : open+end]
		rest = rest[open+end+1:]
		switch {
		case key == "table":
			b.WriteString(v.table)
		case key == "columns" && !v.isCheck:
			b.WriteString(strings.Join(v.columns, "_"))
		case strings.HasPrefix(key, "column_") && !v.isCheck:
			i, err := strconv.Atoi(key[len("column_"):])
			if err != nil || i < 0 {
				return "", bad("unknown placeholder {%s}", key)
			}
			if i >= len(v.columns) {
				return "", bad("{%s} but only %d column(s)", key, len(v.columns))
			}
			b.WriteString(v.columns[i])
		case key == "referred_table" && v.isFK:
			b.WriteString(v.referred)
		case key == "constraint" && v.isCheck:
			b.WriteString(v.constraint)
		default:
			return "", bad("placeholder {%s} is not available here", key)
		}
	}
	name := b.String()
	if name == "" {
		return "", bad("the name is empty")
	}
	return shortenName(name), nil
}

// shortenName returns name unchanged if it fits in MaxIdentifierLength bytes,
// else a prefix of it plus "_" and 8 hex digits of the SHA-256 of the whole
// name, MaxIdentifierLength bytes at most (never splitting a UTF-8 sequence).
func shortenName(name string) string {
	if len(name) <= MaxIdentifierLength {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	suffix := "_" + hex.EncodeToString(sum[:4])
	cut := MaxIdentifierLength - len(suffix)
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut] + suffix
}

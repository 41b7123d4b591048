package migrate

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/atomdb/atomdb/core"
)

// Migration is one step of the history: its dialect-neutral operations
// (the source of the state the history builds) and the SQL written from
// them for each dialect, which is what gets applied (hand edits included).
type Migration struct {
	Version string // "0001", "0002", ...
	Name    string // a short snake_case description
	Parent  string // the version before it; "" for the first
	// Operations are the neutral changes.
	Operations []*Operation
	// Irreversible: down would lose what up dropped; down refuses it.
	Irreversible bool
	// Up and Down hold each dialect's script, by "postgres", "mysql" and
	// "sqlite".
	Up, Down map[string]*Script
	// sums are the SHA-256 sums of the script files (line endings
	// normalised), by file name.
	sums map[string]string
	base string // file name prefix: version_name
}

// UpChecksum is the SHA-256 (hex) of the up file for dialect d, with line
// endings normalised; "" when there is none.
func (m *Migration) UpChecksum(d *core.Dialect) string {
	return m.sums[m.base+"."+dialectKey(d)+".up.sql"]
}

// History is a directory of migrations, in order.
type History struct {
	Migrations []*Migration
}

// SumFile is the name of the file that holds the sum of a migration
// directory.
const SumFile = "atomdb.sum"

var migrationName = regexp.MustCompile(`^(\d{4,})_([a-z0-9_]+)\.json$`)

// migrationJSON is the operations file.
type migrationJSON struct {
	Version      string    `json:"version"`
	Name         string    `json:"name"`
	Parent       string    `json:"parent"`
	Irreversible bool      `json:"irreversible,omitempty"`
	Operations   []*opJSON `json:"operations"`
}

type opJSON struct {
	Op         OpKind      `json:"op"`
	Table      string      `json:"table"`
	Name       string      `json:"name,omitempty"`
	NewName    string      `json:"new_name,omitempty"`
	Definition *tableJSON  `json:"definition,omitempty"`
	Column     *columnJSON `json:"column,omitempty"`
	Index      *indexJSON  `json:"index,omitempty"`
	Unique     *uniqueJSON `json:"unique,omitempty"`
	Check      *checkJSON  `json:"check,omitempty"`
	ForeignKey *fkJSON     `json:"foreign_key,omitempty"`
	Allow      []string    `json:"allow,omitempty"`
}

func encodeOp(op *Operation) (*opJSON, error) {
	j := &opJSON{Op: op.Kind, Table: op.Table, Name: op.Name, NewName: op.NewName, Allow: op.Allow}
	var err error
	if op.Def != nil {
		if j.Definition, err = encodeTable(op.Def); err != nil {
			return nil, err
		}
	}
	if op.Column != nil {
		if j.Column, err = encodeColumn(op.Column); err != nil {
			return nil, err
		}
		if op.Kind == AlterColumn {
			j.Name = ""
		}
	}
	if op.Index != nil {
		j.Index = &indexJSON{Name: op.Index.Name, Columns: op.Index.Columns, Unique: op.Index.Unique}
	}
	if op.Unique != nil {
		j.Unique = &uniqueJSON{Name: op.Unique.Name, Columns: op.Unique.Columns}
	}
	if op.Check != nil {
		j.Check = &checkJSON{Name: op.Check.Name, Expr: op.Check.Expr}
	}
	if op.ForeignKey != nil {
		j.ForeignKey = encodeFK(op.ForeignKey)
	}
	return j, nil
}

func decodeOp(j *opJSON) (*Operation, error) {
	op := &Operation{Kind: j.Op, Table: j.Table, Name: j.Name, NewName: j.NewName, Allow: j.Allow}
	if op.Table == "" {
		return nil, fmt.Errorf("operation %q without a table", j.Op)
	}
	var err error
	if j.Definition != nil {
		if op.Def, err = decodeTable(j.Definition); err != nil {
			return nil, err
		}
	}
	if j.Column != nil {
		if op.Column, err = decodeColumn(j.Column); err != nil {
			return nil, err
		}
	}
	if j.Index != nil {
		op.Index = &core.Index{Name: j.Index.Name, Columns: j.Index.Columns, Unique: j.Index.Unique}
	}
	if j.Unique != nil {
		op.Unique = &core.UniqueConstraint{Name: j.Unique.Name, Columns: j.Unique.Columns}
	}
	if j.Check != nil {
		op.Check = &core.CheckConstraint{Name: j.Check.Name, Expr: j.Check.Expr}
	}
	if j.ForeignKey != nil {
		op.ForeignKey = decodeFK(j.ForeignKey)
	}
	need := map[OpKind]bool{
		CreateTable: op.Def != nil, AddColumn: op.Column != nil, AlterColumn: op.Column != nil,
		AddIndex: op.Index != nil, AddUnique: op.Unique != nil, AddCheck: op.Check != nil, AddForeignKey: op.ForeignKey != nil,
		DropTable: true, RenameTable: op.NewName != "", DropColumn: op.Name != "", RenameColumn: op.Name != "" && op.NewName != "",
		DropIndex: op.Name != "", RenameIndex: op.Name != "" && op.NewName != "", DropUnique: op.Name != "",
		DropCheck: op.Name != "", DropForeignKey: op.Name != "", RenameConstraint: op.Name != "" && op.NewName != "",
	}
	ok, known := need[op.Kind]
	if !known {
		return nil, fmt.Errorf("unknown operation %q", op.Kind)
	}
	if !ok {
		return nil, fmt.Errorf("operation %q on table %q lacks what it needs", op.Kind, op.Table)
	}
	for _, a := range op.Allow {
		if a != FindingDestructive && a != FindingData && a != FindingLocking {
			return nil, fmt.Errorf("operation %q on table %q: unknown allow %q (want %q, %q or %q)", op.Kind, op.Table, a,
				FindingDestructive, FindingData, FindingLocking)
		}
	}
	return op, nil
}

// normalize makes line endings \n, so that a file checked out on Windows
// has the same sum.
func normalize(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\r"), []byte("\n"))
}

func sha(b []byte) string {
	s := sha256.Sum256(normalize(b))
	return hex.EncodeToString(s[:])
}

// Load reads the migrations of fsys (a directory: os.DirFS, or an embed.FS
// through fs.Sub) and checks them: each operations file parses, each
// script parses, atomdb.sum matches the files, and the migrations form one
// line, each naming the one before as its parent (two migrations with the
// same parent, as after merging two branches, are refused).
func Load(fsys fs.FS) (*History, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return &History{}, nil
		}
		return nil, fmt.Errorf("migrate: %w", err)
	}
	files := map[string][]byte{}
	var migrations []*Migration
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		if name != SumFile && !strings.HasSuffix(name, ".json") && !strings.HasSuffix(name, ".sql") {
			continue
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
		files[name] = b
	}
	for name, b := range files {
		m := migrationName.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		var mj migrationJSON
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&mj); err != nil {
			return nil, badMigration(name, "%v", err)
		}
		if mj.Version != m[1] || mj.Name != m[2] {
			return nil, badMigration(name, "version %q and name %q do not match the file name", mj.Version, mj.Name)
		}
		mig := &Migration{Version: mj.Version, Name: mj.Name, Parent: mj.Parent, Irreversible: mj.Irreversible,
			Up: map[string]*Script{}, Down: map[string]*Script{}, sums: map[string]string{}, base: m[1] + "_" + m[2]}
		for i, oj := range mj.Operations {
			op, err := decodeOp(oj)
			if err != nil {
				return nil, badMigration(name, "operation %d: %v", i+1, err)
			}
			mig.Operations = append(mig.Operations, op)
		}
		for _, dk := range []string{"postgres", "mysql", "sqlite"} {
			for _, dir := range []string{"up", "down"} {
				fname := mig.base + "." + dk + "." + dir + ".sql"
				text, ok := files[fname]
				if !ok {
					continue
				}
				sc, err := parseScript(fname, string(normalize(text)))
				if err != nil {
					return nil, err
				}
				if dir == "up" {
					mig.Up[dk] = sc
				} else {
					mig.Down[dk] = sc
				}
				mig.sums[fname] = sha(text)
			}
		}
		migrations = append(migrations, mig)
	}
	if len(migrations) == 0 {
		return &History{}, nil
	}
	sum, ok := files[SumFile]
	if !ok {
		return nil, fmt.Errorf("%w: %s is missing: run the hash command after adding migration files by hand", ErrChecksum, SumFile)
	}
	if want := sumFile(files); !bytes.Equal(normalize(sum), []byte(want)) {
		return nil, fmt.Errorf("%w: %s does not match the migration files (a file was edited, added or removed; after a hand edit run the hash command)",
			ErrChecksum, SumFile)
	}
	h, err := order(migrations)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// order chains the migrations from the first (no parent) to the last.
func order(ms []*Migration) (*History, error) {
	byParent := map[string]*Migration{}
	versions := map[string]bool{}
	for _, m := range ms {
		if other, ok := byParent[m.Parent]; ok {
			return nil, fmt.Errorf("%w: migrations %s_%s and %s_%s have the same parent %q (merged branches: delete the newer one and run make again)",
				ErrHistory, other.Version, other.Name, m.Version, m.Name, m.Parent)
		}
		byParent[m.Parent] = m
		if versions[m.Version] {
			return nil, fmt.Errorf("%w: two migrations have version %s", ErrHistory, m.Version)
		}
		versions[m.Version] = true
	}
	h := &History{}
	for prev := ""; ; {
		m, ok := byParent[prev]
		if !ok {
			break
		}
		h.Migrations = append(h.Migrations, m)
		prev = m.Version
	}
	if len(h.Migrations) != len(ms) {
		var lost []string
		for _, m := range ms {
			if !slices.Contains(h.Migrations, m) {
				lost = append(lost, m.Version+"_"+m.Name+" (parent "+strconv.Quote(m.Parent)+")")
			}
		}
		sort.Strings(lost)
		return nil, fmt.Errorf("%w: migrations not in the line from the first: %s", ErrHistory, strings.Join(lost, ", "))
	}
	return h, nil
}

// sumFile renders atomdb.sum for the files: a line with the sum of all,
// then one line per file, by name.
func sumFile(files map[string][]byte) string {
	var names []string
	for n := range files {
		if n != SumFile {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var lines strings.Builder
	for _, n := range names {
		s := sha256.Sum256(normalize(files[n]))
		lines.WriteString(n + " h1:" + base64.StdEncoding.EncodeToString(s[:]) + "\n")
	}
	total := sha256.Sum256([]byte(lines.String()))
	return "h1:" + base64.StdEncoding.EncodeToString(total[:]) + "\n" + lines.String()
}

// Hash rewrites the atomdb.sum of directory dir from its files: run it
// after editing a migration's SQL by hand.
func Hash(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || n == SumFile || (!strings.HasSuffix(n, ".json") && !strings.HasSuffix(n, ".sql")) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		files[n] = b
	}
	return os.WriteFile(filepath.Join(dir, SumFile), []byte(sumFile(files)), 0o644)
}

// State replays the history's operations from an empty schema: the schema
// its migrations build, without a database.
func (h *History) State() (*Schema, error) { return h.StateAt("") }

// StateAt is the schema the migrations up to version (all when "") build.
func (h *History) StateAt(version string) (*Schema, error) {
	s := &Schema{}
	for _, m := range h.Migrations {
		next, _, _, err := Replay(s, m.Operations)
		if err != nil {
			return nil, &Error{Version: m.Version, Name: m.Name, Err: err}
		}
		s = next
		if m.Version == version {
			return s, nil
		}
	}
	if version != "" {
		return nil, fmt.Errorf("%w: no migration %s", ErrHistory, version)
	}
	return s, nil
}

// Migration returns the migration of version v, or nil.
func (h *History) Migration(v string) *Migration {
	for _, m := range h.Migrations {
		if m.Version == v {
			return m
		}
	}
	return nil
}

// MakeOptions configures Make.
type MakeOptions struct {
	// Dialects are those the project targets; the default is all three.
	Dialects []*core.Dialect
	// Diff holds the rename question (see DiffOptions.Ask).
	Diff DiffOptions
}

// Made is what Make wrote.
type Made struct {
	Migration *Migration
	Files     []string // the files written, in dir
	Findings  []Finding
}

var nameRe = regexp.MustCompile(`^[a-z0-9_]{1,80}$`)

// Make diffs md against the state the migrations in dir build and, when
// they differ, writes the next migration: its operations file, an up and a
// down script per dialect, and the updated atomdb.sum. It needs no
// database. An unchanged model writes nothing and returns (nil, nil).
// name is a short snake_case description.
func Make(md *core.MetaData, dir, name string, opts MakeOptions) (*Made, error) {
	if !nameRe.MatchString(name) {
		return nil, fmt.Errorf("%w: name %q: use 1 to 80 lower-case letters, digits and _", ErrBadMigration, name)
	}
	h, err := Load(os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	state, err := h.State()
	if err != nil {
		return nil, err
	}
	target, err := FromMetaData(md)
	if err != nil {
		return nil, err
	}
	for _, t := range []string{DefaultTable, DefaultTable + "_lock"} {
		if target.Table(t) != nil {
			return nil, fmt.Errorf("%w: a model's table is called %q, the name of migrate's own table", ErrBadMigration, t)
		}
	}
	ops, err := Diff(state, target, opts.Diff)
	if err != nil || len(ops) == 0 {
		return nil, err
	}
	parent := ""
	if n := len(h.Migrations); n > 0 {
		parent = h.Migrations[n-1].Version
	}
	next := 1
	if parent != "" {
		p, err := strconv.Atoi(parent)
		if err != nil {
			return nil, fmt.Errorf("%w: version %q is not a number", ErrHistory, parent)
		}
		next = p + 1
	}
	m := &Migration{Version: fmt.Sprintf("%04d", next), Name: name, Parent: parent, Operations: ops,
		Up: map[string]*Script{}, Down: map[string]*Script{}}
	files, err := m.render(state, opts.Dialects)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var names []string
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.text, 0o644); err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
		names = append(names, f.name)
	}
	if err := Hash(dir); err != nil {
		return nil, err
	}
	return &Made{Migration: m, Files: names, Findings: lintStatic(state, m)}, nil
}

type file struct {
	name string
	text []byte
}

// render writes the migration's files for the dialects (all when none).
func (m *Migration) render(before *Schema, dialects []*core.Dialect) ([]file, error) {
	if len(dialects) == 0 {
		dialects = []*core.Dialect{core.Postgres, core.MySQL, core.SQLite}
	}
	after, undo, irreversible, err := Replay(before, m.Operations)
	if err != nil {
		return nil, err
	}
	m.Irreversible = irreversible
	mj := migrationJSON{Version: m.Version, Name: m.Name, Parent: m.Parent, Irreversible: irreversible}
	for _, op := range m.Operations {
		oj, err := encodeOp(op)
		if err != nil {
			return nil, err
		}
		mj.Operations = append(mj.Operations, oj)
	}
	js, err := json.MarshalIndent(mj, "", "  ")
	if err != nil {
		return nil, err
	}
	base := m.Version + "_" + m.Name
	files := []file{{base + ".json", append(js, '\n')}}
	for _, d := range dialects {
		up, err := Render(d, before, m.Operations)
		if err != nil {
			return nil, err
		}
		down, err := Render(d, after, undo)
		if err != nil {
			return nil, err
		}
		down.Irreversible = irreversible
		m.Up[dialectKey(d)], m.Down[dialectKey(d)] = up, down
		files = append(files,
			file{base + "." + dialectKey(d) + ".up.sql", []byte(up.text())},
			file{base + "." + dialectKey(d) + ".down.sql", []byte(down.text())})
	}
	return files, nil
}

package tests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestREADMECompiles type-checks every ```go block of README.md against the
// current API, so that the README cannot drift from the code.
//
// How blocks are assembled:
//
//   - Each "## " section of the README is one package; the blocks of a
//     section are checked together, the sections separately (two sections
//     may both declare a type Album).
//   - A block is package-level declarations (type, func, var, const),
//     followed by statements; either part may be empty. Declarations go to
//     the package, so a section's later blocks can use the types an earlier
//     block declared.
//   - The statements of each block become the body of a function of their
//     own, func(ctx context.Context, db *core.Database): ctx and db are
//     always in scope, nothing else is; variables do not carry over from
//     one block to the next. (The body is a nested block, so a prelude may
//     declare a db of another type.)
//   - Every package a block may name is imported under its usual name (see
//     readmeImports); add one there when a block needs it.
//   - `{ ... }` stands for an elided body (it becomes `{ panic("...") }`).
//   - A variable declared and not used, and an unused import, are allowed:
//     a fragment shows a call and the prose says what its result holds.
//     Every other type error fails the test, at its README line.
//   - An HTML comment right above the fence, `<!-- readme-test: prelude
//     STATEMENTS -->`, adds statements before the block's own, for names the
//     prose takes from an earlier block (`albums := orm.Objects[Album](db)`).
//   - `<!-- readme-test: skip REASON -->` right above the fence leaves a
//     block out; REASON is required. Use it only for a block that genuinely
//     cannot compile (there is none today).
func TestREADMECompiles(t *testing.T) {
	src, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := readmeSections(t, string(src))
	if len(sections) == 0 {
		t.Fatal("no ```go block found in README.md")
	}
	paths := make([]string, 0, len(readmeImports))
	for _, p := range readmeImports {
		paths = append(paths, p)
	}
	for _, sec := range sections {
		for _, spec := range sec.extraImports() {
			paths = append(paths, spec[1])
		}
	}
	imp := exportImporter(t, paths)
	for _, sec := range sections {
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, "README.md", sec.source(), parser.ParseComments)
		if err != nil {
			t.Errorf("section %q: %v", sec.title, err)
			continue
		}
		conf := types.Config{
			Importer: imp,
			Error: func(err error) {
				var te types.Error
				if errors.As(err, &te) && te.Soft && unused.MatchString(te.Msg) {
					return
				}
				t.Errorf("section %q: %v", sec.title, err)
			},
		}
		_, _ = conf.Check("readme", fset, []*ast.File{file}, nil)
	}
}

// readmeImports are the packages a README block may use, by name.
var readmeImports = map[string]string{
	"context": "context",
	"errors":  "errors",
	"fmt":     "fmt",
	"fs":      "io/fs",
	"os":      "os",
	"sql":     "database/sql",
	"strings": "strings",
	"time":    "time",
	"core":    "github.com/atomdb/atomdb/core",
	"lookups": "github.com/atomdb/atomdb/lookups",
	"migrate": "github.com/atomdb/atomdb/migrate",
	"mongo":   "github.com/atomdb/atomdb/mongo",
	"orm":     "github.com/atomdb/atomdb/orm",
	"goqu":    "github.com/doug-martin/goqu/v9",
	"exp":     "github.com/doug-martin/goqu/v9/exp",
	"uuid":    "github.com/google/uuid",
	"pgconn":  "github.com/jackc/pgx/v5/pgconn",
	"decimal": "github.com/shopspring/decimal",
	"bson":    "go.mongodb.org/mongo-driver/v2/bson",
	// The driver's own mongo package, for a prelude's *mongodriver.Database.
	"mongodriver": "go.mongodb.org/mongo-driver/v2/mongo",
}

// readmeSection is one "## " section's Go blocks.
type readmeSection struct {
	title  string
	blocks []readmeBlock
}

type readmeBlock struct {
	line    int // the README line of the block's first line
	decls   []string
	imports [][2]string // the block's own import specs: name ("" or "_"), path
	stmts   []string
	stmtAt  int // the README line of the first statement
	prelude string
}

var (
	unused    = regexp.MustCompile(`^(declared and not used|".*" imported( as \w+)? and not used)`)
	directive = regexp.MustCompile(`^<!--\s*readme-test:\s*(\w+)\s*(.*?)\s*-->$`)
	elided    = regexp.MustCompile(`\{\s*\.\.\.\s*\}`)
)

func readmeSections(t *testing.T, src string) []*readmeSection {
	var out []*readmeSection
	cur := &readmeSection{title: "(top)"}
	sc := bufio.NewScanner(strings.NewReader(src))
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.HasPrefix(line, "## ") {
			if len(cur.blocks) > 0 {
				out = append(out, cur)
			}
			cur = &readmeSection{title: strings.TrimPrefix(line, "## ")}
			continue
		}
		if strings.TrimSpace(line) != "```go" {
			continue
		}
		// The directive, if any, is the nearest non-blank line above.
		var kind, arg string
		for j := i - 1; j >= 0 && strings.TrimSpace(lines[j]) != ""; j-- {
			if m := directive.FindStringSubmatch(strings.TrimSpace(lines[j])); m != nil {
				kind, arg = m[1], m[2]
			}
			break
		}
		start := i + 1
		end := start
		for end < len(lines) && strings.TrimSpace(lines[end]) != "```" {
			end++
		}
		if end == len(lines) {
			t.Fatalf("README.md:%d: unterminated ```go block", i+1)
		}
		i = end
		switch kind {
		case "skip":
			if arg == "" {
				t.Errorf("README.md:%d: readme-test skip needs a reason", start-1)
			}
			continue
		case "prelude", "":
		default:
			t.Errorf("README.md:%d: unknown readme-test directive %q", start-1, kind)
			continue
		}
		body := make([]string, end-start)
		for k, l := range lines[start:end] {
			body[k] = elided.ReplaceAllString(l, `{ panic("elided in the README") }`)
		}
		b := readmeBlock{line: start + 1, prelude: arg}
		b.decls, b.stmts = splitBlock(body)
		b.decls, b.imports = takeImports(b.decls)
		b.stmtAt = b.line + len(b.decls)
		cur.blocks = append(cur.blocks, b)
	}
	if len(cur.blocks) > 0 {
		out = append(out, cur)
	}
	return out
}

// splitBlock cuts a block into its longest prefix that parses as
// package-level declarations and the rest, which must parse as statements
// (if no cut works, the whole block is statements, and its errors show).
func splitBlock(lines []string) (decls, stmts []string) {
	fset := token.NewFileSet()
	for k := len(lines); k >= 0; k-- {
		head := "package p\n" + strings.Join(lines[:k], "\n")
		if _, err := parser.ParseFile(fset, "", head, 0); err != nil {
			continue
		}
		tail := "package p\nfunc _() {\n" + strings.Join(lines[k:], "\n") + "\n}"
		if _, err := parser.ParseFile(fset, "", tail, 0); err != nil {
			continue
		}
		return lines[:k], lines[k:]
	}
	return nil, lines
}

// takeImports blanks the import declarations among a block's declarations
// (keeping the line count, so line directives stay right) and returns their
// specs: Go wants every import before other declarations, and the section's
// file imports the packages of readmeImports itself.
func takeImports(decls []string) ([]string, [][2]string) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package p\n"+strings.Join(decls, "\n"), parser.ImportsOnly)
	if err != nil || len(f.Imports) == 0 {
		return decls, nil
	}
	out := append([]string(nil), decls...)
	var specs [][2]string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.IMPORT {
			continue
		}
		// Line 1 is "package p": decls[i] is on line i+2.
		for l := fset.Position(g.Pos()).Line; l <= fset.Position(g.End()).Line; l++ {
			out[l-2] = ""
		}
	}
	for _, spec := range f.Imports {
		path, _ := strconv.Unquote(spec.Path.Value)
		name := ""
		if spec.Name != nil {
			name = spec.Name.Name
		}
		specs = append(specs, [2]string{name, path})
	}
	return out, specs
}

// extraImports returns the import specs of a section's blocks that the
// section's file does not already have.
func (s *readmeSection) extraImports() [][2]string {
	have := map[string]bool{}
	for _, p := range readmeImports {
		have[p] = true
	}
	var out [][2]string
	for _, blk := range s.blocks {
		for _, spec := range blk.imports {
			if have[spec[1]] {
				continue
			}
			have[spec[1]] = true
			out = append(out, spec)
		}
	}
	return out
}

// source is the section as one Go file, with line directives pointing each
// part back at the README.
func (s *readmeSection) source() string {
	var b strings.Builder
	b.WriteString("package readme\n\nimport (\n")
	names := make([]string, 0, len(readmeImports))
	for name := range readmeImports {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(&b, "\t%s %q\n", name, readmeImports[name])
	}
	for _, spec := range s.extraImports() {
		fmt.Fprintf(&b, "\t%s %q\n", spec[0], spec[1])
	}
	b.WriteString(")\n\n")
	for i, blk := range s.blocks {
		if len(blk.decls) > 0 {
			fmt.Fprintf(&b, "//line README.md:%d\n%s\n", blk.line, strings.Join(blk.decls, "\n"))
		}
		if len(blk.stmts) == 0 && blk.prelude == "" {
			continue
		}
		fmt.Fprintf(&b, "\nfunc readmeBlock%d(ctx context.Context, db *core.Database) {\n{\n", i)
		if blk.prelude != "" {
			fmt.Fprintf(&b, "//line README.md:%d\n%s\n", blk.line-1, blk.prelude)
		}
		fmt.Fprintf(&b, "//line README.md:%d\n%s\n}\n}\n", blk.stmtAt, strings.Join(blk.stmts, "\n"))
	}
	return b.String()
}

// exportImporter imports packages from the compiler's export data, which
// `go list -export` builds (or finds in the build cache).
func exportImporter(t *testing.T, paths []string) types.Importer {
	t.Helper()
	args := append([]string{"list", "-export", "-deps", "-json=ImportPath,Export"}, paths...)
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -export: %v\n%s", err, stderr.String())
	}
	exports := map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct{ ImportPath, Export string }
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		exports[p.ImportPath] = p.Export
	}
	return importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		f := exports[path]
		if f == "" {
			return nil, fmt.Errorf("no export data for %q (add it to readmeImports)", path)
		}
		return os.Open(filepath.Clean(f))
	})
}

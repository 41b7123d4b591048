package tests

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestMongoReadmeCompiles type-checks the Go code of the README's MongoDB
// section, so that it cannot drift from the API: the blocks that declare
// types are the package's declarations, the others are one function's body,
// in order (later blocks use what earlier ones declared), given ctx and db.
// Unused variables and imports are allowed (they are soft errors).
func TestMongoReadmeCompiles(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "\n## MongoDB\n")
	if start < 0 {
		t.Fatal("no MongoDB section in README.md")
	}
	section := text[start+1:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(section, -1)
	if len(blocks) < 3 {
		t.Fatalf("%d go blocks in the MongoDB section", len(blocks))
	}
	var decls, body strings.Builder
	for _, b := range blocks {
		if regexp.MustCompile(`(?m)^(type|func) `).MatchString(b[1]) {
			decls.WriteString(b[1])
		} else {
			body.WriteString(b[1])
		}
	}
	src := `package readme

import (
	"context"
	"strings"

	"github.com/atomdb/atomdb/lookups"
	"github.com/atomdb/atomdb/mongo"
	"go.mongodb.org/mongo-driver/v2/bson"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
)

var _ = strings.TrimSpace

` + decls.String() + `
func readme(ctx context.Context, db *mongodriver.Database) {
` + body.String() + `}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "readme.go", src, parser.AllErrors)
	if err != nil {
		t.Fatalf("the README's MongoDB code does not parse: %v\n%s", err, numbered(src))
	}
	// Export data from the build cache (go list -export), far quicker than
	// type-checking the driver from source.
	out, err := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}}={{.Export}}",
		"context", "strings", "github.com/atomdb/atomdb/lookups", "github.com/atomdb/atomdb/mongo",
		"go.mongodb.org/mongo-driver/v2/bson", "go.mongodb.org/mongo-driver/v2/mongo").Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	exports := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if path, file, ok := strings.Cut(line, "="); ok && file != "" {
			exports[path] = file
		}
	}
	var hard []string
	conf := types.Config{
		Importer: importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
			file, ok := exports[path]
			if !ok {
				return nil, fmt.Errorf("no export data for %s", path)
			}
			return os.Open(file)
		}),
		Error: func(err error) {
			if te, ok := err.(types.Error); ok && te.Soft {
				return
			}
			hard = append(hard, err.Error())
		},
	}
	_, _ = conf.Check("readme", fset, []*ast.File{f}, nil)
	if len(hard) > 0 {
		t.Errorf("the README's MongoDB code does not compile:\n%s\n%s", strings.Join(hard, "\n"), numbered(src))
	}
}

func numbered(src string) string {
	lines := strings.Split(src, "\n")
	for i := range lines {
		lines[i] = strings.Repeat(" ", 4-len(itoa(i+1))) + itoa(i+1) + "  " + lines[i]
	}
	return strings.Join(lines, "\n")
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

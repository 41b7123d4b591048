package core

import (
	"fmt"
	"strings"
	"sync"
)

// Params holds the values of a raw SQL statement's :name parameters.
//
//	db.FetchAll(ctx, "SELECT * FROM notes WHERE completed = :done", core.Params{"done": true})
//
// Every :name in the statement must have a value and every value must be used;
// values are always sent as bound parameters, never written into the SQL.
type Params map[string]any

// template is a raw statement split at its :name parameters.
type template struct {
	text  []string // len(names)+1 pieces of SQL around the parameters
	names []string // parameter names in order of appearance (repeats kept)
}

// compiled is a template rendered for one dialect.
type compiled struct {
	sql   string
	order []string // the parameter name behind each bound argument
	names map[string]bool
}

// rawCacheLimit bounds the per-dialect cache of rendered raw statements, so
// that programs which build SQL strings dynamically cannot grow it forever.
const rawCacheLimit = 4096

type rawCache struct {
	mu sync.RWMutex
	m  map[string]*compiled
}

var rawCaches = map[*Dialect]*rawCache{Postgres: {}, MySQL: {}, SQLite: {}}

// compileRaw renders a raw statement with :name parameters for dialect d.
func compileRaw(d *Dialect, sql string) (*compiled, error) {
	cache := rawCaches[d]
	cache.mu.RLock()
	c := cache.m[sql]
	cache.mu.RUnlock()
	if c != nil {
		return c, nil
	}
	t, err := parseTemplate(sql, d.caps.BackslashEscapes)
	if err != nil {
		return nil, err
	}
	c = t.render(d)
	cache.mu.Lock()
	if cache.m == nil {
		cache.m = map[string]*compiled{}
	}
	if len(cache.m) < rawCacheLimit {
		cache.m[sql] = c
	}
	cache.mu.Unlock()
	return c, nil
}

func (t *template) render(d *Dialect) *compiled {
	c := &compiled{names: map[string]bool{}}
	var b strings.Builder
	position := map[string]int{} // numbered dialects reuse $n for a repeated name
	for i, name := range t.names {
		b.WriteString(t.text[i])
		c.names[name] = true
		if d.caps.NumberedPlaceholders {
			n, ok := position[name]
			if !ok {
				c.order = append(c.order, name)
				n = len(c.order)
				position[name] = n
			}
			b.WriteString(d.Placeholder(n))
		} else {
			c.order = append(c.order, name)
			b.WriteString(d.Placeholder(len(c.order)))
		}
	}
	b.WriteString(t.text[len(t.names)])
	c.sql = b.String()
	return c
}

// bind orders the values of params as the compiled statement needs them.
func (c *compiled) bind(params Params) ([]any, error) {
	args := make([]any, len(c.order))
	for i, name := range c.order {
		v, ok := params[name]
		if !ok {
			return nil, fmt.Errorf("%w: no value for parameter :%s", ErrBadQuery, name)
		}
		args[i] = v
	}
	for name := range params {
		if !c.names[name] {
			return nil, fmt.Errorf("%w: value given for :%s, which the statement does not use", ErrBadQuery, name)
		}
	}
	return args, nil
}

// parseTemplate finds the :name parameters of sql. It skips quoted strings and
// identifiers, comments, PostgreSQL's ::type casts and dollar-quoted strings,
// and a colon followed by a non-name character; \: writes a literal colon.
// Inside a string a backslash escapes the next character only where the
// dialect says so: MySQL (backslashEscapes) and PostgreSQL's E'...' strings.
func parseTemplate(sql string, backslashEscapes bool) (*template, error) {
	t := &template{}
	var b strings.Builder
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			escapes := (c != '`' && backslashEscapes) || (c == '\'' && i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e') && (i == 1 || !isNamePart(sql[i-2])))
			end := skipQuoted(sql, i, c, escapes)
			if end < 0 {
				return nil, fmt.Errorf("%w: unterminated %c quote in %q", ErrBadQuery, c, sql)
			}
			b.WriteString(sql[i:end])
			i = end
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			end := strings.IndexByte(sql[i:], '\n')
			if end < 0 {
				end = len(sql) - i
			}
			b.WriteString(sql[i : i+end])
			i += end
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return nil, fmt.Errorf("%w: unterminated /* comment in %q", ErrBadQuery, sql)
			}
			b.WriteString(sql[i : i+2+end+2])
			i += 2 + end + 2
		case c == '$' && dollarTag(sql[i:]) != "":
			tag := dollarTag(sql[i:])
			end := strings.Index(sql[i+len(tag):], tag)
			if end < 0 {
				return nil, fmt.Errorf("%w: unterminated %s string in %q", ErrBadQuery, tag, sql)
			}
			stop := i + len(tag) + end + len(tag)
			b.WriteString(sql[i:stop])
			i = stop
		case c == '\\' && i+1 < len(sql) && sql[i+1] == ':':
			b.WriteByte(':')
			i += 2
		case c == ':' && i+1 < len(sql) && sql[i+1] == ':':
			b.WriteString("::")
			i += 2
		case c == ':' && i+1 < len(sql) && isNameStart(sql[i+1]):
			j := i + 2
			for j < len(sql) && isNamePart(sql[j]) {
				j++
			}
			t.text = append(t.text, b.String())
			t.names = append(t.names, sql[i+1:j])
			b.Reset()
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	t.text = append(t.text, b.String())
	return t, nil
}

// skipQuoted returns the index just past the quoted run starting at i, where
// a doubled quote character escapes it, and with escapes also a backslash.
func skipQuoted(s string, i int, q byte, escapes bool) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if escapes {
				j++
			}
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return -1
}

// dollarTag returns the opening tag of a PostgreSQL dollar-quoted string ($$
// or $tag$) at the start of s, or "" when s does not start with one. $1 is a
// positional parameter, not a tag.
func dollarTag(s string) string {
	for j := 1; j < len(s); j++ {
		switch {
		case s[j] == '$':
			return s[:j+1]
		case isNameStart(s[j]) || (j > 1 && isNamePart(s[j])):
		default:
			return ""
		}
	}
	return ""
}

func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNamePart(c byte) bool { return isNameStart(c) || (c >= '0' && c <= '9') }

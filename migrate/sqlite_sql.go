package migrate

import (
	"strings"
)

// namedConstraint is a CONSTRAINT clause read from an SQLite CREATE TABLE
// statement, the only place SQLite keeps constraint names.
type namedConstraint struct {
	name string
	kind string   // "CHECK", "UNIQUE", "FOREIGN", "PRIMARY"
	cols []string // UNIQUE, FOREIGN KEY, PRIMARY KEY
	expr string   // CHECK
}

// sqliteConstraints reads the named table constraints of a CREATE TABLE
// statement: CONSTRAINT name CHECK (...), UNIQUE (...), FOREIGN KEY (...),
// PRIMARY KEY (...). Quoted strings and identifiers are skipped whole, so
// no text inside them is taken for a keyword.
func sqliteConstraints(sql string) []namedConstraint {
	var out []namedConstraint
	s := &scanner{src: sql}
	for !s.done() {
		tok := s.next()
		if !strings.EqualFold(tok, "CONSTRAINT") {
			continue
		}
		name := unquoteIdent(s.next())
		kind := strings.ToUpper(s.next())
		c := namedConstraint{name: name, kind: kind}
		switch kind {
		case "CHECK":
			c.expr = strings.TrimSpace(stripParens(s.group()))
		case "FOREIGN", "PRIMARY":
			s.next() // KEY
			c.cols = identList(s.group())
		case "UNIQUE":
			c.cols = identList(s.group())
		default:
			continue
		}
		out = append(out, c)
	}
	return out
}

// scanner splits SQL into words, quoted runs and single characters.
type scanner struct {
	src string
	i   int
}

func (s *scanner) done() bool { return s.i >= len(s.src) }

func (s *scanner) skipSpace() {
	for s.i < len(s.src) && (s.src[s.i] == ' ' || s.src[s.i] == '\n' || s.src[s.i] == '\t' || s.src[s.i] == '\r') {
		s.i++
	}
}

// next returns the next token: a word, a quoted run with its quotes, or
// one character.
func (s *scanner) next() string {
	s.skipSpace()
	if s.done() {
		return ""
	}
	start := s.i
	switch c := s.src[s.i]; {
	case c == '\'' || c == '"' || c == '`' || c == '[':
		end := c
		if c == '[' {
			end = ']'
		}
		s.i++
		for s.i < len(s.src) {
			if s.src[s.i] == end {
				if end != ']' && s.i+1 < len(s.src) && s.src[s.i+1] == end {
					s.i += 2
					continue
				}
				s.i++
				break
			}
			s.i++
		}
	case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
		for s.i < len(s.src) {
			c := s.src[s.i]
			if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				break
			}
			s.i++
		}
	default:
		s.i++
	}
	return s.src[start:s.i]
}

// group returns the parenthesised group that comes next, parentheses
// included, or "".
func (s *scanner) group() string {
	s.skipSpace()
	if s.done() || s.src[s.i] != '(' {
		return ""
	}
	start, depth := s.i, 0
	for !s.done() {
		tok := s.next()
		switch tok {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return s.src[start:s.i]
			}
		}
	}
	return s.src[start:]
}

func unquoteIdent(tok string) string {
	if len(tok) >= 2 {
		switch q := tok[0]; q {
		case '"', '`', '\'':
			if tok[len(tok)-1] == q {
				return strings.ReplaceAll(tok[1:len(tok)-1], string([]byte{q, q}), string(q))
			}
		case '[':
			if tok[len(tok)-1] == ']' {
				return tok[1 : len(tok)-1]
			}
		}
	}
	return tok
}

// identList reads "(a, "b")" as [a b].
func identList(group string) []string {
	s := &scanner{src: strings.TrimSpace(stripParens(group))}
	var out []string
	for !s.done() {
		tok := s.next()
		if tok == "," || tok == "" {
			continue
		}
		out = append(out, unquoteIdent(tok))
	}
	return out
}

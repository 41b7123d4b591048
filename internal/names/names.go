// Package names holds the naming rules the SQL and MongoDB mappers share, so
// that a Go name becomes the same table, column or collection name in both.
package names

import (
	"strings"
	"unicode"
)

// SnakeCase turns a Go name into a snake_case name: AlbumID -> album_id,
// HTTPServer -> http_server, CreatedAt -> created_at, Line2Text ->
// line2_text. An upper-case letter starts a new word after a lower-case
// letter or a digit, and, inside a run of capitals, before the capital that
// a lower-case letter follows.
func SnakeCase(s string) string {
	var b strings.Builder
	runes := []rune(s)
	for i, r := range runes {
		if !unicode.IsUpper(r) {
			b.WriteRune(r)
			continue
		}
		if i > 0 && (unicode.IsLower(runes[i-1]) || unicode.IsDigit(runes[i-1]) ||
			(i+1 < len(runes) && unicode.IsLower(runes[i+1]) && unicode.IsUpper(runes[i-1]))) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

package names

import "testing"

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"":           "",
		"ID":         "id",
		"AlbumID":    "album_id",
		"HTTPServer": "http_server",
		"CreatedAt":  "created_at",
		"BlogPost":   "blog_post",
		"HTTPLog":    "http_log",
		"Line2Text":  "line2_text",
		"V2":         "v2",
		"already_ok": "already_ok",
		"ÉtéDay":     "été_day",
	} {
		if got := SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

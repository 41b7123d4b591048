package orm

import "strings"

// tagOption is one comma-separated option of an `orm` struct tag: a flag
// (pk, null) or key=value (size=100).
type tagOption struct {
	key, value string
	hasValue   bool
}

// tagOptions are the options of one field's `orm` tag, parsed once and
// read by both the field and the relation parsers.
type tagOptions []tagOption

// parseTag splits an `orm` tag into its options; empty ones are skipped.
func parseTag(tag string) tagOptions {
	var out tagOptions
	for _, opt := range strings.Split(tag, ",") {
		opt = strings.TrimSpace(opt)
		if opt == "" {
			continue
		}
		key, value, hasValue := strings.Cut(opt, "=")
		out = append(out, tagOption{key: key, value: value, hasValue: hasValue})
	}
	return out
}

// has reports whether the tag holds the option key.
func (o tagOptions) has(key string) bool {
	_, ok := o.get(key)
	return ok
}

// get returns the value of option key (the last one when repeated).
func (o tagOptions) get(key string) (string, bool) {
	value, found := "", false
	for _, opt := range o {
		if opt.key == key {
			value, found = opt.value, true
		}
	}
	return value, found
}

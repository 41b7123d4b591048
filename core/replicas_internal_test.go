package core

import "testing"

func TestParseLSN(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0/0", 0, true},
		{"0/30046E0", 0x30046E0, true},
		{"16/B374D848", 0x16<<32 | 0xB374D848, true},
		{"FFFFFFFF/FFFFFFFF", ^uint64(0), true},
		{"", 0, false},
		{"16", 0, false},
		{"x/1", 0, false},
	} {
		got, err := parseLSN(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseLSN(%q) = %x, %v; want %x (ok %v)", c.in, got, err, c.want, c.ok)
		}
	}
	// Positions compare as numbers: 0/A0000000 is behind 1/0.
	a, _ := parseLSN("0/A0000000")
	b, _ := parseLSN("1/0")
	if a >= b {
		t.Errorf("0/A0000000 (%x) is not behind 1/0 (%x)", a, b)
	}
}

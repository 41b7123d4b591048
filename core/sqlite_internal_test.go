package core

import (
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestCompareDecimalText(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"9.99", "10.00", -1},
		{"10", "10.00", 0},
		{"10.00", "10", 0},
		{"-1", "0.5", -1},
		{"-10", "-9.99", -1},
		{"0", "-0.00", 0},
		{"0.10", ".1", 0},
		{"1e2", "100.00", 0},
		{"1.5E-1", "0.15", 0},
		{"100", "99.999999999999999999999999", 1},
		{"123456789012345678901234567890.1", "123456789012345678901234567890.09", 1},
		{"00012", "12", 0},
		{" 7 ", "7", 0},
		{"+3", "3", 0},
		{"abc", "1", 1},
		{"1", "abc", -1},
		{"abc", "abd", -1},
		{"1e", "1", 1},
		{"", "0", 1},
	} {
		if got := CompareDecimalText(c.a, c.b); got != c.want {
			t.Errorf("CompareDecimalText(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
	// Against math/big on random decimals of various scales and exponents.
	r := rand.New(rand.NewPCG(1, 2))
	gen := func() string {
		s := strconv.FormatInt(r.Int64N(2000000)-1000000, 10)
		switch r.IntN(4) {
		case 0:
			return s
		case 1:
			return s + "." + strconv.Itoa(r.IntN(1000))
		case 2:
			return s + "e" + strconv.Itoa(r.IntN(9)-4)
		}
		return s + ".000"
	}
	for range 20000 {
		a, b := gen(), gen()
		ra, _ := new(big.Rat).SetString(a)
		rb, _ := new(big.Rat).SetString(b)
		if got, want := CompareDecimalText(a, b), ra.Cmp(rb); got != want {
			t.Fatalf("CompareDecimalText(%q, %q) = %d, want %d", a, b, got, want)
		}
	}
}

func TestDecimalAggregates(t *testing.T) {
	sum, avg := &DecimalAggregate{}, &DecimalAggregate{Avg: true}
	for _, v := range []any{"0.10", "0.20", nil, int64(1), []byte("1e-3"), 0.5} {
		for _, a := range []*DecimalAggregate{sum, avg} {
			if err := a.Step(v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got, _ := sum.Done(); got != "1.801" {
		t.Errorf("sum = %v, want 1.801", got)
	}
	if got, _ := avg.Done(); got != "0.3602000000000000" {
		t.Errorf("avg = %v", got)
	}
	if got, err := (&DecimalAggregate{}).Done(); got != nil || err != nil {
		t.Errorf("sum of nothing = %v, %v", got, err)
	}
	if err := (&DecimalAggregate{}).Step("1/3"); err == nil {
		t.Error("a fraction is not a decimal")
	}
}

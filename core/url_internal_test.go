package core

import "testing"

func TestURLOptionsReachPool(t *testing.T) {
	u, err := ParseURL("mysql://h/db?min_size=2&max_size=9&pool_recycle=90")
	if err != nil {
		t.Fatal(err)
	}
	if u.intOption("min_size") != 2 || u.intOption("max_size") != 9 {
		t.Errorf("sizes: %v", u.Options)
	}
	if d, _ := u.poolRecycle(); d.Seconds() != 90 {
		t.Errorf("pool_recycle = %v", d)
	}
	if got := u.DriverOptions(); len(got) != 0 {
		t.Errorf("driver options = %v, want none", got)
	}
}

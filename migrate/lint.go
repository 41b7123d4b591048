package migrate

// Finding is placeholder
type Finding struct{}

func (f Finding) String() string { return "" }

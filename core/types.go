package core

import (
	"fmt"
	"strconv"
)

// TypeKind is the portable kind of a column type. The zero value,
// KindInvalid, is not a type: a Column must be given one of the others.
type TypeKind int

// The column type kinds. Each has a constructor of the same name without the
// Kind prefix (KindString has String(n), and so on).
const (
	KindInvalid   TypeKind = iota // no type: always an error
	KindBoolean                   // true/false
	KindSmallInt                  // 16-bit integer
	KindInteger                   // 32-bit integer
	KindBigInt                    // 64-bit integer
	KindFloat                     // 32-bit floating point
	KindDouble                    // 64-bit floating point
	KindDecimal                   // exact decimal with Precision and Scale
	KindString                    // variable-length string of at most Length characters
	KindText                      // string of unbounded length
	KindBytes                     // binary string of unbounded length
	KindDate                      // calendar date
	KindTimestamp                 // instant in time, microsecond precision
	KindJSON                      // JSON document
	KindUUID                      // UUID
	KindCustom                    // the SQL type in Raw, written verbatim
	KindTime                      // time of day, microsecond precision
)

var typeKindNames = [...]string{
	KindInvalid:   "Invalid",
	KindBoolean:   "Boolean",
	KindSmallInt:  "SmallInt",
	KindInteger:   "Integer",
	KindBigInt:    "BigInt",
	KindFloat:     "Float",
	KindDouble:    "Double",
	KindDecimal:   "Decimal",
	KindString:    "String",
	KindText:      "Text",
	KindBytes:     "Bytes",
	KindDate:      "Date",
	KindTimestamp: "Timestamp",
	KindJSON:      "JSON",
	KindUUID:      "UUID",
	KindCustom:    "Custom",
	KindTime:      "Time",
}

// String returns the kind's name ("BigInt", "String", ...).
func (k TypeKind) String() string {
	if k >= 0 && int(k) < len(typeKindNames) {
		return typeKindNames[k]
	}
	return "TypeKind(" + strconv.Itoa(int(k)) + ")"
}

// isInteger reports whether k is one of the integer kinds.
func (k TypeKind) isInteger() bool {
	return k == KindSmallInt || k == KindInteger || k == KindBigInt
}

// MaxDecimalPrecision is the largest Precision a Decimal may have. It is
// PostgreSQL's limit; MySQL allows 65 digits (and a Scale of at most 30),
// which Type.SQL checks when it renders for MySQL.
const MaxDecimalPrecision = 1000

// Type is a portable column type: a Kind plus the parameters that kind takes.
// Build it with the constructors (BigInt(), String(100), Decimal(10, 2), ...)
// rather than by hand; a field that does not apply to the Kind must stay
// zero. Set Unsigned on an integer type for MySQL's UNSIGNED (the other
// dialects have no unsigned integers and ignore it).
//
// How each kind is written per dialect (PostgreSQL / MySQL / SQLite):
//
//	Boolean    BOOLEAN           BIT(1)         BOOLEAN
//	SmallInt   SMALLINT          SMALLINT       SMALLINT
//	Integer    INTEGER           INTEGER        INTEGER
//	BigInt     BIGINT            BIGINT         BIGINT
//	Float      REAL              FLOAT          REAL
//	Double     DOUBLE PRECISION  DOUBLE         REAL
//	Decimal    NUMERIC(p,s)      DECIMAL(p,s)   TEXT COLLATE atomdb_decimal
//	String(n)  VARCHAR(n)        VARCHAR(n)     VARCHAR(n)
//	Text       TEXT              LONGTEXT       TEXT
//	Bytes      BYTEA             LONGBLOB       BLOB
//	Date       DATE              DATE           DATE
//	Timestamp  TIMESTAMPTZ       DATETIME(6)    TIMESTAMP
//	JSON       JSONB             JSON           TEXT
//	UUID       UUID              CHAR(36)       CHAR(36)
//	Time       TIME              TIME(6)        CHAR(15)
//	Custom     Raw               Raw            Raw
//
// The choices that are not obvious:
//   - Boolean is BIT(1) on MySQL, not BOOLEAN: MySQL's BOOLEAN is TINYINT(1),
//     which a client cannot tell from a small integer, while BIT(1) describes
//     itself, so rows read it back as a bool.
//   - Decimal is TEXT on SQLite: a NUMERIC column would store an exact decimal
//     as a float64 and round it. Values are kept as their decimal text, and
//     the column's collation (DecimalCollation, registered by core) compares
//     and orders them as numbers, exactly; DecimalSum and DecimalAvg add
//     them up. Arithmetic in SQL (price * 2) would still be float64.
//   - Timestamp is DATETIME(6) on MySQL, which holds no time zone: store
//     instants in UTC. On SQLite the declared type TIMESTAMP (and DATE) makes
//     mattn/go-sqlite3 return time.Time values.
//   - Time (a time of day, Django's TimeField) is text on SQLite, always
//     written "15:04:05.000000" (TimeOfDay's form), so that it compares
//     and sorts as a time; rows read it as that string on every backend.
//   - JSON is TEXT on SQLite: a column declared JSON would get NUMERIC
//     affinity and turn a document such as 1.50 into a number.
type Type struct {
	// Kind selects the type.
	Kind TypeKind
	// Length is the maximum number of characters of a String; it must be > 0.
	Length int
	// Precision is the total number of digits of a Decimal (1 to
	// MaxDecimalPrecision) and Scale the number of digits after the decimal
	// point (0 to Precision).
	Precision, Scale int
	// Unsigned makes an integer type UNSIGNED on MySQL.
	Unsigned bool
	// Raw is the SQL type of a Custom type, written as is on every dialect.
	Raw string
}

// Time returns the time-of-day type (see TimeOfDay).
func Time() Type { return Type{Kind: KindTime} }

// Boolean returns the boolean type.
func Boolean() Type { return Type{Kind: KindBoolean} }

// SmallInt returns the 16-bit integer type.
func SmallInt() Type { return Type{Kind: KindSmallInt} }

// Integer returns the 32-bit integer type.
func Integer() Type { return Type{Kind: KindInteger} }

// BigInt returns the 64-bit integer type.
func BigInt() Type { return Type{Kind: KindBigInt} }

// Float returns the single-precision floating-point type.
func Float() Type { return Type{Kind: KindFloat} }

// Double returns the double-precision floating-point type.
func Double() Type { return Type{Kind: KindDouble} }

// Decimal returns the exact decimal type with precision digits in all, scale
// of them after the decimal point. On SQLite it is stored as TEXT that
// compares as numbers (see Type).
func Decimal(precision, scale int) Type {
	return Type{Kind: KindDecimal, Precision: precision, Scale: scale}
}

// String returns the VARCHAR type holding at most length characters.
func String(length int) Type { return Type{Kind: KindString, Length: length} }

// Text returns the string type of unbounded length.
func Text() Type { return Type{Kind: KindText} }

// Bytes returns the binary type of unbounded length.
func Bytes() Type { return Type{Kind: KindBytes} }

// Date returns the calendar-date type.
func Date() Type { return Type{Kind: KindDate} }

// Timestamp returns the type of an instant in time, with microsecond
// precision (TIMESTAMPTZ on PostgreSQL).
func Timestamp() Type { return Type{Kind: KindTimestamp} }

// JSON returns the JSON document type (JSONB on PostgreSQL).
func JSON() Type { return Type{Kind: KindJSON} }

// UUID returns the UUID type (CHAR(36) where there is no native one).
func UUID() Type { return Type{Kind: KindUUID} }

// Custom returns a type written as sqlType, verbatim, on every dialect. It is
// schema text written by the programmer, never user input.
func Custom(sqlType string) Type { return Type{Kind: KindCustom, Raw: sqlType} }

// String describes the type in the terms of its constructor, such as
// "String(100)" or "Decimal(10,2)"; errors use it.
func (t Type) String() string {
	s := t.Kind.String()
	switch t.Kind {
	case KindString:
		s += "(" + strconv.Itoa(t.Length) + ")"
	case KindDecimal:
		s += "(" + strconv.Itoa(t.Precision) + "," + strconv.Itoa(t.Scale) + ")"
	case KindCustom:
		s += "(" + strconv.Quote(t.Raw) + ")"
	}
	if t.Unsigned {
		s += " unsigned"
	}
	return s
}

// Validate reports whether t is a well-formed type: a known Kind, a positive
// String length, 0 <= Scale <= Precision for a Decimal, a non-empty Raw for a
// Custom type, Unsigned only on integers, and zero in every field the kind
// does not use. The error wraps ErrInvalidSchema.
func (t Type) Validate() error {
	bad := func(format string, args ...any) error {
		return schemaCause("", fmt.Errorf("type %s: "+format, append([]any{t}, args...)...))
	}
	if t.Kind <= KindInvalid || int(t.Kind) >= len(typeKindNames) {
		return bad("unknown type kind %d (use a constructor such as BigInt() or String(100))", int(t.Kind))
	}
	if t.Unsigned && !t.Kind.isInteger() {
		return bad("only integer types can be Unsigned")
	}
	switch t.Kind {
	case KindString:
		if t.Length <= 0 {
			return bad("length must be greater than 0")
		}
	case KindDecimal:
		if t.Precision < 1 || t.Precision > MaxDecimalPrecision {
			return bad("precision must be between 1 and %d", MaxDecimalPrecision)
		}
		if t.Scale < 0 || t.Scale > t.Precision {
			return bad("scale must be between 0 and the precision")
		}
	case KindCustom:
		if t.Raw == "" {
			return bad("a Custom type needs its SQL type")
		}
	}
	if t.Length != 0 && t.Kind != KindString {
		return bad("Length applies only to String")
	}
	if (t.Precision != 0 || t.Scale != 0) && t.Kind != KindDecimal {
		return bad("Precision and Scale apply only to Decimal")
	}
	if t.Raw != "" && t.Kind != KindCustom {
		return bad("Raw applies only to Custom")
	}
	return nil
}

// SQL renders the type for dialect d (see Type for the mapping). It fails for
// an invalid type (see Validate) or one the dialect cannot hold, such as a
// Decimal of more than 65 digits on MySQL.
func (t Type) SQL(d *Dialect) (string, error) {
	if err := checkDialect(d); err != nil {
		return "", err
	}
	if err := t.Validate(); err != nil {
		return "", err
	}
	pg, my := d == Postgres, d == MySQL
	pick := func(postgres, mysql, sqlite string) string {
		switch {
		case pg:
			return postgres
		case my:
			return mysql
		}
		return sqlite
	}
	var s string
	switch t.Kind {
	case KindBoolean:
		s = pick("BOOLEAN", "BIT(1)", "BOOLEAN")
	case KindSmallInt:
		s = "SMALLINT"
	case KindInteger:
		s = "INTEGER"
	case KindBigInt:
		s = "BIGINT"
	case KindFloat:
		s = pick("REAL", "FLOAT", "REAL")
	case KindDouble:
		s = pick("DOUBLE PRECISION", "DOUBLE", "REAL")
	case KindDecimal:
		if my && (t.Precision > 65 || t.Scale > 30) {
			return "", schemaCause("", fmt.Errorf("type %s: MySQL allows a precision of at most 65 and a scale of at most 30", t))
		}
		ps := "(" + strconv.Itoa(t.Precision) + "," + strconv.Itoa(t.Scale) + ")"
		s = pick("NUMERIC"+ps, "DECIMAL"+ps, "TEXT COLLATE "+DecimalCollation)
	case KindString:
		s = "VARCHAR(" + strconv.Itoa(t.Length) + ")"
	case KindText:
		s = pick("TEXT", "LONGTEXT", "TEXT")
	case KindBytes:
		s = pick("BYTEA", "LONGBLOB", "BLOB")
	case KindDate:
		s = "DATE"
	case KindTimestamp:
		s = pick("TIMESTAMPTZ", "DATETIME(6)", "TIMESTAMP")
	case KindJSON:
		s = pick("JSONB", "JSON", "TEXT")
	case KindUUID:
		s = pick("UUID", "CHAR(36)", "CHAR(36)")
	case KindTime:
		s = pick("TIME", "TIME(6)", "CHAR(15)")
	case KindCustom:
		s = t.Raw
	}
	if my && t.Unsigned {
		s += " UNSIGNED"
	}
	return s, nil
}

// mysqlNoLiteralDefault reports whether MySQL refuses a literal DEFAULT on a
// column of kind k (TEXT, BLOB and JSON columns take only an expression).
func (k TypeKind) mysqlNoLiteralDefault() bool {
	return k == KindText || k == KindBytes || k == KindJSON
}

// checkDialect fails for a nil dialect or one that is not Postgres, MySQL or
// SQLite.
func checkDialect(d *Dialect) error {
	if d == Postgres || d == MySQL || d == SQLite {
		return nil
	}
	return fmt.Errorf("core: unsupported dialect %v (use core.Postgres, core.MySQL or core.SQLite)", d)
}

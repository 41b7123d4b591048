package migrate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/atomdb/atomdb/core"
)

// Cmd runs the migration sub-commands from a program's own main, where the
// models are (Go cannot load them from outside the program). Make it with
// Command.
type Cmd struct {
	meta     *core.MetaData
	db       *core.Database
	dir      string
	fsys     fs.FS
	dialects []*core.Dialect
	opts     []Option
	stdin    io.Reader
	stdout   io.Writer
	stderr   io.Writer
}

// CommandOption configures Command.
type CommandOption func(*Cmd)

// InDir sets the migrations directory (default "migrations").
func InDir(dir string) CommandOption { return func(c *Cmd) { c.dir = dir } }

// FromFS reads the migrations from fsys (such as an embed.FS, through
// fs.Sub) for every sub-command but make and hash, which write the
// directory.
func FromFS(fsys fs.FS) CommandOption { return func(c *Cmd) { c.fsys = fsys } }

// ForDialects sets the dialects make writes SQL for (default all three).
func ForDialects(d ...*core.Dialect) CommandOption { return func(c *Cmd) { c.dialects = d } }

// WithOptions passes options to the Migrator (lock timeout, Go data
// migrations, ...).
func WithOptions(opts ...Option) CommandOption {
	return func(c *Cmd) { c.opts = append(c.opts, opts...) }
}

// WithIO sets where the command reads answers and writes output (default
// the process's standard streams).
func WithIO(stdin io.Reader, stdout, stderr io.Writer) CommandOption {
	return func(c *Cmd) { c.stdin, c.stdout, c.stderr = stdin, stdout, stderr }
}

// Command returns the migration command for the models' meta and the
// database db (db may be nil for make and hash, which need none):
//
//	if len(os.Args) > 1 && os.Args[1] == "migrate" {
//		os.Exit(migrate.Command(md, db).Main(ctx, os.Args[2:]))
//	}
func Command(meta *core.MetaData, db *core.Database, opts ...CommandOption) *Cmd {
	c := &Cmd{meta: meta, db: db, dir: "migrations", stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	for _, o := range opts {
		o(c)
	}
	return c
}

const usage = `usage: migrate <command> [arguments]

  make NAME [-i]   write the next migration from the models (-i: ask about renames)
  up [N]           apply the pending migrations (at most N)
  down N           undo the last N migrations
  status           list the migrations and whether each is applied
  version          print the last applied version
  sql [N]          print the SQL up would run, without running it
  check            fail if the models or the database differ from the history
  baseline [VER]   record an existing database as migrated up to VER (default: all)
  hash             rewrite atomdb.sum after editing migration files by hand
`

// Main runs Run and returns the exit status, printing any error.
func (c *Cmd) Main(ctx context.Context, args []string) int {
	if err := c.Run(ctx, args); err != nil {
		fmt.Fprintln(c.stderr, "error:", err)
		return 1
	}
	return 0
}

// Run runs one sub-command: args[0] names it (see the usage text that
// help prints).
func (c *Cmd) Run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(c.stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	count := func(required bool) (int, error) {
		if len(rest) == 0 {
			if required {
				return 0, fmt.Errorf("%s needs a count", cmd)
			}
			return 0, nil
		}
		n, err := strconv.Atoi(rest[0])
		if err != nil || n < 1 || len(rest) > 1 {
			return 0, fmt.Errorf("%s: %q is not a count of at least 1", cmd, strings.Join(rest, " "))
		}
		return n, nil
	}
	switch cmd {
	case "make":
		return c.make(rest)
	case "hash":
		if err := Hash(c.dir); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "wrote %s/%s\n", c.dir, SumFile)
		return nil
	}
	if c.db == nil {
		if cmd == "check" {
			return c.checkModels()
		}
		return fmt.Errorf("%s needs a database", cmd)
	}
	fsys := c.fsys
	if fsys == nil {
		fsys = os.DirFS(c.dir)
	}
	log := func(format string, args ...any) { fmt.Fprintf(c.stdout, format+"\n", args...) }
	m, err := New(c.db, fsys, append([]Option{WithLog(log)}, c.opts...)...)
	if err != nil {
		return err
	}
	switch cmd {
	case "up":
		n, err := count(false)
		if err != nil {
			return err
		}
		done, err := m.Up(ctx, n)
		if err == nil && len(done) == 0 {
			fmt.Fprintln(c.stdout, "nothing to apply")
		}
		return err
	case "down":
		n, err := count(true)
		if err != nil {
			return err
		}
		_, err = m.Down(ctx, n)
		return err
	case "status":
		st, err := m.Status(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "VERSION\tNAME\tSTATE\tAPPLIED AT")
		for _, s := range st {
			at := ""
			if !s.AppliedAt.IsZero() {
				at = s.AppliedAt.UTC().Format("2006-01-02 15:04:05Z")
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", s.Version, s.Name, s.State, at)
		}
		return w.Flush()
	case "version":
		v, err := m.Version(ctx)
		if err != nil {
			return err
		}
		if v == "" {
			v = "none"
		}
		fmt.Fprintln(c.stdout, v)
		return nil
	case "sql":
		n, err := count(false)
		if err != nil {
			return err
		}
		text, err := m.PendingSQL(ctx, n)
		if err != nil {
			return err
		}
		if text == "" {
			text = "-- nothing to apply\n"
		}
		fmt.Fprint(c.stdout, text)
		return nil
	case "check":
		if err := m.Check(ctx, c.meta); err != nil {
			return err
		}
		fmt.Fprintln(c.stdout, "ok: the models, the history and the database agree")
		return nil
	case "baseline":
		v := ""
		if len(rest) > 0 {
			v = rest[0]
		}
		if err := m.Baseline(ctx, v); err != nil {
			return err
		}
		v, err := m.Version(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "recorded as migrated up to %s\n", v)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

// checkModels compares the models with the history, without a database.
func (c *Cmd) checkModels() error {
	if c.meta == nil {
		return errors.New("check needs the models' metadata or a database")
	}
	fsys := c.fsys
	if fsys == nil {
		fsys = os.DirFS(c.dir)
	}
	h, err := Load(fsys)
	if err != nil {
		return err
	}
	if err := checkModels(h, c.meta); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "ok: the models match the migration history (no database given)")
	return nil
}

func (c *Cmd) make(args []string) error {
	var name string
	interactive := false
	for _, a := range args {
		switch {
		case a == "-i" || a == "--interactive":
			interactive = true
		case strings.HasPrefix(a, "-"):
			return fmt.Errorf("make: unknown flag %q", a)
		case name == "":
			name = a
		default:
			return fmt.Errorf("make takes one name")
		}
	}
	if name == "" {
		return errors.New("make needs a name, such as add_album_year")
	}
	if c.meta == nil {
		return errors.New("make needs the models' metadata")
	}
	opts := MakeOptions{Dialects: c.dialects}
	if interactive {
		in := bufio.NewReader(c.stdin)
		opts.Diff.Ask = func(rc RenameCandidate) bool {
			fmt.Fprintf(c.stdout, "Was %s a rename (same definition)? [y/N] ", rc)
			line, _ := in.ReadString('\n')
			line = strings.ToLower(strings.TrimSpace(line))
			return line == "y" || line == "yes"
		}
	}
	made, err := Make(c.meta, c.dir, name, opts)
	if err != nil {
		return err
	}
	if made == nil {
		fmt.Fprintln(c.stdout, "no changes: the models match the migration history")
		return nil
	}
	fmt.Fprintf(c.stdout, "migration %s_%s:\n", made.Migration.Version, made.Migration.Name)
	for _, op := range made.Migration.Operations {
		fmt.Fprintf(c.stdout, "  - %s\n", op)
	}
	for _, f := range made.Files {
		fmt.Fprintf(c.stdout, "wrote %s/%s\n", c.dir, f)
	}
	if made.Migration.Irreversible {
		fmt.Fprintln(c.stdout, "note: it drops data, so its down files are marked irreversible")
	}
	for _, f := range made.Findings {
		fmt.Fprintf(c.stdout, "warning: %s\n", f)
	}
	return nil
}

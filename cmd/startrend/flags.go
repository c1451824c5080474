package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// stringsFlag is a repeatable string flag: each occurrence appends
// (--set a=1 --set b=2, --fail-on gmv:-5%).
type stringsFlag []string

func (s *stringsFlag) String() string {
	if s == nil {
		return ""
	}
	return strings.Join(*s, ", ")
}

func (s *stringsFlag) Set(v string) error {
	*s = append(*s, v)
	return nil
}

// newFlagSet returns a FlagSet for the named command that neither prints
// nor exits by itself: parseCommandLine reports -h and errors.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseInterleaved parses args with fs, letting flags appear before, between
// and after positional arguments ("run x.yaml --seed 3" and
// "run --seed 3 x.yaml" are the same). A "--" ends the flags: everything
// after it is positional. It returns the positional arguments in order.
func parseInterleaved(fs *flag.FlagSet, args []string) (positional []string, err error) {
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// fs.Parse stops at the first non-flag or after a "--" it consumed.
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" && !flagTakesValue(fs, args, consumed-1) {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// flagTakesValue reports whether args[i] is the separate value of the flag
// in args[i-1] (as in "--set --"), rather than a terminator.
func flagTakesValue(fs *flag.FlagSet, args []string, i int) bool {
	if i == 0 {
		return false
	}
	prev := args[i-1]
	if !strings.HasPrefix(prev, "-") || strings.Contains(prev, "=") {
		return false
	}
	name := strings.TrimLeft(prev, "-")
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
		return false
	}
	return true
}

// parseCommandLine parses a command's arguments. When it returns ok=false
// the command must return code: exitOK after -h/--help (the command's help
// is printed on stdout), exitUsage after a bad flag (the error on stderr).
// nargs checks the number of positional arguments: min and max (max < 0 for
// no limit).
func parseCommandLine(fs *flag.FlagSet, args []string, minArgs, maxArgs int, stdout, stderr io.Writer) (positional []string, code int, ok bool) {
	c := lookupCommand(fs.Name())
	positional, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printCommandHelp(stdout, c, fs)
		return nil, exitOK, false
	}
	if err != nil {
		fmt.Fprintf(stderr, "startrend %s: %v\n", fs.Name(), err)
		printUsageLine(stderr, c)
		return nil, exitUsage, false
	}
	if len(positional) < minArgs || (maxArgs >= 0 && len(positional) > maxArgs) {
		switch {
		case len(positional) < minArgs:
			fmt.Fprintf(stderr, "startrend %s: missing argument\n", fs.Name())
		default:
			fmt.Fprintf(stderr, "startrend %s: unexpected argument %q\n", fs.Name(), positional[maxArgs])
		}
		printUsageLine(stderr, c)
		return nil, exitUsage, false
	}
	return positional, exitOK, true
}

func printUsageLine(w io.Writer, c *command) {
	if c == nil {
		return
	}
	fmt.Fprintf(w, "usage: startrend %s\nRun 'startrend help %s' for details.\n", c.Usage, c.Name)
}

// printCommandHelp prints a command's usage, help text and flags (when fs is
// not nil).
func printCommandHelp(w io.Writer, c *command, fs *flag.FlagSet) {
	if c == nil {
		return
	}
	fmt.Fprintf(w, "usage: startrend %s\n\n%s\n", c.Usage, strings.TrimSpace(c.Help))
	if fs == nil {
		return
	}
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprint(w, "\nFlags (before or after the arguments; -x and --x are the same):\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// flagField is a command-line flag that is a shorthand for --set PATH=VALUE.
type flagField struct {
	Flag, Path, Value string
	Given             bool
}

// flagOverrides turns the given shorthand flags into --set overrides, and
// refuses a flag and a --set that name the same field: which one wins
// would be a matter of order, and the user meant one of them.
func flagOverrides(sets []string, flags []flagField) ([]string, error) {
	var out []string
	for _, f := range flags {
		if !f.Given {
			continue
		}
		for _, s := range sets {
			path, _, _ := strings.Cut(s, "=")
			if strings.TrimSpace(path) == f.Path {
				return nil, fmt.Errorf("--%s and --set %s both set %s; give one of them", f.Flag, s, f.Path)
			}
		}
		out = append(out, f.Path+"="+f.Value)
	}
	return out, nil
}

// toolbox-helper performs one file operation inside a sandbox, as the sandbox's user: the runner
// starts it through nsenter (every namespace of the sandbox, its root and its user), so paths
// resolve in the sandbox's own filesystem and the kernel applies the sandbox's own permissions.
// It is static (no libc) so that it runs in any image, even one without a shell.
//
//	toolbox-helper list PATH | info PATH | delete PATH RECURSIVE | mkdir PATH MODE
//	toolbox-helper move SOURCE DESTINATION | read PATH | write PATH MAX_BYTES
//
// Relative paths are relative to $HOME. Answers are JSON on stdout (read: the file's bytes, after
// a JSON status line on stderr); a failure is one JSON line on stderr, {code, message, errno}, and
// exit status 1.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	if home := os.Getenv("HOME"); home != "" {
		// A missing home only matters to relative paths, which then fail on their own.
		_ = os.Chdir(home)
	}
	if err := run(os.Args[1:]); err != nil {
		fail(err)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return usage()
	}
	op, args := args[0], args[1:]
	switch {
	case op == "list" && len(args) == 1:
		return list(args[0])
	case op == "info" && len(args) == 1:
		return info(args[0])
	case op == "delete" && len(args) == 2:
		return remove(args[0], args[1] == "true")
	case op == "mkdir" && len(args) == 2:
		return mkdir(args[0], args[1])
	case op == "move" && len(args) == 2:
		return move(args[0], args[1])
	case op == "read" && len(args) == 1:
		return read(args[0])
	case op == "write" && len(args) == 2:
		return write(args[0], args[1])
	}
	return usage()
}

func usage() error {
	return &helperError{Code: "validation_failed", Message: "usage: toolbox-helper list|info|delete|mkdir|move|read|write ARGS"}
}

func answer(value any) error {
	return json.NewEncoder(os.Stdout).Encode(value)
}

func fail(err error) {
	he := asHelperError(err)
	line, _ := json.Marshal(he)
	fmt.Fprintln(os.Stderr, string(line))
	os.Exit(1)
}

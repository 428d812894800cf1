package options

import (
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

// CreateFolder configures FileSystemService.CreateFolder.
type CreateFolder struct {
	// Octal permission bits, e.g. "0755" (the server's default).
	Mode string
}

// WithMode creates the folder with these permission bits.
//
//	err := sandbox.FileSystem.CreateFolder(ctx, "secrets", options.WithMode("0700"))
func WithMode(mode string) func(*CreateFolder) {
	return func(o *CreateFolder) { o.Mode = mode }
}

// CodeRun configures Process.CodeRun.
type CodeRun struct {
	// The sandbox's code-toolbox-language label, else python, when empty.
	Language types.CodeLanguage
	Params   types.CodeRunParams
	// When the server kills the program (exit code 124); its default (300 s) when zero.
	Timeout time.Duration
}

// WithCodeRunLanguage runs the code as language.
//
//	res, err := sandbox.Process.CodeRun(ctx, `console.log(1 + 1)`, options.WithCodeRunLanguage(types.CodeLanguageJavaScript))
func WithCodeRunLanguage(language types.CodeLanguage) func(*CodeRun) {
	return func(o *CodeRun) { o.Language = language }
}

// WithCodeRunParams passes the program arguments and extra environment variables.
//
//	res, err := sandbox.Process.CodeRun(ctx, "import sys; print(sys.argv[1:])", options.WithCodeRunParams(types.CodeRunParams{Argv: []string{"a"}}))
func WithCodeRunParams(params types.CodeRunParams) func(*CodeRun) {
	return func(o *CodeRun) { o.Params = params }
}

// WithCodeRunTimeout makes the server kill the program after d (exit code 124).
//
//	res, err := sandbox.Process.CodeRun(ctx, code, options.WithCodeRunTimeout(time.Minute))
func WithCodeRunTimeout(d time.Duration) func(*CodeRun) {
	return func(o *CodeRun) { o.Timeout = d }
}

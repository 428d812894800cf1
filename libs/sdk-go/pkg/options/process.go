package options

import "time"

// ExecuteCommand configures Process.ExecuteCommand.
type ExecuteCommand struct {
	// Working directory; the sandbox's home directory when empty.
	Cwd string
	// Extra environment variables for this command.
	Env map[string]string
	// When the server kills the command (exit code 124); the server's default (300 s) when zero.
	// Whole seconds; anything shorter is rounded up to one.
	Timeout time.Duration
}

// WithCwd runs the command in dir.
//
//	res, err := sandbox.Process.ExecuteCommand(ctx, "ls", options.WithCwd("/tmp"))
func WithCwd(dir string) func(*ExecuteCommand) {
	return func(o *ExecuteCommand) { o.Cwd = dir }
}

// WithEnv adds environment variables for this command only.
//
//	res, err := sandbox.Process.ExecuteCommand(ctx, `echo "$GREETING"`, options.WithEnv(map[string]string{"GREETING": "hi"}))
func WithEnv(env map[string]string) func(*ExecuteCommand) {
	return func(o *ExecuteCommand) { o.Env = env }
}

// WithCommandTimeout makes the server kill the command after d (exit code 124).
//
//	res, err := sandbox.Process.ExecuteCommand(ctx, "make test", options.WithCommandTimeout(10*time.Minute))
func WithCommandTimeout(d time.Duration) func(*ExecuteCommand) {
	return func(o *ExecuteCommand) { o.Timeout = d }
}

package daytona

import (
	"context"
	"math"
	"net/http"
	"time"

	apiclient "github.com/daytonaio/daytona/libs/api-client-go"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

const (
	serverDefaultCommandTimeout = 300 * time.Second
	// The server answers up to 15 s after killing a command at its timeout; the client waits longer.
	commandResponseMargin = 30 * time.Second
)

// Process runs commands inside one sandbox. Reach it as sandbox.Process.
type Process struct {
	sandboxID string
	client    *Client
}

// ExecuteCommand runs command with /bin/sh -c inside the sandbox and waits for it to finish.
// Files and background processes persist between calls. A non-zero exit code is not an error.
//
//	res, err := sandbox.Process.ExecuteCommand(ctx, "echo hello")
//	// res.ExitCode == 0, res.Result == "hello\n"
//	res, err = sandbox.Process.ExecuteCommand(ctx, "npm test",
//		options.WithCwd("/home/daytona/app"), options.WithEnv(map[string]string{"CI": "1"}), options.WithCommandTimeout(10*time.Minute))
func (p *Process) ExecuteCommand(ctx context.Context, command string, opts ...func(*options.ExecuteCommand)) (*types.ExecuteResponse, error) {
	var o options.ExecuteCommand
	for _, opt := range opts {
		opt(&o)
	}
	body := apiclient.ExecuteRequest{Command: command}
	if o.Cwd != "" {
		body.Cwd = &o.Cwd
	}
	if o.Env != nil {
		body.Env = &o.Env
	}
	var limit time.Duration
	body.Timeout, limit = commandTimeout(o.Timeout)
	// Never retried (nil policy): a command that reached the sandbox may have run, and would run twice.
	response, err := callAPI(ctx, limit, "POST /toolbox/"+p.sandboxID+"/toolbox/process/execute", nil, func(ctx context.Context) (*apiclient.ExecuteResponse, *http.Response, error) {
		return p.client.api.ToolboxAPI.ExecuteCommand(ctx, p.sandboxID).ExecuteRequest(body).Execute()
	})
	if err != nil {
		return nil, err
	}
	return &types.ExecuteResponse{ExitCode: int(response.ExitCode), Result: response.Result}, nil
}

// CodeRun runs code with the sandbox's interpreter (python3, node, tsx) and waits for it: the
// language of options.WithCodeRunLanguage, else the sandbox's code-toolbox-language label, else
// python. An image without that interpreter is an ErrValidation error with Code
// interpreter_not_found. A non-zero exit code is not an error.
//
//	res, err := sandbox.Process.CodeRun(ctx, `print("hello")`)
//	// res.ExitCode == 0, res.Result == "hello\n"
//	res, err = sandbox.Process.CodeRun(ctx, "import os, sys; print(sys.argv[1], os.environ['MODE'])",
//		options.WithCodeRunParams(types.CodeRunParams{Argv: []string{"a"}, Env: map[string]string{"MODE": "fast"}}))
func (p *Process) CodeRun(ctx context.Context, code string, opts ...func(*options.CodeRun)) (*types.ExecuteResponse, error) {
	var o options.CodeRun
	for _, opt := range opts {
		opt(&o)
	}
	body := apiclient.CodeRunRequest{Code: code, Argv: o.Params.Argv}
	if o.Language != "" {
		language := string(o.Language)
		body.Language = &language
	}
	if o.Params.Env != nil {
		body.Envs = &o.Params.Env
	}
	var limit time.Duration
	body.Timeout, limit = commandTimeout(o.Timeout)
	// Never retried, like ExecuteCommand.
	response, err := callAPI(ctx, limit, "POST /toolbox/"+p.sandboxID+"/process/code-run", nil, func(ctx context.Context) (*apiclient.CodeRunResponse, *http.Response, error) {
		return p.client.api.ToolboxAPI.CodeRun(ctx, p.sandboxID).CodeRunRequest(body).Execute()
	})
	if err != nil {
		return nil, err
	}
	return &types.ExecuteResponse{ExitCode: int(response.ExitCode), Result: response.Result}, nil
}

// commandTimeout is the timeout to send for a command (nil: the server's default) and how long
// the client waits for its answer.
func commandTimeout(timeout time.Duration) (*int32, time.Duration) {
	if timeout <= 0 {
		return nil, serverDefaultCommandTimeout + commandResponseMargin
	}
	seconds := int32(min(math.Ceil(timeout.Seconds()), math.MaxInt32))
	return &seconds, time.Duration(seconds)*time.Second + commandResponseMargin
}

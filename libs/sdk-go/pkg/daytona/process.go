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
	limit := serverDefaultCommandTimeout + commandResponseMargin
	if o.Timeout > 0 {
		seconds := int32(min(math.Ceil(o.Timeout.Seconds()), math.MaxInt32))
		body.Timeout = &seconds
		limit = time.Duration(seconds)*time.Second + commandResponseMargin
	}
	// Never retried (nil policy): a command that reached the sandbox may have run, and would run twice.
	response, err := callAPI(ctx, limit, "POST /toolbox/"+p.sandboxID+"/toolbox/process/execute", nil, func(ctx context.Context) (*apiclient.ExecuteResponse, *http.Response, error) {
		return p.client.api.ToolboxAPI.ExecuteCommand(ctx, p.sandboxID).ExecuteRequest(body).Execute()
	})
	if err != nil {
		return nil, err
	}
	return &types.ExecuteResponse{ExitCode: int(response.ExitCode), Result: response.Result}, nil
}

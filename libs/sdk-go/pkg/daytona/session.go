package daytona

import (
	"context"
	"net/http"
	"time"

	apiclient "github.com/daytonaio/daytona/libs/api-client-go"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

// A synchronous session command is answered when it ends, at most an hour later.
const sessionCommandLimit = time.Hour + commandResponseMargin

// CreateSession starts a process session: a shell in the sandbox whose working directory and
// environment carry over between its commands. An id already in use is ErrConflict,
// session_exists.
//
//	err := sandbox.Process.CreateSession(ctx, "build")
func (p *Process) CreateSession(ctx context.Context, sessionID string) error {
	_, err := callAPI(ctx, p.client.config.requestTimeout, p.sessionCall("POST", ""), nil, func(ctx context.Context) (struct{}, *http.Response, error) {
		response, err := p.client.api.ToolboxAPI.CreateSession(ctx, p.sandboxID).CreateSessionRequest(apiclient.CreateSessionRequest{SessionId: sessionID}).Execute()
		return struct{}{}, response, err
	})
	return err
}

// GetSession describes a session and its commands; an unknown id is ErrNotFound,
// session_not_found.
//
//	session, err := sandbox.Process.GetSession(ctx, "build")
//	for _, command := range session.Commands {
//		fmt.Println(command.Command, command.ExitCode)
//	}
func (p *Process) GetSession(ctx context.Context, sessionID string) (*types.Session, error) {
	dto, err := callAPI(ctx, p.client.config.requestTimeout, p.sessionCall("GET", "/"+sessionID), p.client.retry, func(ctx context.Context) (*apiclient.Session, *http.Response, error) {
		return p.client.api.ToolboxAPI.GetSession(ctx, p.sandboxID, sessionID).Execute()
	})
	if err != nil {
		return nil, err
	}
	return session(*dto), nil
}

// ListSessions lists the sandbox's sessions.
//
//	sessions, err := sandbox.Process.ListSessions(ctx)
func (p *Process) ListSessions(ctx context.Context) ([]*types.Session, error) {
	dtos, err := callAPI(ctx, p.client.config.requestTimeout, p.sessionCall("GET", ""), p.client.retry, func(ctx context.Context) ([]apiclient.Session, *http.Response, error) {
		return p.client.api.ToolboxAPI.ListSessions(ctx, p.sandboxID).Execute()
	})
	if err != nil {
		return nil, err
	}
	sessions := make([]*types.Session, len(dtos))
	for i, dto := range dtos {
		sessions[i] = session(dto)
	}
	return sessions, nil
}

// DeleteSession ends a session and its running commands.
//
//	err := sandbox.Process.DeleteSession(ctx, "build")
func (p *Process) DeleteSession(ctx context.Context, sessionID string) error {
	_, err := callAPI(ctx, p.client.config.requestTimeout, p.sessionCall("DELETE", "/"+sessionID), nil, func(ctx context.Context) (struct{}, *http.Response, error) {
		response, err := p.client.api.ToolboxAPI.DeleteSession(ctx, p.sandboxID, sessionID).Execute()
		return struct{}{}, response, err
	})
	return err
}

// ExecuteSessionCommand runs command in the session. Without runAsync it waits for the command
// and answers its exit code and output; with it, it answers the command's id at once (read the
// rest with GetSessionCommand and GetSessionCommandLogs). Never retried: the command may have run.
//
//	_ = sandbox.Process.CreateSession(ctx, "build")
//	_, _ = sandbox.Process.ExecuteSessionCommand(ctx, "build", "cd app && export MODE=ci", false, false)
//	res, err := sandbox.Process.ExecuteSessionCommand(ctx, "build", "echo $MODE in $PWD", false, false)
//	// res.Output == "ci in /home/daytona/app\n"
func (p *Process) ExecuteSessionCommand(ctx context.Context, sessionID, command string, runAsync bool, suppressInputEcho bool) (*types.SessionExecuteResponse, error) {
	body := apiclient.SessionExecuteRequest{Command: command, RunAsync: &runAsync}
	if suppressInputEcho {
		body.SuppressInputEcho = &suppressInputEcho
	}
	limit := sessionCommandLimit
	if runAsync {
		limit = p.client.config.requestTimeout
	}
	dto, err := callAPI(ctx, limit, p.sessionCall("POST", "/"+sessionID+"/exec"), nil, func(ctx context.Context) (*apiclient.SessionExecuteResponse, *http.Response, error) {
		return p.client.api.ToolboxAPI.SessionExecuteCommand(ctx, p.sandboxID, sessionID).SessionExecuteRequest(body).Execute()
	})
	if err != nil {
		return nil, err
	}
	return &types.SessionExecuteResponse{
		CmdID: dto.CmdId, ExitCode: intPtr(dto.ExitCode), Output: dto.GetOutput(), Stdout: dto.GetStdout(), Stderr: dto.GetStderr(),
	}, nil
}

// GetSessionCommand describes one command of a session; its ExitCode is nil while it runs.
//
//	command, err := sandbox.Process.GetSessionCommand(ctx, "build", res.CmdID)
func (p *Process) GetSessionCommand(ctx context.Context, sessionID, commandID string) (*types.Command, error) {
	dto, err := callAPI(ctx, p.client.config.requestTimeout, p.sessionCall("GET", "/"+sessionID+"/command/"+commandID), p.client.retry, func(ctx context.Context) (*apiclient.Command, *http.Response, error) {
		return p.client.api.ToolboxAPI.GetSessionCommand(ctx, p.sandboxID, sessionID, commandID).Execute()
	})
	if err != nil {
		return nil, err
	}
	command := sessionCommand(*dto)
	return &command, nil
}

// GetSessionCommandLogs is what a session command wrote so far.
//
//	logs, err := sandbox.Process.GetSessionCommandLogs(ctx, "build", res.CmdID)
//	fmt.Print(logs.Stdout)
func (p *Process) GetSessionCommandLogs(ctx context.Context, sessionID, commandID string) (*types.SessionCommandLogs, error) {
	dto, err := callAPI(ctx, p.client.config.requestTimeout, p.sessionCall("GET", "/"+sessionID+"/command/"+commandID+"/logs"), p.client.retry, func(ctx context.Context) (*apiclient.SessionCommandLogsResponse, *http.Response, error) {
		return p.client.api.ToolboxAPI.GetSessionCommandLogs(ctx, p.sandboxID, sessionID, commandID).Execute()
	})
	if err != nil {
		return nil, err
	}
	return &types.SessionCommandLogs{Output: dto.Output, Stdout: dto.Stdout, Stderr: dto.Stderr, Truncated: dto.Truncated}, nil
}

func (p *Process) sessionCall(method, rest string) string {
	return method + " /toolbox/" + p.sandboxID + "/process/session" + rest
}

func session(dto apiclient.Session) *types.Session {
	commands := make([]types.Command, len(dto.Commands))
	for i, command := range dto.Commands {
		commands[i] = sessionCommand(command)
	}
	return &types.Session{SessionID: dto.SessionId, Commands: commands}
}

func sessionCommand(dto apiclient.Command) types.Command {
	return types.Command{ID: dto.Id, Command: dto.Command, ExitCode: intPtr(dto.ExitCode)}
}

func intPtr(n *int32) *int {
	if n == nil {
		return nil
	}
	v := int(*n)
	return &v
}

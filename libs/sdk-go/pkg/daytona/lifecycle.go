package daytona

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/http"
	"time"

	apiclient "github.com/daytonaio/daytona/libs/api-client-go"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

const defaultStopTimeout = 60 * time.Second

// Start starts a stopped sandbox and waits until it is started (60 s; see StartWithTimeout). Its
// files are as it left them; its processes begin anew. Starting a started sandbox does nothing.
// A sandbox that cannot be started (destroyed, in error) is an ErrConflict error with Code
// sandbox_state_conflict, or ErrNotFound once it is gone.
//
//	if err := sandbox.Start(ctx); err != nil {
//		return err
//	}
//	fmt.Println(sandbox.State) // started
func (s *Sandbox) Start(ctx context.Context) error {
	return s.StartWithTimeout(ctx, defaultStartTimeout)
}

// StartWithTimeout is Start with its own wait: after timeout an ErrTimeout error (the start goes
// on); 0 means 60 s.
//
//	err := sandbox.StartWithTimeout(ctx, 2*time.Minute)
func (s *Sandbox) StartWithTimeout(ctx context.Context, timeout time.Duration) error {
	timeout = cmp.Or(timeout, defaultStartTimeout)
	deadline := time.Now().Add(timeout)
	if err := s.changeState(ctx, "start", timeout, func(ctx context.Context) (*apiclient.Sandbox, *http.Response, error) {
		return s.client.api.SandboxAPI.StartSandbox(ctx, s.ID).Execute()
	}); err != nil {
		return err
	}
	return s.waitFor(ctx, types.SandboxStateStarted, timeout, deadline)
}

// Stop stops the sandbox and waits until it is stopped (60 s; see StopWithTimeout). Its processes
// end; its files, its name and its claim on the quota stay until it is deleted (or auto-deleted:
// SetAutoDeleteInterval). Stopping a stopped sandbox does nothing.
//
//	if err := sandbox.Stop(ctx); err != nil {
//		return err
//	}
//	fmt.Println(sandbox.State) // stopped
func (s *Sandbox) Stop(ctx context.Context) error {
	return s.StopWithTimeout(ctx, defaultStopTimeout, false)
}

// StopWithTimeout is Stop with its own wait (0 means 60 s). force is passed to the server, which
// here always ends the processes at once.
//
//	err := sandbox.StopWithTimeout(ctx, 30*time.Second, true)
func (s *Sandbox) StopWithTimeout(ctx context.Context, timeout time.Duration, force bool) error {
	timeout = cmp.Or(timeout, defaultStopTimeout)
	deadline := time.Now().Add(timeout)
	if err := s.changeState(ctx, "stop", timeout, func(ctx context.Context) (*apiclient.Sandbox, *http.Response, error) {
		return s.client.api.SandboxAPI.StopSandbox(ctx, s.ID).Force(force).Execute()
	}); err != nil {
		return err
	}
	return s.waitFor(ctx, types.SandboxStateStopped, timeout, deadline)
}

// WaitUntilStopped polls (with backoff) until the sandbox is stopped. It returns an
// ErrSandboxState error as soon as the sandbox is in error or destroyed, and an ErrTimeout error
// after timeout (60 s when zero) or when ctx ends.
//
//	err := sandbox.WaitUntilStopped(ctx, 30*time.Second)
func (s *Sandbox) WaitUntilStopped(ctx context.Context, timeout time.Duration) error {
	timeout = cmp.Or(timeout, defaultStopTimeout)
	return s.waitFor(ctx, types.SandboxStateStopped, timeout, time.Now().Add(timeout))
}

// SetAutostopInterval sets how many minutes without activity (toolbox calls, a start) stop the
// sandbox; 0 never. The sandbox's fields follow the server's answer.
//
//	err := sandbox.SetAutostopInterval(ctx, 30)
//	fmt.Println(sandbox.AutoStopInterval) // 30
func (s *Sandbox) SetAutostopInterval(ctx context.Context, minutes int) error {
	return s.setInterval(ctx, "autostop", minutes, func(ctx context.Context, interval int32) (*apiclient.Sandbox, *http.Response, error) {
		return s.client.api.SandboxAPI.SetAutostopInterval(ctx, s.ID, interval).Execute()
	})
}

// SetAutoDeleteInterval sets how many minutes after it stopped the sandbox is destroyed: negative
// never, 0 as soon as it stops. The sandbox's fields follow the server's answer.
//
//	err := sandbox.SetAutoDeleteInterval(ctx, 0)  // destroyed when it stops
//	err = sandbox.SetAutoDeleteInterval(ctx, -1)  // never
func (s *Sandbox) SetAutoDeleteInterval(ctx context.Context, minutes int) error {
	return s.setInterval(ctx, "autodelete", minutes, func(ctx context.Context, interval int32) (*apiclient.Sandbox, *http.Response, error) {
		return s.client.api.SandboxAPI.SetAutoDeleteInterval(ctx, s.ID, interval).Execute()
	})
}

// Start starts sandbox and waits until it is started; the same as sandbox.Start.
//
//	err := client.Start(ctx, sandbox)
func (c *Client) Start(ctx context.Context, sandbox *Sandbox) error {
	return sandbox.Start(ctx)
}

// Stop stops sandbox and waits until it is stopped; the same as sandbox.Stop.
//
//	err := client.Stop(ctx, sandbox)
func (c *Client) Stop(ctx context.Context, sandbox *Sandbox) error {
	return sandbox.Stop(ctx)
}

// changeState asks for a start or stop (idempotent on the server, so retried) and takes the answer.
func (s *Sandbox) changeState(ctx context.Context, change string, timeout time.Duration, do func(context.Context) (*apiclient.Sandbox, *http.Response, error)) error {
	limit := min(s.client.config.requestTimeout, max(timeout, minCreateRequestLimit))
	dto, err := callAPI(ctx, limit, "POST /sandbox/"+s.ID+"/"+change, s.client.retry, do)
	if err != nil {
		return err
	}
	s.update(*dto)
	return nil
}

func (s *Sandbox) setInterval(ctx context.Context, route string, minutes int, do func(context.Context, int32) (*apiclient.Sandbox, *http.Response, error)) error {
	if minutes < math.MinInt32 || minutes > math.MaxInt32 {
		return &Error{Kind: ErrValidation, Message: fmt.Sprintf("%s interval %d is out of range", route, minutes)}
	}
	call := fmt.Sprintf("POST /sandbox/%s/%s/%d", s.ID, route, minutes)
	dto, err := callAPI(ctx, s.client.config.requestTimeout, call, s.client.retry, func(ctx context.Context) (*apiclient.Sandbox, *http.Response, error) {
		return do(ctx, int32(minutes))
	})
	if err != nil {
		return err
	}
	s.update(*dto)
	return nil
}

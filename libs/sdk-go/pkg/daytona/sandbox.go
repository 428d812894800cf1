package daytona

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	apiclient "github.com/daytonaio/daytona/libs/api-client-go"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

const (
	firstPoll = 100 * time.Millisecond
	maxPoll   = 2 * time.Second
	// Floor for the last status request of a wait, so it is not cut off before it can answer.
	minLastRequest = time.Second
)

// Sandbox is one sandbox, as the API last described it. Get one from Client.Create,
// BulkCreate, Get or List; Refresh and WaitUntilStarted bring its fields up to date. A Sandbox
// is not safe for concurrent use by several goroutines; its Process is.
type Sandbox struct {
	ID             string
	Name           string
	OrganizationID string
	State          types.SandboxState
	// Name of the snapshot the sandbox was created from.
	Snapshot string
	Region   string
	// The runner it was placed on; empty until placed.
	RunnerID string
	// CPU cores.
	CPU int
	// Memory, GiB.
	Memory int
	// Disk, GiB.
	Disk int
	Env  map[string]string
	// Labels, the platform's (daytona.io/...) included.
	Labels map[string]string
	// Why the sandbox is in error or build_failed.
	ErrorReason string
	CreatedAt   time.Time
	UpdatedAt   time.Time

	// Process runs commands inside the sandbox.
	Process *Process

	client *Client
}

func newSandbox(dto apiclient.Sandbox, client *Client) *Sandbox {
	s := &Sandbox{client: client, Process: &Process{sandboxID: dto.Id, client: client}}
	s.update(dto)
	return s
}

func (s *Sandbox) update(dto apiclient.Sandbox) {
	s.ID = dto.Id
	s.Name = dto.Name
	s.OrganizationID = dto.OrganizationId
	s.State = types.SandboxState(dto.State)
	s.Snapshot = dto.Snapshot
	s.Region = dto.Region
	s.RunnerID = dto.GetRunnerId()
	s.CPU = int(dto.Cpu)
	s.Memory = int(dto.Memory)
	s.Disk = int(dto.Disk)
	s.Env = dto.Env
	s.Labels = dto.Labels
	s.ErrorReason = dto.GetErrorReason()
	s.CreatedAt = dto.CreatedAt
	s.UpdatedAt = dto.UpdatedAt
}

// BulkRequestID is the id of the bulk create that made the sandbox (its daytona.io/bulk-request
// label, types.BulkRequestLabel), the same for every sandbox of that request; empty for a
// sandbox from Create.
//
//	sandboxes, err := client.BulkCreate(ctx, items)
//	deleted, err := client.BulkDelete(ctx, types.BulkDeleteSelector{Labels: map[string]string{types.BulkRequestLabel: sandboxes[0].BulkRequestID()}})
func (s *Sandbox) BulkRequestID() string {
	return s.Labels[types.BulkRequestLabel]
}

// Refresh re-reads the sandbox from the API.
//
//	if err := sandbox.Refresh(ctx); err != nil {
//		return err
//	}
//	fmt.Println(sandbox.State) // started
func (s *Sandbox) Refresh(ctx context.Context) error {
	return s.refreshWithin(ctx, s.client.config.requestTimeout)
}

func (s *Sandbox) refreshWithin(ctx context.Context, limit time.Duration) error {
	dto, err := s.client.getSandbox(ctx, s.ID, limit)
	if err != nil {
		return err
	}
	s.update(*dto)
	return nil
}

// WaitUntilStarted polls (with backoff) until the sandbox is started. It returns an
// ErrSandboxState error, with the server's reason, as soon as the sandbox ends in error or
// build_failed or is destroyed, and an ErrTimeout error after timeout (60 s when zero; a
// negative timeout checks the current state only) or when ctx ends.
//
//	sandboxes, err := client.BulkCreate(ctx, items)
//	for _, sandbox := range sandboxes {
//		if err := sandbox.WaitUntilStarted(ctx, 30*time.Second); err != nil {
//			return err
//		}
//	}
func (s *Sandbox) WaitUntilStarted(ctx context.Context, timeout time.Duration) error {
	if timeout == 0 {
		timeout = defaultStartTimeout
	}
	deadline := time.Now().Add(timeout)
	poll := firstPoll
	for {
		switch s.State {
		case types.SandboxStateStarted:
			return nil
		case types.SandboxStateError, types.SandboxStateBuildFailed, types.SandboxStateDestroying, types.SandboxStateDestroyed:
			reason := ""
			if s.ErrorReason != "" {
				reason = ": " + s.ErrorReason
			}
			return &Error{
				Kind:        ErrSandboxState,
				Message:     fmt.Sprintf("sandbox %q (%s) is %s and will not start%s", s.Name, s.ID, s.State, reason),
				SandboxID:   s.ID,
				State:       string(s.State),
				ErrorReason: s.ErrorReason,
			}
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return &Error{Kind: ErrTimeout, Message: fmt.Sprintf("sandbox %q (%s) is still %s after %s", s.Name, s.ID, s.State, max(timeout, 0)), SandboxID: s.ID, State: string(s.State)}
		}
		// Jitter keeps many sandboxes waiting at once from polling in lockstep.
		sleep := min(time.Duration(float64(poll)*(0.8+0.4*rand.Float64())), remaining)
		timer := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			timer.Stop()
			return toError(ctx.Err(), nil, fmt.Sprintf("waiting for sandbox %q", s.Name), timeout)
		case <-timer.C:
		}
		poll = min(poll*2, maxPoll)
		if err := s.refreshWithin(ctx, min(s.client.config.requestTimeout, max(time.Until(deadline), minLastRequest))); err != nil {
			return err
		}
	}
}

// Delete deletes the sandbox with its processes and files; once it is destroyed its name is
// free again. State follows the server's answer.
//
//	defer sandbox.Delete(context.Background())
func (s *Sandbox) Delete(ctx context.Context) error {
	dto, err := s.client.deleteSandbox(ctx, s.ID)
	if err != nil {
		return err
	}
	s.update(*dto)
	return nil
}

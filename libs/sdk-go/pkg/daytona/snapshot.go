package daytona

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	apiclient "github.com/daytonaio/daytona/libs/api-client-go"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

const (
	// Longer than a runner's own pull limit (600 s, RUNNER_IMAGE_PULL_TIMEOUT_SECONDS), so a pull
	// the runner gives up on ends in its reason rather than in the client's timeout.
	defaultSnapshotTimeout = 900 * time.Second
	// A pull takes a few hundred milliseconds at best, so the first look is a little later than a
	// sandbox wait's; the backoff then matches it.
	firstSnapshotPoll = 250 * time.Millisecond
)

// SnapshotService manages the organization's snapshots; reach it as Client.Snapshot. A snapshot
// is an OCI image that runners pull once; sandboxes are then created from it by name
// (types.CreateParams.Snapshot, or a bulk item's SnapshotIdOrName). It is safe for concurrent use.
type SnapshotService struct {
	client *Client
}

// Create registers an image as a snapshot and waits until a runner has pulled it (active),
// polling with backoff (250 ms doubling to 2 s, jittered). If the snapshot ends in error the
// result is an ErrSnapshotState error with the registry's reason (ErrorReason); after the
// timeout (options.WithSnapshotTimeout, 900 s by default) or when ctx ends, an ErrTimeout error.
// Either way the snapshot stays until deleted.
//
//	snapshot, err := client.Snapshot.Create(ctx, types.CreateSnapshotParams{
//		Name: "py", Image: "registry.example.com/team/python:3.12", Resources: &types.Resources{CPU: 2},
//	}, options.WithSnapshotTimeout(5*time.Minute), options.WithOnLogs(func(line string) { log.Println(line) }))
func (s *SnapshotService) Create(ctx context.Context, params types.CreateSnapshotParams, opts ...func(*options.CreateSnapshot)) (*types.Snapshot, error) {
	var o options.CreateSnapshot
	for _, opt := range opts {
		opt(&o)
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = defaultSnapshotTimeout
	}
	logf := func(format string, args ...any) {
		if o.OnLogs != nil {
			o.OnLogs(fmt.Sprintf(format, args...))
		}
	}
	deadline := time.Now().Add(timeout)
	body := createSnapshotBody(params)
	limit := min(s.client.config.requestTimeout, max(timeout, minLastRequest))
	// Not retried: the server takes no Idempotency-Key for snapshots, and a retry after a lost
	// answer would meet its own snapshot as snapshot_name_conflict.
	dto, err := callAPI(ctx, limit, "POST /snapshots", nil, func(ctx context.Context) (*apiclient.Snapshot, *http.Response, error) {
		return s.client.api.SnapshotsAPI.CreateSnapshot(ctx).CreateSnapshot(body).Execute()
	})
	if err != nil {
		return nil, err
	}
	snapshot := snapshotFromDTO(*dto)
	poll := firstSnapshotPoll
	var logged types.SnapshotState
	for {
		if snapshot.State == types.SnapshotStateActive {
			logf("Created snapshot %s (%s)", snapshot.Name, snapshot.State)
			return snapshot, nil
		}
		if snapshot.State != logged {
			logf("Creating snapshot %s (%s)", snapshot.Name, snapshot.State)
			logged = snapshot.State
		}
		if snapshot.State == types.SnapshotStateError {
			reason := snapshot.ErrorReason
			if reason == "" {
				reason = "no reason given"
			}
			return nil, &Error{
				Kind:         ErrSnapshotState,
				Message:      fmt.Sprintf("snapshot %q could not be created from %s: %s", snapshot.Name, snapshot.ImageName, reason),
				SnapshotName: snapshot.Name,
				State:        string(snapshot.State),
				ErrorReason:  snapshot.ErrorReason,
			}
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return nil, &Error{
				Kind: ErrTimeout,
				Message: fmt.Sprintf("snapshot %q is still %s after %s; it stays and may still become active: get it later, or delete it",
					snapshot.Name, snapshot.State, max(timeout, 0)),
				SnapshotName: snapshot.Name,
				State:        string(snapshot.State),
			}
		}
		// Jitter keeps many waits started at once from polling in lockstep.
		timer := time.NewTimer(min(time.Duration(float64(poll)*(0.8+0.4*rand.Float64())), remaining))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, toError(ctx.Err(), nil, fmt.Sprintf("waiting for snapshot %q", snapshot.Name), timeout)
		case <-timer.C:
		}
		poll = min(poll*2, maxPoll)
		dto, err := s.get(ctx, snapshot.ID, min(s.client.config.requestTimeout, max(time.Until(deadline), minLastRequest)))
		if err != nil {
			return nil, err
		}
		snapshot = snapshotFromDTO(*dto)
	}
}

// Get returns a snapshot by name (or id), the organization's own or a general one; an
// ErrNotFound error (Code snapshot_not_found) if there is none.
//
//	snapshot, err := client.Snapshot.Get(ctx, "py")
func (s *SnapshotService) Get(ctx context.Context, name string) (*types.Snapshot, error) {
	dto, err := s.get(ctx, name, s.client.config.requestTimeout)
	if err != nil {
		return nil, err
	}
	return snapshotFromDTO(*dto), nil
}

func (s *SnapshotService) get(ctx context.Context, idOrName string, limit time.Duration) (*apiclient.Snapshot, error) {
	return callAPI(ctx, limit, "GET /snapshots/"+idOrName, s.client.retry, func(ctx context.Context) (*apiclient.Snapshot, *http.Response, error) {
		return s.client.api.SnapshotsAPI.GetSnapshot(ctx, idOrName).Execute()
	})
}

// List returns one page of the organization's snapshots and the general ones, by name. page is
// 1-based and limit 1-1000; zero takes the server's default (1 and 100).
//
//	page, err := client.Snapshot.List(ctx, 1, 50)
//	fmt.Println(page.Total, page.TotalPages)
func (s *SnapshotService) List(ctx context.Context, page, limit int) (*types.PaginatedSnapshots, error) {
	result, err := callAPI(ctx, s.client.config.requestTimeout, "GET /snapshots", s.client.retry, func(ctx context.Context) (*apiclient.PaginatedSnapshots, *http.Response, error) {
		request := s.client.api.SnapshotsAPI.ListSnapshots(ctx)
		if page != 0 {
			request = request.Page(clampInt32(page))
		}
		if limit != 0 {
			request = request.Limit(clampInt32(limit))
		}
		return request.Execute()
	})
	if err != nil {
		return nil, err
	}
	items := make([]*types.Snapshot, len(result.Items))
	for i, dto := range result.Items {
		items[i] = snapshotFromDTO(dto)
	}
	return &types.PaginatedSnapshots{Items: items, Total: int(result.Total), Page: int(result.Page), TotalPages: int(result.TotalPages)}, nil
}

// Delete deletes one of the organization's snapshots by name (or id); its name is free again.
// It is refused while live sandboxes use it (ErrConflict, Code snapshot_in_use: delete them
// first) and for general snapshots (ErrAuthorization, Code general_snapshot_read_only).
//
//	err := client.Snapshot.Delete(ctx, snapshot.Name)
func (s *SnapshotService) Delete(ctx context.Context, idOrName string) error {
	_, err := callAPI(ctx, s.client.config.requestTimeout, "DELETE /snapshots/"+idOrName, s.client.retry, func(ctx context.Context) (struct{}, *http.Response, error) {
		response, err := s.client.api.SnapshotsAPI.DeleteSnapshot(ctx, idOrName).Execute()
		return struct{}{}, response, err
	})
	return err
}

func createSnapshotBody(params types.CreateSnapshotParams) apiclient.CreateSnapshot {
	body := apiclient.CreateSnapshot{Name: params.Name, ImageName: params.Image, Entrypoint: params.Entrypoint}
	if params.RegionID != "" {
		body.RegionId = &params.RegionID
	}
	if r := params.Resources; r != nil {
		body.Cpu, body.Gpu, body.Memory, body.Disk = optionalInt32(r.CPU), optionalInt32(r.GPU), optionalInt32(r.Memory), optionalInt32(r.Disk)
	}
	return body
}

// optionalInt32 leaves a zero out of the request, so the server's default applies.
func optionalInt32(n int) *int32 {
	if n == 0 {
		return nil
	}
	return apiclient.PtrInt32(clampInt32(n))
}

func snapshotFromDTO(dto apiclient.Snapshot) *types.Snapshot {
	return &types.Snapshot{
		ID:             dto.Id,
		OrganizationID: dto.GetOrganizationId(),
		Name:           dto.Name,
		ImageName:      dto.ImageName,
		General:        dto.General,
		State:          types.SnapshotState(dto.State),
		ErrorReason:    dto.GetErrorReason(),
		Size:           float64(dto.GetSize()),
		Entrypoint:     dto.Entrypoint,
		CPU:            int(dto.Cpu),
		GPU:            int(dto.Gpu),
		Memory:         int(dto.Memory),
		Disk:           int(dto.Disk),
		Regions:        dto.Regions,
		LastUsedAt:     dto.GetLastUsedAt(),
		CreatedAt:      dto.CreatedAt,
		UpdatedAt:      dto.UpdatedAt,
	}
}

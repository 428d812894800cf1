package types

import "time"

// SnapshotState is where a snapshot is in its life: pending (no runner has its image yet),
// pulling, active (sandboxes can be created from it) or error (ErrorReason says why).
type SnapshotState string

const (
	SnapshotStatePending  SnapshotState = "pending"
	SnapshotStatePulling  SnapshotState = "pulling"
	SnapshotStateActive   SnapshotState = "active"
	SnapshotStateInactive SnapshotState = "inactive"
	SnapshotStateError    SnapshotState = "error"
)

// Resources are what every sandbox of a snapshot gets; zero fields take the server's defaults
// (1 cpu, 1 GiB memory, 3 GiB disk). GPU can only be 0: this server has none.
type Resources struct {
	CPU    int
	GPU    int
	Memory int
	Disk   int
}

// CreateSnapshotParams describes a snapshot for SnapshotService.Create.
type CreateSnapshotParams struct {
	// Unique among the organization's snapshots: a letter or digit, then letters, digits, ".",
	// "_", ":", "@" or "-".
	Name string
	// An image reference every runner of the region can pull, e.g.
	// registry.example.com/team/python:3.12. This server has no image builder: build and push
	// the image, then name it here.
	Image string
	// Per-sandbox resources; the server's defaults when nil.
	Resources *Resources
	// The sandbox's main process; the image's own entrypoint and command when empty.
	Entrypoint []string
	// Region to pull the image in; the organization's region when empty.
	RegionID string
}

// Snapshot is a snapshot as the API described it.
type Snapshot struct {
	ID string
	// Empty for general snapshots.
	OrganizationID string
	Name           string
	// The OCI image.
	ImageName string
	// True for snapshots available to every organization (such as "default").
	General bool
	State   SnapshotState
	// Why no runner could pull the image, in the registry's words.
	ErrorReason string
	// Compressed image size, GB; 0 until a runner has pulled it.
	Size       float64
	Entrypoint []string
	// Per sandbox: CPU cores, GPUs, memory and disk in GiB.
	CPU     int
	GPU     int
	Memory  int
	Disk    int
	Regions []string
	// When sandboxes were last created from it; zero if never.
	LastUsedAt time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// PaginatedSnapshots is one page of SnapshotService.List.
type PaginatedSnapshots struct {
	Items []*Snapshot
	// Snapshots over all pages.
	Total      int
	Page       int
	TotalPages int
}

// Package types holds the plain data the Daytona Go SDK takes and returns: request parameters,
// sandbox states and command results. It has no behaviour and no dependencies.
package types

// BulkRequestLabel is the label the API puts on every sandbox of a bulk create, with the
// request's id as its value, the same for the whole request (Sandbox.BulkRequestID).
const BulkRequestLabel = "daytona.io/bulk-request"

// SandboxState is where a sandbox is in its life, as the API reports it.
type SandboxState string

const (
	SandboxStateCreating    SandboxState = "creating"
	SandboxStateStarting    SandboxState = "starting"
	SandboxStateStarted     SandboxState = "started"
	SandboxStateStopping    SandboxState = "stopping"
	SandboxStateStopped     SandboxState = "stopped"
	SandboxStateDestroying  SandboxState = "destroying"
	SandboxStateDestroyed   SandboxState = "destroyed"
	SandboxStateError       SandboxState = "error"
	SandboxStateBuildFailed SandboxState = "build_failed"
	SandboxStateUnknown     SandboxState = "unknown"
)

// BulkCreateItem is one line of a bulk create: Count sandboxes from one snapshot, named
// {SandboxNamePrefix}-00001, {SandboxNamePrefix}-00002, ...
//
// SandboxNamePrefix is 1-50 characters: a letter or digit, then letters, digits, ".", "_" or "-".
// With AllowUnder, an item that does not fit the quota or the runners creates as many sandboxes
// as fit (possibly none) instead of failing the whole request. Labels and Env go to every sandbox
// of the item (Env is what each command in it sees); label keys starting "daytona.io/" are the
// platform's (reserved_label).
type BulkCreateItem struct {
	SnapshotIdOrName  string
	Count             int
	SandboxNamePrefix string
	AllowUnder        bool
	Labels            map[string]string
	Env               map[string]string
}

// BulkDeleteSelector says which sandboxes Client.BulkDelete destroys: the live ones matching
// every selector given. At least one is required (the server refuses none with empty_selector).
type BulkDeleteSelector struct {
	// Labels a sandbox must all have, e.g. {"run": "eval-7"} or {BulkRequestLabel: id}.
	Labels map[string]string
	// A prefix of the name, as plain text: "eval-7-" matches eval-7-00001, not eval-70-00001.
	NamePrefix string
	// Sandbox ids (at most 10,000).
	IDs []string
}

// CreateParams describes one sandbox for Client.Create. Every field is optional.
type CreateParams struct {
	// Snapshot id or name; "default" when empty.
	Snapshot string
	// Unique among the organization's live sandboxes; the sandbox id when empty.
	Name   string
	Env    map[string]string
	Labels map[string]string
}

// ListParams filters Client.List. The zero value lists the first page of live sandboxes.
type ListParams struct {
	// Only sandboxes in these states. Destroyed ones are listed only when asked for.
	States []SandboxState
	// Only sandboxes carrying all of these labels.
	Labels map[string]string
	// 1-based; the server's default (1) when zero.
	Page int
	// Page size, 1-1000; the server's default (100) when zero.
	Limit int
}

// ExecuteResponse is what a command left behind.
type ExecuteResponse struct {
	// The command's exit code; 124 when the server killed it at its timeout.
	ExitCode int
	// stdout and stderr interleaved (at most 1 MiB).
	Result string
}

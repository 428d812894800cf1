package options

import "time"

// CreateSnapshot configures SnapshotService.Create.
type CreateSnapshot struct {
	// How long Create waits for the snapshot to be active; 900 s when zero (longer than a
	// runner's own pull limit, 600 s), a negative value checks the first answer only.
	Timeout time.Duration
	// Called with a line for each state the snapshot is seen in while Create waits.
	OnLogs func(line string)
}

// WithSnapshotTimeout bounds how long SnapshotService.Create waits for the snapshot to be active.
//
//	snapshot, err := client.Snapshot.Create(ctx, params, options.WithSnapshotTimeout(2*time.Minute))
func WithSnapshotTimeout(d time.Duration) func(*CreateSnapshot) {
	return func(o *CreateSnapshot) { o.Timeout = d }
}

// WithOnLogs passes SnapshotService.Create's progress lines to onLogs
// ("Creating snapshot py (pending)", ..., "Created snapshot py (active)").
//
//	snapshot, err := client.Snapshot.Create(ctx, params, options.WithOnLogs(func(line string) { log.Println(line) }))
func WithOnLogs(onLogs func(line string)) func(*CreateSnapshot) {
	return func(o *CreateSnapshot) { o.OnLogs = onLogs }
}

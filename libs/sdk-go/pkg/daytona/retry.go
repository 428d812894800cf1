package daytona

import (
	"context"
	"math/rand/v2"
	"time"
)

const (
	// DefaultMaxRetries is how many times an idempotent call is tried again unless
	// options.WithMaxRetries says otherwise.
	DefaultMaxRetries = 3
	// Full jitter: retry n waits a random time below min(maxBackoff, baseBackoff * 2^(n-1)).
	baseBackoff = 500 * time.Millisecond
	maxBackoff  = 8 * time.Second
)

// retryPolicy decides when a failed attempt of an idempotent call (GET, DELETE, a create with its
// Idempotency-Key, bulk delete) is tried again: after an answer that never came or was cut off,
// a 429, a 503, or a 409 idempotency_key_in_progress; at most maxRetries times, and never past
// the call's own deadline, so a call takes no longer with retries than without. The clock and
// the jitter's draw are fields so the SDK's tests can replace them.
type retryPolicy struct {
	maxRetries int
	now        func() time.Time
	sleep      func(ctx context.Context, d time.Duration) error
	random     func() float64
}

func newRetryPolicy(maxRetries int) *retryPolicy {
	return &retryPolicy{maxRetries: maxRetries, now: time.Now, sleep: sleepContext, random: rand.Float64}
}

// delayBeforeRetry is the wait before retry number retry (1-based) after err, or false when err
// is final: not transient, retries used up, or the wait would reach deadline. The server's
// Retry-After, when it sent one, is the wait.
func (p *retryPolicy) delayBeforeRetry(retry int, err *Error, deadline time.Time) (time.Duration, bool) {
	if retry > p.maxRetries || !isTransient(err) {
		return 0, false
	}
	delay := err.RetryAfter
	if delay == 0 {
		ceiling := min(maxBackoff, baseBackoff<<(min(retry, 31)-1))
		delay = time.Duration(p.random() * float64(ceiling))
	}
	return delay, p.now().Add(delay).Before(deadline)
}

// isTransient: failures another attempt may not meet. A timeout is not one: the deadline has passed.
func isTransient(err *Error) bool {
	switch err.Kind {
	case ErrConnection, ErrRateLimit:
		return true
	case ErrServer:
		return err.StatusCode == 503
	case ErrConflict:
		return err.Code == "idempotency_key_in_progress"
	}
	return false
}

func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

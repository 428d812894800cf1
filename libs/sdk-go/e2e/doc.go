// Package e2e holds the SDK's end-to-end tests (build tag e2e); see bulk_create_test.go.
package e2e

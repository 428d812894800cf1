//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/daytona"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

// startedSandbox creates a sandbox for one test, deleted by TestMain if the test fails.
func startedSandbox(t *testing.T, name string) *daytona.Sandbox {
	t.Helper()
	sandbox, err := newClient(t).Create(context.Background(), types.CreateParams{Name: prefix(name)})
	if err != nil {
		t.Fatal(err)
	}
	track([]*daytona.Sandbox{sandbox})
	t.Cleanup(func() { _ = sandbox.Delete(context.Background()) })
	return sandbox
}

func wantCode(t *testing.T, what string, err error, kind daytona.ErrorKind, code string) {
	t.Helper()
	var apiErr *daytona.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, kind) || apiErr.Code != code {
		t.Errorf("%s: got %v, want %v with code %s", what, err, kind, code)
	}
}

func TestFilesGoUpAndComeBackAndAreListedMovedAndDeleted(t *testing.T) {
	sandbox := startedSandbox(t, "files")
	fs := sandbox.FileSystem
	ctx := context.Background()

	if err := fs.CreateFolder(ctx, "work/in", options.WithMode("0750")); err != nil {
		t.Fatal(err)
	}
	if err := fs.UploadFileStream(ctx, strings.NewReader("hello\n"), "work/in/hello.txt"); err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(t.TempDir(), "local.bin")
	if err := os.WriteFile(local, []byte{0, 1, 2, 255}, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := fs.UploadFiles(ctx, []types.FileUpload{
		{LocalPath: local, Destination: "work/in/binary.bin"},
		{Reader: strings.NewReader("two"), Destination: "work/two.txt"},
	}); err != nil {
		t.Fatal(err)
	}

	files, err := fs.ListFiles(ctx, "work/in")
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, file := range files {
		listed = append(listed, file.Name)
	}
	slices.Sort(listed)
	if !slices.Equal(listed, []string{"binary.bin", "hello.txt"}) {
		t.Errorf("listed %v", listed)
	}
	info, err := fs.GetFileInfo(ctx, "work/in")
	if err != nil || !info.IsDirectory || info.Permissions != "0750" || info.Owner == "" {
		t.Errorf("folder info %+v, %v", info, err)
	}
	if info, err := fs.GetFileInfo(ctx, "work/in/binary.bin"); err != nil || info.Size != 4 || info.ModifiedTime.IsZero() {
		t.Errorf("file info %+v, %v", info, err)
	}
	// The sandbox's own commands see the files.
	if res, err := sandbox.Process.ExecuteCommand(ctx, "cat work/in/hello.txt work/two.txt"); err != nil || res.Result != "hello\ntwo" {
		t.Errorf("cat: %+v, %v", res, err)
	}

	if data, err := fs.DownloadFile(ctx, "work/in/binary.bin", nil); err != nil || !bytes.Equal(data, []byte{0, 1, 2, 255}) {
		t.Errorf("downloaded %v, %v", data, err)
	}
	saved := filepath.Join(t.TempDir(), "hello.txt")
	if _, err := fs.DownloadFile(ctx, "work/in/hello.txt", &saved); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(saved); string(data) != "hello\n" {
		t.Errorf("saved %q", data)
	}
	results, err := fs.DownloadFiles(ctx, []types.FileDownloadRequest{{Source: "work/two.txt"}, {Source: "work/nope.txt"}, {Source: "work/in/hello.txt"}})
	if err != nil {
		t.Fatal(err)
	}
	if string(results[0].Data) != "two" || results[0].Error != nil || string(results[2].Data) != "hello\n" {
		t.Errorf("bulk download %+v", results)
	}
	wantCode(t, "a missing file in a bulk download", results[1].Error, daytona.ErrNotFound, "file_not_found")

	if err := fs.MoveFiles(ctx, "work/two.txt", "work/in/moved.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.GetFileInfo(ctx, "work/two.txt"); err == nil {
		t.Error("the moved file is still at its old path")
	}
	wantCode(t, "a non-empty folder without recursive", fs.DeleteFile(ctx, "work/in", false), daytona.ErrConflict, "directory_not_empty")
	if err := fs.DeleteFile(ctx, "work", true); err != nil {
		t.Fatal(err)
	}
	_, err = fs.ListFiles(ctx, "work")
	wantCode(t, "a deleted folder", err, daytona.ErrNotFound, "file_not_found")
}

func TestABigFileStreamsBothWays(t *testing.T) {
	sandbox := startedSandbox(t, "bigfile")
	ctx := context.Background()
	const size = 64 << 20

	sent := sha256.New()
	if err := sandbox.FileSystem.UploadFileStream(ctx, io.TeeReader(io.LimitReader(pattern{}, size), sent), "big.bin"); err != nil {
		t.Fatal(err)
	}
	stream, err := sandbox.FileSystem.DownloadFileStream(ctx, "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	received := sha256.New()
	n, err := io.Copy(received, stream)
	if err != nil || n != size || !bytes.Equal(sent.Sum(nil), received.Sum(nil)) {
		t.Fatalf("got %d bytes (%v), hashes equal: %v", n, err, bytes.Equal(sent.Sum(nil), received.Sum(nil)))
	}
}

// pattern yields bytes that are not all the same, so a misplaced chunk changes the hash.
type pattern struct{}

func (pattern) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i * 31)
	}
	return len(p), nil
}

func TestPathsOutsideWhatTheUserMayTouchAreRefusedWithTheServersCodes(t *testing.T) {
	sandbox := startedSandbox(t, "badpaths")
	fs := sandbox.FileSystem
	ctx := context.Background()

	_, err := fs.DownloadFile(ctx, "../../etc/shadow", nil)
	wantCode(t, "download ../../etc/shadow", err, daytona.ErrAuthorization, "file_permission_denied")
	err = fs.UploadFileStream(ctx, strings.NewReader("root::0:0::/:/bin/sh\n"), "../../etc/shadow")
	wantCode(t, "upload over ../../etc/shadow", err, daytona.ErrAuthorization, "file_permission_denied")
	_, err = fs.DownloadFile(ctx, "missing.txt", nil)
	wantCode(t, "download of a missing file", err, daytona.ErrNotFound, "file_not_found")
	_, err = fs.GetFileInfo(ctx, "missing.txt")
	wantCode(t, "info of a missing file", err, daytona.ErrNotFound, "file_not_found")
	if err := fs.UploadFile(ctx, filepath.Join(t.TempDir(), "nope"), "x.txt"); !errors.Is(err, daytona.ErrValidation) {
		t.Errorf("upload of a missing local file: %v", err)
	}
	// Nothing changed: the shadow file is the image's, still unreadable.
	res, err := sandbox.Process.ExecuteCommand(ctx, "head -c 4 /etc/shadow >/dev/null 2>&1 && echo readable || echo refused")
	if err != nil || res.Result != "refused\n" {
		t.Errorf("/etc/shadow afterwards: %+v, %v", res, err)
	}
}

func TestCodeRunRunsPythonWithArgvAndEnvAndSaysWhenAnInterpreterIsMissing(t *testing.T) {
	sandbox := startedSandbox(t, "coderun")
	ctx := context.Background()

	res, err := sandbox.Process.CodeRun(ctx, "import os, sys\nprint(sys.argv[1], os.environ['MODE'])\nsys.exit(3)",
		options.WithCodeRunParams(types.CodeRunParams{Argv: []string{"first"}, Env: map[string]string{"MODE": "fast"}}))
	if err != nil {
		t.Fatal(err)
	}
	if *res != (types.ExecuteResponse{ExitCode: 3, Result: "first fast\n"}) {
		t.Errorf("got %+v", *res)
	}
	res, err = sandbox.Process.CodeRun(ctx, "import time; time.sleep(30)", options.WithCodeRunTimeout(time.Second))
	if err != nil || res.ExitCode != 124 {
		t.Errorf("a run past its timeout: %+v, %v", res, err)
	}
	// The default image has python3 and no node.
	_, err = sandbox.Process.CodeRun(ctx, "console.log(1)", options.WithCodeRunLanguage(types.CodeLanguageJavaScript))
	wantCode(t, "javascript without node", err, daytona.ErrValidation, "interpreter_not_found")
}

func TestSessionsKeepTheirShellAndTheirCommandsCanBeReadBack(t *testing.T) {
	sandbox := startedSandbox(t, "sessions")
	p := sandbox.Process
	ctx := context.Background()

	if err := p.CreateSession(ctx, "build"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "the same session twice", p.CreateSession(ctx, "build"), daytona.ErrConflict, "session_exists")
	if _, err := p.ExecuteSessionCommand(ctx, "build", "mkdir -p app && cd app && export MODE=ci", false, false); err != nil {
		t.Fatal(err)
	}
	res, err := p.ExecuteSessionCommand(ctx, "build", `echo "$MODE in $(basename "$PWD")"; echo oops >&2`, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode == nil || *res.ExitCode != 0 || res.Stdout != "ci in app\n" || res.Stderr != "oops\n" {
		t.Errorf("got %+v", res)
	}

	async, err := p.ExecuteSessionCommand(ctx, "build", "sleep 1; echo done", true, false)
	if err != nil || async.CmdID == "" || async.ExitCode != nil {
		t.Fatalf("async: %+v, %v", async, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		command, err := p.GetSessionCommand(ctx, "build", async.CmdID)
		if err != nil {
			t.Fatal(err)
		}
		if command.ExitCode != nil {
			if *command.ExitCode != 0 || command.Command != "sleep 1; echo done" {
				t.Errorf("command %+v", command)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the async command did not end")
		}
		time.Sleep(200 * time.Millisecond)
	}
	logs, err := p.GetSessionCommandLogs(ctx, "build", async.CmdID)
	if err != nil || logs.Stdout != "done\n" {
		t.Errorf("logs %+v, %v", logs, err)
	}

	session, err := p.GetSession(ctx, "build")
	if err != nil || session.SessionID != "build" || len(session.Commands) != 3 {
		t.Fatalf("session %+v, %v", session, err)
	}
	sessions, err := p.ListSessions(ctx)
	if err != nil || len(sessions) != 1 || sessions[0].SessionID != "build" {
		t.Errorf("sessions %+v, %v", sessions, err)
	}
	if err := p.DeleteSession(ctx, "build"); err != nil {
		t.Fatal(err)
	}

	_, err = p.GetSession(ctx, "build")
	wantCode(t, "a deleted session", err, daytona.ErrNotFound, "session_not_found")
	_, err = p.ExecuteSessionCommand(ctx, "nope", "echo hi", false, false)
	wantCode(t, "a command in a session that does not exist", err, daytona.ErrNotFound, "session_not_found")
	_, err = p.GetSessionCommandLogs(ctx, "nope", "cmd")
	wantCode(t, "logs of a session that does not exist", err, daytona.ErrNotFound, "session_not_found")
}

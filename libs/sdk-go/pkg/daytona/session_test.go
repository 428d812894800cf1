package daytona

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/daytonaio/daytona/libs/sdk-go/pkg/options"
	"github.com/daytonaio/daytona/libs/sdk-go/pkg/types"
)

func TestCodeRunSendsTheCodeLanguageArgvEnvsAndTimeout(t *testing.T) {
	var path string
	var body map[string]any
	sandbox := toolboxSandbox(t, func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		_ = json.NewDecoder(r.Body).Decode(&body)
		writeJSON(w, 200, map[string]any{"exitCode": 3, "result": "a fast\n"})
	})

	res, err := sandbox.Process.CodeRun(context.Background(), "import sys; print(sys.argv[1])",
		options.WithCodeRunLanguage(types.CodeLanguagePython),
		options.WithCodeRunParams(types.CodeRunParams{Argv: []string{"a"}, Env: map[string]string{"MODE": "fast"}}),
		options.WithCodeRunTimeout(90*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if *res != (types.ExecuteResponse{ExitCode: 3, Result: "a fast\n"}) {
		t.Errorf("got %+v", *res)
	}
	want := map[string]any{"code": "import sys; print(sys.argv[1])", "language": "python", "argv": []any{"a"}, "envs": map[string]any{"MODE": "fast"}, "timeout": float64(90)}
	if path != "/api/toolbox/sb-1/process/code-run" || !reflect.DeepEqual(body, want) {
		t.Errorf("sent %v to %s", body, path)
	}
}

func TestCodeRunWithoutOptionsSendsOnlyTheCodeAndAMissingInterpreterIsTheServersCode(t *testing.T) {
	var body map[string]any
	sandbox := toolboxSandbox(t, func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&body)
		writeJSON(w, 422, errorJSON(422, "interpreter_not_found", "no node on the sandbox's PATH", nil))
	})

	_, err := sandbox.Process.CodeRun(context.Background(), "console.log(1)")
	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrValidation) || apiErr.Code != "interpreter_not_found" {
		t.Fatalf("got %#v", err)
	}
	if !reflect.DeepEqual(body, map[string]any{"code": "console.log(1)"}) {
		t.Errorf("sent %v", body)
	}
}

func TestSessionCallsUseTheirRoutesAndMapTheAnswers(t *testing.T) {
	var requests []string
	var bodies []string
	sandbox := toolboxSandbox(t, func(w http.ResponseWriter, r *http.Request) {
		requests = append(requests, r.Method+" "+r.URL.Path)
		raw, _ := io.ReadAll(r.Body)
		bodies = append(bodies, strings.TrimSpace(string(raw)))
		session := map[string]any{"sessionId": "build", "commands": []any{
			map[string]any{"id": "cmd-1", "command": "export MODE=ci", "exitCode": 0},
			map[string]any{"id": "cmd-2", "command": "sleep 5"},
		}}
		switch r.Method + " " + r.URL.Path {
		case "POST /api/toolbox/sb-1/process/session", "DELETE /api/toolbox/sb-1/process/session/build":
			w.WriteHeader(204)
		case "GET /api/toolbox/sb-1/process/session":
			writeJSON(w, 200, []any{session})
		case "GET /api/toolbox/sb-1/process/session/build":
			writeJSON(w, 200, session)
		case "POST /api/toolbox/sb-1/process/session/build/exec":
			writeJSON(w, 200, map[string]any{"cmdId": "cmd-3", "exitCode": 0, "output": "ci\n", "stdout": "ci\n", "stderr": ""})
		case "GET /api/toolbox/sb-1/process/session/build/command/cmd-2":
			writeJSON(w, 200, map[string]any{"id": "cmd-2", "command": "sleep 5"})
		case "GET /api/toolbox/sb-1/process/session/build/command/cmd-2/logs":
			writeJSON(w, 200, map[string]any{"output": "out\nerr\n", "stdout": "out\n", "stderr": "err\n", "truncated": false})
		default:
			http.NotFound(w, r)
		}
	})
	ctx := context.Background()
	p := sandbox.Process

	if err := p.CreateSession(ctx, "build"); err != nil {
		t.Fatal(err)
	}
	res, err := p.ExecuteSessionCommand(ctx, "build", "echo $MODE", false, true)
	if err != nil || res.CmdID != "cmd-3" || res.ExitCode == nil || *res.ExitCode != 0 || res.Output != "ci\n" || res.Stdout != "ci\n" {
		t.Fatalf("exec %+v, %v", res, err)
	}
	session, err := p.GetSession(ctx, "build")
	if err != nil || session.SessionID != "build" || len(session.Commands) != 2 || *session.Commands[0].ExitCode != 0 || session.Commands[1].ExitCode != nil {
		t.Fatalf("session %+v, %v", session, err)
	}
	sessions, err := p.ListSessions(ctx)
	if err != nil || len(sessions) != 1 || sessions[0].Commands[1].Command != "sleep 5" {
		t.Fatalf("sessions %+v, %v", sessions, err)
	}
	command, err := p.GetSessionCommand(ctx, "build", "cmd-2")
	if err != nil || command.ID != "cmd-2" || command.ExitCode != nil {
		t.Fatalf("command %+v, %v", command, err)
	}
	logs, err := p.GetSessionCommandLogs(ctx, "build", "cmd-2")
	if err != nil || *logs != (types.SessionCommandLogs{Output: "out\nerr\n", Stdout: "out\n", Stderr: "err\n"}) {
		t.Fatalf("logs %+v, %v", logs, err)
	}
	if err := p.DeleteSession(ctx, "build"); err != nil {
		t.Fatal(err)
	}

	if bodies[0] != `{"sessionId":"build"}` || bodies[1] != `{"command":"echo $MODE","runAsync":false,"suppressInputEcho":true}` {
		t.Errorf("bodies %q", bodies[:2])
	}
	if requests[len(requests)-1] != "DELETE /api/toolbox/sb-1/process/session/build" {
		t.Errorf("requests %v", requests)
	}
}

func TestAnAsyncSessionCommandAnswersItsIDAndAnUnknownSessionIsSessionNotFound(t *testing.T) {
	var body map[string]any
	sandbox := toolboxSandbox(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/toolbox/sb-1/process/session/nope" {
			writeJSON(w, 404, errorJSON(404, "session_not_found", "no session nope", nil))
			return
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		writeJSON(w, 200, map[string]any{"cmdId": "cmd-9"})
	})
	ctx := context.Background()

	res, err := sandbox.Process.ExecuteSessionCommand(ctx, "build", "sleep 5", true, false)
	if err != nil || res.CmdID != "cmd-9" || res.ExitCode != nil || body["runAsync"] != true {
		t.Fatalf("got %+v, %v, sent %v", res, err, body)
	}
	_, err = sandbox.Process.GetSession(ctx, "nope")
	var apiErr *Error
	if !errors.As(err, &apiErr) || !errors.Is(err, ErrNotFound) || apiErr.Code != "session_not_found" {
		t.Fatalf("got %#v", err)
	}
}

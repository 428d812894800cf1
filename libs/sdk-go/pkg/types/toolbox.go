package types

import (
	"io"
	"time"
)

// FileInfo describes one file or directory inside a sandbox.
type FileInfo struct {
	Name string
	// Absolute, inside the sandbox.
	Path        string
	IsDirectory bool
	Size        int64
	// Type and permissions as `ls -l` shows them, e.g. "-rw-r--r--".
	Mode string
	// Permission bits in octal, e.g. "0644".
	Permissions string
	Owner       string
	Group       string
	// Zero when the server's time did not parse.
	ModifiedTime time.Time
}

// FileUpload is one file of FileSystemService.UploadFiles: the contents of LocalPath (read from
// disk as it is sent) or of Reader, written to Destination in the sandbox (relative to the
// sandbox user's home, or absolute). Give exactly one of LocalPath and Reader.
type FileUpload struct {
	LocalPath   string
	Reader      io.Reader
	Destination string
}

// FileDownloadRequest is one file of FileSystemService.DownloadFiles: Source in the sandbox,
// written to the local file Destination as it arrives, or held in memory when Destination is
// empty.
type FileDownloadRequest struct {
	Source      string
	Destination string
}

// FileDownloadResponse is what became of one FileDownloadRequest. Error is nil on success, else
// a *daytona.Error with the server's code (e.g. file_not_found), for this file only.
type FileDownloadResponse struct {
	Source string
	// The local file written, when the request named one.
	Destination string
	// The contents, when the request named no Destination.
	Data  []byte
	Error error
}

// CodeLanguage is a language Process.CodeRun runs.
type CodeLanguage string

const (
	CodeLanguagePython     CodeLanguage = "python"
	CodeLanguageJavaScript CodeLanguage = "javascript"
	CodeLanguageTypeScript CodeLanguage = "typescript"
)

// CodeRunParams are the program's arguments and extra environment variables of one CodeRun.
type CodeRunParams struct {
	Argv []string
	Env  map[string]string
}

// Session is a process session: a shell whose working directory and environment carry over
// from one command to the next.
type Session struct {
	SessionID string
	// Oldest first; the most recent 1,000.
	Commands []Command
}

// Command is one command run in a session.
type Command struct {
	ID      string
	Command string
	// Nil while it runs.
	ExitCode *int
}

// SessionExecuteResponse is the answer to Process.ExecuteSessionCommand. With runAsync only
// CmdID is set; read the rest with GetSessionCommand and GetSessionCommandLogs.
type SessionExecuteResponse struct {
	CmdID string
	// Nil with runAsync, or for a command still running after an hour.
	ExitCode *int
	// stdout and stderr interleaved.
	Output string
	Stdout string
	Stderr string
}

// SessionCommandLogs is what a session command wrote so far.
type SessionCommandLogs struct {
	// stdout and stderr interleaved, as produced.
	Output string
	Stdout string
	Stderr string
	// Output was dropped: past 1 MiB per command, or the oldest commands of a session past 8 MiB.
	Truncated bool
}

package main

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// helperError is what the runner reads from stderr: a code of the runner contract, a message
// for people, and the errno behind it when there is one.
type helperError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Errno   string `json:"errno,omitempty"`
}

func (e *helperError) Error() string { return e.Message }

var errnoCodes = map[syscall.Errno]string{
	syscall.ENOENT:       "file_not_found",
	syscall.EACCES:       "file_permission_denied",
	syscall.EPERM:        "file_permission_denied",
	syscall.ENOTDIR:      "not_a_directory",
	syscall.EISDIR:       "is_a_directory",
	syscall.ENAMETOOLONG: "file_name_too_long",
	syscall.ENOTEMPTY:    "directory_not_empty",
	syscall.EEXIST:       "file_exists",
	syscall.EFBIG:        "file_too_large",
}

var errnoNames = map[syscall.Errno]string{
	syscall.ENOENT: "ENOENT", syscall.EACCES: "EACCES", syscall.EPERM: "EPERM", syscall.ENOTDIR: "ENOTDIR",
	syscall.EISDIR: "EISDIR", syscall.ENAMETOOLONG: "ENAMETOOLONG", syscall.ENOTEMPTY: "ENOTEMPTY",
	syscall.EEXIST: "EEXIST", syscall.EFBIG: "EFBIG", syscall.EROFS: "EROFS", syscall.ENOSPC: "ENOSPC",
	syscall.EDQUOT: "EDQUOT", syscall.ELOOP: "ELOOP", syscall.EXDEV: "EXDEV", syscall.EBUSY: "EBUSY",
	syscall.EINVAL: "EINVAL", syscall.EIO: "EIO",
}

func asHelperError(err error) *helperError {
	var he *helperError
	if errors.As(err, &he) {
		return he
	}
	message := err.Error()
	var pathErr *fs.PathError
	var linkErr *os.LinkError
	switch {
	case errors.As(err, &pathErr):
		message = pathErr.Path + ": " + pathErr.Err.Error()
	case errors.As(err, &linkErr):
		message = linkErr.Old + " -> " + linkErr.New + ": " + linkErr.Err.Error()
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		code, known := errnoCodes[errno]
		if !known {
			code = "filesystem_error"
		}
		name := errnoNames[errno]
		if name == "" {
			name = errno.Error()
		}
		return &helperError{Code: code, Message: message, Errno: name}
	}
	return &helperError{Code: "filesystem_error", Message: message}
}

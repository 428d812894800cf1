//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
)

// forwardedRequest is a request the proxy passed on.
type forwardedRequest struct {
	target         string // e.g. "POST /api/sandbox/bulk"
	idempotencyKey string
}

// cuttingProxy sits between the SDK and a real API and drops the connection of the first answer
// to cutTarget after the API has sent all of it (so the request was processed), having passed on
// only half. Everything else goes through untouched. It records every request it forwards.
type cuttingProxy struct {
	listener  net.Listener
	upstream  *url.URL
	cutTarget string

	mu       sync.Mutex
	requests []forwardedRequest
	cuts     int
}

func startCuttingProxy(t *testing.T, apiURL, cutTarget string) *cuttingProxy {
	t.Helper()
	upstream, err := url.Parse(apiURL)
	if err != nil {
		t.Fatal(err)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cuttingProxy{listener: listener, upstream: upstream, cutTarget: cutTarget}
	t.Cleanup(func() { _ = listener.Close() })
	go func() {
		for {
			client, err := listener.Accept()
			if err != nil {
				return
			}
			go p.relay(client)
		}
	}()
	return p
}

// URL is the API URL to give the SDK: the upstream's path on the proxy's port.
func (p *cuttingProxy) URL() string {
	return "http://" + p.listener.Addr().String() + p.upstream.Path
}

func (p *cuttingProxy) seen() ([]forwardedRequest, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]forwardedRequest(nil), p.requests...), p.cuts
}

func (p *cuttingProxy) relay(client net.Conn) {
	defer client.Close()
	upstream, err := net.Dial("tcp", p.upstream.Host)
	if err != nil {
		return
	}
	defer upstream.Close()
	requests := bufio.NewReader(client)
	answers := bufio.NewReader(upstream)
	for {
		// One exchange at a time, as the SDK's keep-alive connections use them.
		request, err := http.ReadRequest(requests)
		if err != nil {
			return
		}
		target := request.Method + " " + request.URL.Path
		p.mu.Lock()
		p.requests = append(p.requests, forwardedRequest{target: target, idempotencyKey: request.Header.Get("Idempotency-Key")})
		cut := target == p.cutTarget && p.cuts == 0
		p.mu.Unlock()
		if err := request.Write(upstream); err != nil {
			return
		}
		response, err := http.ReadResponse(answers, request)
		if err != nil {
			return
		}
		var whole bytes.Buffer
		if err := response.Write(&whole); err != nil {
			return
		}
		if !cut {
			if _, err := client.Write(whole.Bytes()); err != nil {
				return
			}
			continue
		}
		// The whole answer is here, so the API has done the work: pass on half of it and hang up.
		p.mu.Lock()
		p.cuts++
		p.mu.Unlock()
		_, _ = client.Write(whole.Bytes()[:whole.Len()/2])
		return
	}
}

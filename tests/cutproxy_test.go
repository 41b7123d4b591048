package tests

import (
	"bytes"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cutProxy is a TCP proxy between a Database and its server that can break
// one connection at a chosen statement, the way a network failure or a
// server crash would: it arms on a word (lower case) and, at the first
// client packet containing it, either drops the packet and closes the
// connection (the statement never reaches the server), or forwards it,
// lets the server act on it, and closes the connection before any answer
// reaches the client (the server did the work; the client cannot know).
// It reads the protocols as bytes, so the connection must not use TLS.
type cutProxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	word    []byte
	forward bool
	cuts    atomic.Int32
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { p.serve(c) })
		}
	})
	return p
}

// proxied returns rawURL with its host and port replaced by the proxy's,
// and TLS off.
func proxied(t *testing.T, rawURL string) (*cutProxy, string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	p := newCutProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	q := u.Query()
	q.Set("ssl", "false")
	u.RawQuery = q.Encode()
	return p, u.String()
}

// arm makes the next client packet that contains word break its connection.
func (p *cutProxy) arm(word string, forward bool) {
	p.mu.Lock()
	p.word, p.forward = []byte(word), forward
	p.mu.Unlock()
}

// take disarms the proxy if packet holds its word, saying what to do.
func (p *cutProxy) take(packet []byte) (hit, forward bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.word == nil || !bytes.Contains(bytes.ToLower(packet), p.word) {
		return false, false
	}
	p.word = nil
	return true, p.forward
}

func (p *cutProxy) serve(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	var cut atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer client.Close() // the server hung up: so does the proxy
		buf := make([]byte, 64<<10)
		for {
			n, err := server.Read(buf)
			if n > 0 && !cut.Load() {
				if _, werr := client.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			hit, forward := p.take(buf[:n])
			if hit {
				// No answer may reach the client from here on.
				cut.Store(true)
				p.cuts.Add(1)
				if forward {
					_, _ = server.Write(buf[:n])
					time.Sleep(300 * time.Millisecond) // the server acts on it
				}
				_ = client.Close()
				_ = server.Close()
				<-done
				return
			}
			if _, werr := server.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	_ = server.Close()
	<-done
}

package retort

import (
	"errors"
	"testing"
)

func TestConnectErrorIsOneLine(t *testing.T) {
	err := &ConnectError{URL: "postgresql://u:***@h:1/x", Err: errors.New("failed to connect to `user=u database=x`:\n\th:1 (127.0.0.1): dial error: refused\n\th:1 (127.0.0.1): dial error: refused\n")}
	want := "cannot connect to postgresql://u:***@h:1/x: failed to connect to `user=u database=x`: h:1 (127.0.0.1): dial error: refused"
	if got := err.Error(); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

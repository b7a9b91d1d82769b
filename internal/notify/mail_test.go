package notify_test

import (
	"testing"
	"time"

	"github.com/arbokluis/arbokluis/internal/notify"
)

func TestBackoff(t *testing.T) {
	s := notify.NewSender(nil, nil, nil, nil, notify.SenderOptions{FirstDelay: time.Second, MaxDelay: 10 * time.Second})
	for _, tt := range []struct {
		attempts int
		want     time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {4, 8 * time.Second}, {5, 10 * time.Second}, {40, 10 * time.Second}} {
		if got := s.Backoff(tt.attempts); got != tt.want {
			t.Errorf("Backoff(%d) = %v, want %v", tt.attempts, got, tt.want)
		}
	}
}

package vault

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/arbokluis/arbokluis/internal/derrors"
)

// RenewSelf renews the client's own token by its default increment (for a
// periodic token, its period) and returns the TTL it has now. A token that
// Vault will not renew (invalid, expired or not renewable) is an error; an
// unreachable or sealed Vault is derrors.ErrUnavailable. Errors never
// contain the token.
func (c *Client) RenewSelf(ctx context.Context) (time.Duration, error) {
	s, err := c.api.Auth().Token().RenewSelfWithContext(ctx, 0)
	if err != nil {
		return 0, translate("renew-self", err)
	}
	if s == nil || s.Auth == nil {
		return 0, errors.New("vault: renew-self: no auth in response")
	}
	ttl := time.Duration(s.Auth.LeaseDuration) * time.Second
	if ttl <= 0 {
		return 0, errors.New("vault: renew-self: no TTL in response")
	}
	return ttl, nil
}

// KeepRenewed renews the client's token (RenewSelf) every interval until ctx
// ends, and then returns; run it in its own goroutine. It calls logf, when
// not nil, with each renewal's error, except those caused by ctx ending; the
// errors never contain the token. A renewal that fails is retried at the
// next tick only, so every must be well below the token's TTL. An every that
// is not positive is reported to logf as derrors.ErrInvalid, and KeepRenewed
// returns at once.
func (c *Client) KeepRenewed(ctx context.Context, every time.Duration, logf func(err error)) {
	if logf == nil {
		logf = func(error) {}
	}
	if every <= 0 {
		logf(fmt.Errorf("vault: keep renewed: interval %v: %w", every, derrors.ErrInvalid))
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := c.RenewSelf(ctx); err != nil && ctx.Err() == nil {
			logf(err)
		}
	}
}

// LookupSelf checks that the client's token is valid, with a token
// self-lookup (which every token may do). An invalid or expired token is an
// error; an unreachable or sealed Vault is derrors.ErrUnavailable. Errors
// never contain the token.
func (c *Client) LookupSelf(ctx context.Context) error {
	if _, err := c.api.Auth().Token().LookupSelfWithContext(ctx); err != nil {
		return translate("lookup-self", err)
	}
	return nil
}

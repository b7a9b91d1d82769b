// Package identity holds users, their credentials and sessions (the roles,
// principals and actors they act as are package access): argon2id
// password hashes, TOTP second factors that cannot be replayed, opaque
// session tokens kept only as hashes, and the back-off policy for failed
// logins.
//
// The primitives here are pure and deterministic given their inputs (a clock
// and a random source are passed in where they matter); storage and the
// login flow build on them.
package identity

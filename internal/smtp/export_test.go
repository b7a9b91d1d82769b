package smtp

// NewWithTransport is New with the transport chosen by the test rather
// than by TransportFor: a loopback test server stands in for a remote one.
var NewWithTransport = newMailer

"""Tickets and article requests: the knowledge loop. Every resolved ticket links to the revision
that solved it or to a request for a new document; publishing that document closes the request."""

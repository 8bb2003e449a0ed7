"""Connector and sync tests: real HTTP on loopback (mastodon-mock, a scripted server)."""

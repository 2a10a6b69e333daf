"""The embedded local stack: a moto server on loopback with the bucket and queues."""

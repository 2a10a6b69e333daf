"""What the extractor keeps between runs: state documents in S3, the pending-entities
journal, entities recorded as gone, the run lease, and the secret holding the user's grant."""

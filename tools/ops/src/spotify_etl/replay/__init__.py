"""``spotify-etl replay``: enqueue the messages of objects already in S3 again."""

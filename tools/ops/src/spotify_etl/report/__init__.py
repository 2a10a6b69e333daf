"""``spotify-etl report``: one self-contained HTML page of charts over the report views."""

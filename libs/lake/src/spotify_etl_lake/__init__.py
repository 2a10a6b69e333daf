"""The curated tables as Apache Iceberg tables in the Glue Data Catalog."""

#!/usr/bin/env bash
# Local stack init (docker-compose `init` service): the bucket, both work queues with their
# dead-letter queues and redrive policies (maxReceiveCount 10, visibility 60 s, messages kept
# 14 days), the Glue database and the Athena workgroup. Idempotent: safe to run again on a
# running stack. Same queues as deploy/template.yaml (see the reasons there);
# `spotify-etl local up` (spotify_etl.local.provision) builds the same layout in-process.
set -euo pipefail

: "${AWS_ENDPOINT_URL:?AWS_ENDPOINT_URL must point at LocalStack}"
: "${AWS_ENDPOINT_URL_GLUE:?AWS_ENDPOINT_URL_GLUE must point at the moto server}"
: "${SPOTIFY_ETL_BUCKET:?}" "${SPOTIFY_ETL_TRANSFORM_QUEUE:?}" "${SPOTIFY_ETL_CATALOG_QUEUE:?}"
GLUE_DATABASE="${GLUE_DATABASE:-spotify}"
ATHENA_WORKGROUP="${ATHENA_WORKGROUP:-spotify-etl}"
MAX_RECEIVE_COUNT=10
VISIBILITY_TIMEOUT=60
RETENTION=1209600 # 14 days, work queues and DLQs alike

localstack() { aws --endpoint-url "$AWS_ENDPOINT_URL" "$@"; }
moto_glue() { aws --endpoint-url "$AWS_ENDPOINT_URL_GLUE" glue "$@"; }
moto_athena() { aws --endpoint-url "${AWS_ENDPOINT_URL_ATHENA:-$AWS_ENDPOINT_URL_GLUE}" athena "$@"; }

if ! localstack s3api head-bucket --bucket "$SPOTIFY_ETL_BUCKET" >/dev/null 2>&1; then
  localstack s3api create-bucket --bucket "$SPOTIFY_ETL_BUCKET" >/dev/null
fi
echo "bucket ready: s3://$SPOTIFY_ETL_BUCKET"

for queue in "$SPOTIFY_ETL_TRANSFORM_QUEUE" "$SPOTIFY_ETL_CATALOG_QUEUE"; do
  dlq_url=$(localstack sqs create-queue --queue-name "$queue-dlq" \
    --attributes "MessageRetentionPeriod=$RETENTION" --query QueueUrl --output text)
  dlq_arn=$(localstack sqs get-queue-attributes --queue-url "$dlq_url" \
    --attribute-names QueueArn --query Attributes.QueueArn --output text)
  attributes="{\"VisibilityTimeout\":\"$VISIBILITY_TIMEOUT\",\"MessageRetentionPeriod\":\"$RETENTION\",\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"$dlq_arn\\\",\\\"maxReceiveCount\\\":\\\"$MAX_RECEIVE_COUNT\\\"}\"}"
  url=$(localstack sqs create-queue --queue-name "$queue" --query QueueUrl --output text 2>/dev/null \
    || localstack sqs get-queue-url --queue-name "$queue" --query QueueUrl --output text)
  localstack sqs set-queue-attributes --queue-url "$url" --attributes "$attributes"
  echo "queue ready: $queue (dead letters: $queue-dlq)"
done

if ! moto_glue get-database --name "$GLUE_DATABASE" >/dev/null 2>&1; then
  moto_glue create-database --database-input "{\"Name\":\"$GLUE_DATABASE\"}"
fi
echo "glue database ready: $GLUE_DATABASE"

existing=$(moto_athena list-work-groups \
  --query "WorkGroups[?Name=='$ATHENA_WORKGROUP'].Name" --output text)
if [ "$existing" != "$ATHENA_WORKGROUP" ]; then
  moto_athena create-work-group --name "$ATHENA_WORKGROUP" \
    --configuration "ResultConfiguration={OutputLocation=s3://$SPOTIFY_ETL_BUCKET/athena-results/}"
fi
echo "athena workgroup ready: $ATHENA_WORKGROUP"
